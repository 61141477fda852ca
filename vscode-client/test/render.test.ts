/**
 * Event stream → rendered transcript: the reducer's output drawn with the webview's
 * renderer into a DOM (jsdom), checked the way a user would see it.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";

import type { PermissionRequestParams } from "../src/protocol";
import { type Action, emptyTranscript, reduce, type Transcript } from "../src/state/transcript";
import { type RenderModule, loadRenderer } from "./dom";
import { event, resetSeq } from "./helpers";

let render: RenderModule;
const clicks: string[] = [];

before(async () => {
  render = await loadRenderer();
});

beforeEach(() => {
  resetSeq();
  clicks.length = 0;
});

const handlers = {
  permission: (id: string, option: string, comment?: string) =>
    clicks.push(comment ? `${id}:${option}:${comment}` : `${id}:${option}`),
  openFile: (uri: string) => clicks.push(`open:${uri}`),
  rewind: (turnId: string) => clicks.push(`rewind:${turnId}`),
  undoFile: (turnId: string, path: string) => clicks.push(`undo:${turnId}:${path}`),
};

function draw(actions: Action[]): { state: Transcript; root: HTMLElement } {
  const state = actions.reduce(reduce, emptyTranscript("s1"));
  const root = document.createElement("main");
  for (const item of state.items) root.append(render.renderItem(item, handlers));
  return { state, root };
}


describe("rendered transcript", () => {
  test("streamed markdown renders once, coalesced, with model HTML escaped", () => {
    const { root } = draw([
      event("turn_started", { prompt: "hi <b>there</b>" }),
      event("text_delta", { messageId: "m1", text: "Use **bold** and " }),
      event("text_delta", { messageId: "m1", text: "<img src=x onerror=alert(1)>" }),
    ]);
    assert.equal(root.querySelectorAll(".msg.assistant").length, 1);
    const body = root.querySelector(".msg.assistant .body") as HTMLElement;
    assert.equal(body.querySelector("strong")?.textContent, "bold");
    assert.equal(body.querySelector("img"), null);
    assert.match(body.textContent ?? "", /<img src=x/);
    assert.ok(root.querySelector(".msg.assistant.streaming"));
    // The user's text is shown as text, never parsed.
    assert.equal(root.querySelector(".msg.user .body")?.textContent, "hi <b>there</b>");
    assert.equal(root.querySelector(".msg.user b"), null);
  });

  test("reasoning folds away; a tool call shows status, duration and output", () => {
    const { root } = draw([
      event("reasoning_delta", { messageId: "m1", text: "thinking hard" }),
      event("tool_call_started", { toolCallId: "c1", name: "run_command", arguments: { command: "make test" } }),
      event("tool_output_chunk", { toolCallId: "c1", text: "ok\n" }),
      event("tool_call_completed", { toolCallId: "c1", name: "run_command", success: true, durationMs: 1500, output: "ok\n" }),
    ]);
    const reasoning = root.querySelector("details.reasoning") as HTMLDetailsElement;
    assert.equal(reasoning.open, false);
    assert.equal(reasoning.querySelector("pre")?.textContent, "thinking hard");
    const tool = root.querySelector("details.tool") as HTMLElement;
    assert.equal(tool.dataset.status, "done");
    assert.equal(tool.querySelector(".tool-arg")?.textContent, "make test");
    assert.equal(tool.querySelector(".tool-time")?.textContent, "1.5 s");
    assert.equal(tool.querySelector(".tool-output")?.textContent, "ok\n");
  });

  test("permission buttons show only while the server waits, and answer it", () => {
    const params = {
      sessionId: "s1",
      toolCallId: "c2",
      tool: "run_command",
      description: "Run `rm -rf build`",
      options: ["allow_once", "allow_always", "reject"],
    } as unknown as PermissionRequestParams;
    const shown = draw([
      event("permission_requested", { toolCallId: "c2", tool: "run_command", description: "Run it" }),
    ]);
    assert.equal(shown.root.querySelectorAll(".permission button").length, 0);
    const asked = draw([{ kind: "permissionAsked", params }]);
    const buttons = [...asked.root.querySelectorAll<HTMLButtonElement>(".permission button")];
    assert.deepEqual(
      buttons.map((b) => b.textContent),
      ["Allow once", "Allow always", "Reject"],
    );
    buttons[2].click();
    assert.deepEqual(clicks, ["c2:reject"]);
    const answered = draw([
      { kind: "permissionAsked", params },
      { kind: "permissionAnswered", toolCallId: "c2", option: "reject" },
    ]);
    assert.equal(answered.root.querySelectorAll(".permission button").length, 0);
    assert.match(answered.root.querySelector(".permission-answer")?.textContent ?? "", /Reject/);
  });

  test("an edit links to its file and shows the diff; a refused edit says why", () => {
    const { root } = draw([
      event("tool_call_started", { toolCallId: "c3", name: "edit", arguments: { path: "a.py" } }),
      event("file_edited", { toolCallId: "c3", uri: "file:///w/a.py", diff: "@@ -1 +1 @@\n-a\n+b\n", applied: true, rebased: true }),
      event("file_edited", { toolCallId: "c3", uri: "file:///w/b.py", diff: "@@ -1 +1 @@\n-x\n+y\n", applied: false, message: "lines 3-4 changed" }),
    ]);
    const edits = root.querySelectorAll(".edit");
    assert.equal(edits.length, 2);
    assert.match(edits[0].textContent ?? "", /a\.py edited \(rebased/);
    assert.equal(edits[0].querySelector(".diff .add")?.textContent, "+b\n");
    assert.equal(edits[1].querySelector(".edit-message")?.textContent, "lines 3-4 changed");
    (edits[0].querySelector("a") as HTMLAnchorElement).click();
    assert.deepEqual(clicks, ["open:file:///w/a.py"]);
  });

  test("each way a turn ends is shown", () => {
    const ends = [
      ["turn_cancelled", { reason: "cancelled by user" }, "Stopped"],
      ["turn_failed", { reason: "provider down" }, "Failed: provider down"],
      ["step_limit_reached", { reason: "50 steps", steps: 50 }, "Step limit reached: 50 steps"],
      ["turn_completed", { reason: "end_turn" }, ""],
    ] as const;
    for (const [type, fields, text] of ends) {
      const { root } = draw([event("turn_started", { prompt: "x" }), event(type, fields)]);
      assert.equal(root.querySelector(".turn-end-label")?.textContent ?? "", text, type);
    }
  });

  test("each ended turn offers Rewind to here; undo and rewind are said in the transcript", () => {
    const { root } = draw([
      event("turn_started", { prompt: "x" }),
      event("turn_completed", { reason: "end_turn" }),
      event("change_undone", { undoneTurnId: "t1", path: "calc.py", uri: "file:///w/calc.py",
        hunkIds: ["h1"], lines: "lines 3-5" }, { turnId: null }),
      event("turn_rewound", { toTurnId: "t1", rewoundTurnIds: ["t1"], restored: ["calc.py"],
        conflicts: [{ path: "b.py", reason: "changed since" }] }, { turnId: null }),
    ]);
    const button = root.querySelector<HTMLButtonElement>(".turn-rewind");
    button?.click();
    assert.deepEqual(clicks, ["rewind:t1"]);
    const notices = [...root.querySelectorAll(".notice")].map((n) => n.textContent);
    assert.deepEqual(notices, [
      "Undone: the agent's change to calc.py lines 3-5.",
      "Rewound 1 turn(s): 1 file(s) restored. 1 left as they were: b.py (changed since).",
    ]);
  });

  test("an applied code block is its own row with the file chip; its undo says it was the block", () => {
    const ended = [event("turn_started", { prompt: "x" }), event("turn_completed", { reason: "end_turn" })];
    const applied = event("file_edited", { toolCallId: "b1", uri: "file:///w/calc.py", path: "calc.py",
      diff: "@@ -5,1 +5,1 @@\n-    pi = 3.14\n+    pi = 3.14159\n", applied: true, hunkIds: ["h1"],
      codeBlock: { placement: "region", startLine: 4, endLine: 6 } }, { turnId: "b1" });
    const { root } = draw([
      ...ended,
      applied,
      event("change_undone", { undoneTurnId: "b1", path: "calc.py", uri: "file:///w/calc.py",
        hunkIds: ["h1"], lines: "line 5", codeBlock: true }, { turnId: null }),
    ]);
    const row = root.querySelector(".tool summary");
    assert.equal(row?.querySelector(".tool-name")?.textContent, "Applied code block");
    assert.equal(row?.querySelector(".file-chip")?.textContent, "calc.py");
    assert.equal(row?.querySelector(".tool-counts")?.textContent, "+1 −1");
    const notices = [...root.querySelectorAll(".notice")].map((n) => n.textContent);
    assert.deepEqual(notices, ["Undone: the code block you applied to calc.py line 5."]);
    assert.equal(root.querySelector(".tool-args"), null);
  });

  test("each edited file has a row with counts and Undo; an undo marks it undone", () => {
    const started = event("tool_call_started", { toolCallId: "c4", name: "edit" });
    const edited = event("file_edited", { toolCallId: "c4", uri: "file:///w/a.py", path: "a.py",
      diff: "@@ -1 +1,2 @@\n-a\n+b\n+c\n", applied: true, hunkIds: ["h1"] });
    const before = draw([started, edited]);
    const row = before.root.querySelector(".edit");
    assert.match(row?.textContent ?? "", /a\.py edited \+2 −1/);
    row?.querySelector<HTMLButtonElement>(".edit-undo")?.click();
    assert.deepEqual(clicks, ["undo:t1:a.py"]);
    const after = draw([
      started, edited,
      event("change_undone", { undoneTurnId: "t1", path: "a.py", uri: "file:///w/a.py",
        hunkIds: ["h1"], lines: "lines 1-2" }, { turnId: null }),
    ]);
    const undone = after.root.querySelector(".edit");
    assert.match(undone?.textContent ?? "", /a\.py undone/);
    assert.equal(undone?.querySelector(".edit-undo"), null);
    const rewound = draw([
      started, edited,
      event("turn_rewound", { toTurnId: "t1", rewoundTurnIds: ["t1"], restored: ["a.py"] },
        { turnId: null }),
    ]);
    assert.match(rewound.root.querySelector(".edit")?.textContent ?? "", /a\.py undone/);
  });

  test("a proposed edit shows its diff with Accept, and Reject carries the comment", () => {
    const params = {
      sessionId: "s1", toolCallId: "c9", tool: "edit", description: "Edit calc.py",
      diff: "@@ -1 +1 @@\n-a\n+b\n", options: ["allow_once", "allow_always", "reject"],
    } as unknown as PermissionRequestParams;
    const { root } = draw([{ kind: "permissionAsked", params }]);
    assert.equal(root.querySelector(".permission .diff .del")?.textContent, "-a\n");
    const buttons = [...root.querySelectorAll<HTMLButtonElement>(".permission button")];
    assert.deepEqual(buttons.map((b) => b.textContent), ["Accept", "Allow always", "Reject"]);
    const comment = root.querySelector<HTMLTextAreaElement>(".permission-comment");
    assert.ok(comment);
    comment.value = "keep a";
    buttons[2].click();
    assert.deepEqual(clicks, ["c9:reject:keep a"]);
  });

  test("the gauge shows context used of the window", () => {
    const { state } = draw([
      event("usage", {
        usage: {},
        total: { totalTokens: 3000 },
        contextTokens: 12_000,
        contextWindow: 128_000,
      }),
    ]);
    render.renderGauge(state.gauge);
    assert.equal(document.getElementById("gauge-text")?.textContent, "12k / 128k");
    assert.equal((document.getElementById("gauge-fill") as HTMLElement).style.width, "9%");
  });
});
