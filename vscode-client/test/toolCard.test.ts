/**
 * The compact tool card (issue 15, VS Code 2): one collapsed row with the file chip and
 * +/− counts that expands to the coloured diff once; no raw JSON where the row says it
 * all; long output cut with "Show all".
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";

import { type Action, emptyTranscript, reduce } from "../src/state/transcript";
import { type RenderModule, loadRenderer } from "./dom";
import { event, resetSeq } from "./helpers";

let render: RenderModule;

before(async () => {
  render = await loadRenderer();
});

beforeEach(() => resetSeq());

const handlers = {
  permission: () => undefined,
  openFile: () => undefined,
  rewind: () => undefined,
  undoFile: () => undefined,
};

function card(actions: Action[]): HTMLDetailsElement {
  const state = actions.reduce(reduce, emptyTranscript("s1"));
  const root = document.createElement("main");
  for (const item of state.items) root.append(render.renderItem(item, handlers));
  return root.querySelector("details.tool") as HTMLDetailsElement;
}

const DIFF = "--- a/hello.py\n+++ b/hello.py\n@@ -1,2 +1,3 @@\n def greet(name):\n+    \"\"\"Greet.\"\"\"\n-    pass\n+    return 1\n";

describe("tool card", () => {
  test("an edit is one collapsed row with its file and counts; the diff shows once", () => {
    const node = card([
      event("tool_call_started", { toolCallId: "c1", name: "edit", arguments: { path: "hello.py", old: "def greet(name):\n", new: "x" } }),
      event("file_edited", { toolCallId: "c1", uri: "file:///w/hello.py", diff: DIFF, applied: true }),
      event("tool_call_completed", { toolCallId: "c1", name: "edit", success: true, durationMs: 40, output: `Edited hello.py\n${DIFF}` }),
    ]);
    assert.equal(node.open, false, "collapsed until clicked");
    const summary = node.querySelector("summary") as HTMLElement;
    assert.equal(summary.querySelector(".tool-arg.file-chip")?.textContent, "hello.py");
    assert.equal(summary.querySelector(".tool-counts")?.textContent, "+2 −1");
    assert.equal(summary.querySelector(".tool-time")?.textContent, "40 ms");
    assert.equal(node.querySelectorAll(".tool-args").length, 0, "no raw JSON arguments");
    assert.equal(node.querySelectorAll(".tool-output").length, 0, "no plain copy of the diff");
    assert.equal(node.querySelectorAll("pre.diff").length, 1);
    assert.equal(node.querySelectorAll("pre.diff .add").length, 2);
  });

  test("arguments show only when the row does not already say them", () => {
    const plain = card([
      event("tool_call_started", { toolCallId: "c2", name: "run_command", arguments: { command: "make test" } }),
    ]);
    assert.equal(plain.querySelectorAll(".tool-args").length, 0);
    resetSeq();
    const other = card([
      event("tool_call_started", { toolCallId: "c3", name: "grep", arguments: { pattern: "TODO", glob: "*.py" } }),
    ]);
    assert.deepEqual(JSON.parse(other.querySelector(".tool-args")?.textContent ?? "{}"), { glob: "*.py" });
  });

  test("long output is cut with Show all, which shows every line", () => {
    const output = `${Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n")}\n`;
    const node = card([
      event("tool_call_started", { toolCallId: "c4", name: "run_command", arguments: { command: "seq" } }),
      event("tool_call_completed", { toolCallId: "c4", name: "run_command", success: true, durationMs: 5, output }),
    ]);
    const pre = node.querySelector(".tool-output") as HTMLElement;
    assert.equal(pre.textContent?.trimEnd().split("\n").length, 12);
    const more = node.querySelector("button.show-all") as HTMLButtonElement;
    assert.equal(more.textContent, "Show all (40 lines)");
    more.click();
    assert.equal(pre.textContent, output);
    assert.equal(node.querySelector("button.show-all"), null);
  });
});
