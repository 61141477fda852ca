// Code blocks of an answer get syntax highlighting and a bar with their language, Copy,
// Insert at Cursor and Apply to File (issue 15, VS Code 5); no bar while the answer
// streams, and no highlighting of the block still being written.
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";

import { type Action, emptyTranscript, reduce } from "../src/state/transcript";
import { type RenderModule, loadRenderer } from "./dom";
import { event, resetSeq } from "./helpers";

let render: RenderModule;
const calls: string[] = [];

before(async () => {
  render = await loadRenderer();
});

beforeEach(() => {
  resetSeq();
  calls.length = 0;
});

const handlers = {
  permission: () => undefined,
  openFile: () => undefined,
  rewind: () => undefined,
  undoFile: () => undefined,
  code: (action: string, text: string, target?: string | null) =>
    calls.push(target === undefined ? `${action}:${text}` : `${action}:${target}:${text}`),
};
const ANSWER = "Use this:\n\n```python\ndef add(a, b):\n    return a + b\n```\n";

function draw(actions: Action[]): HTMLElement {
  const state = actions.reduce(reduce, emptyTranscript("s1"));
  const root = document.createElement("main");
  for (const item of state.items) root.append(render.renderItem(item, handlers));
  return root;
}

describe("code blocks", () => {
  test("a finished answer's code block has its language, Copy, Insert and Apply", () => {
    const root = draw([
      event("text_delta", { messageId: "m1", text: ANSWER }),
      event("text_complete", { messageId: "m1", text: ANSWER }),
    ]);
    const bar = root.querySelector(".code-bar") as HTMLElement;
    assert.ok(bar, root.innerHTML);
    assert.equal(bar.querySelector(".code-lang")?.textContent, "python");
    const buttons = [...bar.querySelectorAll("button")];
    assert.deepEqual(buttons.map((b) => b.textContent), ["Copy", "Insert at Cursor", "Apply to File"]);
    for (const button of buttons) button.click();
    const code = "def add(a, b):\n    return a + b\n";
    assert.deepEqual(calls, [`copy:${code}`, `insert:${code}`, `apply:null:${code}`]);
  });

  test("a finished block is highlighted with theme-coloured token classes, text intact", () => {
    const root = draw([
      event("text_delta", { messageId: "m1", text: ANSWER }),
      event("text_complete", { messageId: "m1", text: ANSWER }),
    ]);
    const code = root.querySelector("pre > code") as HTMLElement;
    assert.ok(code.classList.contains("hljs"));
    assert.equal(code.querySelector(".hljs-keyword")?.textContent, "def");
    assert.equal(code.querySelector(".hljs-title")?.textContent, "add");
    assert.equal(code.textContent, "def add(a, b):\n    return a + b\n");
  });

  test("a block over MAX_HIGHLIGHT_CHARS stays plain; a known alias is highlighted", async () => {
    const { highlighted, MAX_HIGHLIGHT_CHARS } = await import("../src/webview/highlight");
    assert.equal(highlighted("x = 1\n".repeat(MAX_HIGHLIGHT_CHARS / 6 + 1), "python"), null);
    assert.match(highlighted("[tool]\nname = 1\n", "toml") ?? "", /hljs-section/);
    assert.match(highlighted("fn main() {}\n", "rs") ?? "", /hljs-keyword/);
    assert.equal(highlighted("x", ""), null);
  });

  test("an unknown language stays plain, escaped text", () => {
    const text = "```brainfog\n<script>alert(1)</script> & more\n```\n";
    const root = draw([
      event("text_delta", { messageId: "m1", text }),
      event("text_complete", { messageId: "m1", text }),
    ]);
    const code = root.querySelector("pre > code") as HTMLElement;
    assert.equal(code.children.length, 0);
    assert.equal(root.querySelector("script"), null);
    assert.equal(code.textContent, "<script>alert(1)</script> & more\n");
    assert.ok(!code.classList.contains("hljs"));
  });

  test("while streaming, closed blocks are highlighted and the open one is not", () => {
    const text = "```rust\nfn one() {}\n```\n\n```go\nfunc two() {";
    const root = draw([event("text_delta", { messageId: "m1", text })]);
    const [closed, open] = [...root.querySelectorAll("pre > code")];
    assert.ok(closed.querySelector(".hljs-keyword"), closed.innerHTML);
    assert.equal(open.children.length, 0);
    assert.equal(open.textContent, "func two() {\n");
  });

  test("while streaming, closed code past the budget waits for the answer's end", () => {
    const big = "x = 1\n".repeat(800); // 4800 characters: over STREAMING_BUDGET
    const text = `\`\`\`python\ny = 2\n\`\`\`\n\n\`\`\`python\n${big}\`\`\`\n`;
    const streaming = draw([event("text_delta", { messageId: "m1", text })]);
    const [small, large] = [...streaming.querySelectorAll("pre > code")];
    assert.ok(small.querySelector(".hljs-number"), small.innerHTML);
    assert.equal(large.children.length, 0);
    const done = draw([
      event("text_delta", { messageId: "m1", text }),
      event("text_complete", { messageId: "m1", text }),
    ]);
    assert.ok(done.querySelectorAll("pre > code")[1].querySelector(".hljs-number"));
  });

  test("Apply names the file of the info string or of the line before the block", () => {
    const text = [
      "```python src/calc.py\nx = 1\n```",
      "```ts:web/app.ts\nlet y = 2;\n```",
      "Change `os.path` in **lib/paths.py**:\n\n```python\nz = 3\n```",
      "Use `os.path` here:\n\n```python\nw = 4\n```",
      "```src/only/path.go\npackage main\n```",
    ].join("\n\n") + "\n";
    const root = draw([
      event("text_delta", { messageId: "m1", text }),
      event("text_complete", { messageId: "m1", text }),
    ]);
    for (const button of root.querySelectorAll<HTMLButtonElement>("[data-code-action=apply]")) button.click();
    assert.deepEqual(calls, [
      "apply:src/calc.py:x = 1\n",
      "apply:web/app.ts:let y = 2;\n",
      "apply:lib/paths.py:z = 3\n",
      "apply:null:w = 4\n",
      "apply:src/only/path.go:package main\n",
    ]);
    const labels = [...root.querySelectorAll(".code-lang")].map((n) => n.textContent);
    assert.equal(labels[0], "python · src/calc.py");
  });

  test("no bar while the answer streams", () => {
    const root = draw([event("text_delta", { messageId: "m1", text: ANSWER })]);
    assert.equal(root.querySelector(".code-bar"), null);
  });
});
