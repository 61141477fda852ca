// Code blocks of an answer get a bar with their language, Copy and Insert at Cursor
// (issue 15, VS Code 5); not while the answer still streams.
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";

import { JSDOM } from "jsdom";

import { type Action, emptyTranscript, reduce } from "../src/state/transcript";
import { ev, resetSeq } from "./helpers";

type RenderModule = typeof import("../src/webview/render");
let render: RenderModule;
const calls: string[] = [];

before(async () => {
  const dom = new JSDOM("<!DOCTYPE html><div id=gauge><span id=gauge-fill></span><span id=gauge-text></span></div>");
  Object.assign(globalThis, { document: dom.window.document, window: dom.window });
  render = await import("../src/webview/render");
});

beforeEach(() => {
  resetSeq();
  calls.length = 0;
});

const event = (...args: Parameters<typeof ev>): Action => ({ kind: "event", notification: ev(...args) });
const handlers = {
  permission: () => undefined,
  openFile: () => undefined,
  rewind: () => undefined,
  undoFile: () => undefined,
  code: (action: string, text: string) => calls.push(`${action}:${text}`),
};
const ANSWER = "Use this:\n\n```python\ndef add(a, b):\n    return a + b\n```\n";

function draw(actions: Action[]): HTMLElement {
  const state = actions.reduce(reduce, emptyTranscript("s1"));
  const root = document.createElement("main");
  for (const item of state.items) root.append(render.renderItem(item, handlers));
  return root;
}

describe("code blocks", () => {
  test("a finished answer's code block has its language, Copy and Insert at Cursor", () => {
    const root = draw([
      event("text_delta", { messageId: "m1", text: ANSWER }),
      event("text_complete", { messageId: "m1", text: ANSWER }),
    ]);
    const bar = root.querySelector(".code-bar") as HTMLElement;
    assert.ok(bar, root.innerHTML);
    assert.equal(bar.querySelector(".code-lang")?.textContent, "python");
    const buttons = [...bar.querySelectorAll("button")];
    assert.deepEqual(buttons.map((b) => b.textContent), ["Copy", "Insert at Cursor"]);
    buttons[0].click();
    buttons[1].click();
    const code = "def add(a, b):\n    return a + b\n";
    assert.deepEqual(calls, [`copy:${code}`, `insert:${code}`]);
  });

  test("no bar while the answer streams", () => {
    const root = draw([event("text_delta", { messageId: "m1", text: ANSWER })]);
    assert.equal(root.querySelector(".code-bar"), null);
  });
});
