/**
 * Long turns in the chat: compaction shows as a transcript line with before/after tokens,
 * a step-limit stop offers Continue (until a later turn starts), and the gauge's hover
 * text is the server's context breakdown.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";

import type { ContextResult } from "../src/protocol";
import { breakdownLines } from "../src/state/breakdown";
import {
  type Action,
  type CompactionItem,
  emptyTranscript,
  reduce,
  type Transcript,
  type TurnEndItem,
} from "../src/state/transcript";
import { type RenderModule, loadRenderer } from "./dom";
import { event, resetSeq } from "./helpers";

let render: RenderModule;

before(async () => {
  render = await loadRenderer();
});

beforeEach(() => resetSeq());


function run(actions: Action[]): Transcript {
  return actions.reduce(reduce, emptyTranscript("s1"));
}

const compactions = (s: Transcript) => s.items.filter((i) => i.kind === "compaction") as CompactionItem[];
const ends = (s: Transcript) => s.items.filter((i) => i.kind === "turnEnd") as TurnEndItem[];

describe("compaction in the transcript", () => {
  test("started then completed is one line with before and after tokens", () => {
    const state = run([
      event("turn_started", { prompt: "read everything" }),
      event("compaction_started", { tokensBefore: 9323, contextWindow: 12000, reason: "window" }),
      event("compaction", { summary: "s", upToMessageId: "m9", summarizedMessages: 40 }),
      event("compaction_completed", {
        tokensBefore: 9323, tokensAfter: 6917, summarizedMessages: 40, contextWindow: 12000,
      }),
    ]);
    const lines = compactions(state);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].status, "done");
    const node = render.renderItem(lines[0], { permission() {}, openFile() {}, rewind() {}, undoFile() {} });
    assert.equal(node.textContent, "Context compacted: 9.3k → 6.9k tokens (40 messages summarised)");
  });

  test("a failed summariser says so; a replay without the start still shows the outcome", () => {
    const failed = run([
      event("compaction_started", { tokensBefore: 9000, contextWindow: 12000, reason: "provider_limit" }),
      event("compaction_failed", { reason: "the summariser answered nothing" }),
      event("context_truncated", { droppedMessages: 30, estimatedTokens: 7000, contextWindow: 12000 }),
    ]);
    assert.equal(compactions(failed)[0].status, "failed");
    const node = render.renderItem(compactions(failed)[0], { permission() {}, openFile() {}, rewind() {}, undoFile() {} });
    assert.match(node.textContent ?? "", /Compaction failed: the summariser answered nothing/);
    const replayed = run([
      event("compaction_completed", { tokensBefore: 100, tokensAfter: 50, summarizedMessages: 2, contextWindow: 1000 }),
    ]);
    assert.equal(compactions(replayed)[0].tokensAfter, 50);
  });

  test("a compaction still running when the turn ends is closed", () => {
    const state = run([
      event("turn_started", { prompt: "x" }),
      event("compaction_started", { tokensBefore: 9000, contextWindow: 12000, reason: "window" }),
      event("turn_cancelled", { reason: "cancelled by user" }),
    ]);
    assert.equal(compactions(state)[0].status, "failed");
  });
});

describe("Continue after the step limit", () => {
  test("the step-limit end offers Continue, which posts; a new turn withdraws it", () => {
    let state = run([
      event("turn_started", { prompt: "long task" }),
      event("checkpoint", { task: "long task", done: [], remaining: "", steps: 2 }),
      event("step_limit_reached", { reason: "stopped after 2 model calls", steps: 2 }),
    ]);
    assert.equal(ends(state)[0].canContinue, true);
    const clicked: string[] = [];
    const node = render.renderItem(ends(state)[0], {
      permission() {},
      openFile() {},
      rewind() {},
      undoFile() {},
      continueTurn: () => clicked.push("continue"),
    });
    const button = node.querySelector("button.continue") as HTMLButtonElement;
    assert.equal(button.textContent, "Continue");
    button.click();
    assert.deepEqual(clicked, ["continue"]);
    state = reduce(state, event("turn_started", { prompt: "Continue the task..." }, { turnId: "t2" }));
    assert.equal(ends(state)[0].canContinue, false);
    const again = render.renderItem(ends(state)[0], { permission() {}, openFile() {}, rewind() {}, undoFile() {}, continueTurn() {} });
    assert.equal(again.querySelector("button.continue"), null);
  });

  test("a reopened session whose last turn hit the limit gets a Continue line once", () => {
    let state = run([{ kind: "continuable", reason: "the last turn stopped at the step limit" }]);
    state = reduce(state, { kind: "continuable", reason: "again" });
    assert.equal(ends(state).length, 1);
    assert.equal(ends(state)[0].canContinue, true);
  });

  test("completed and failed turns offer nothing", () => {
    const state = run([event("turn_started", { prompt: "x" }), event("turn_completed", { text: "ok" })]);
    assert.equal(ends(state)[0].canContinue, false);
  });
});

describe("gauge hover", () => {
  const ctx: ContextResult = {
    sessionId: "s1",
    policy: "incremental",
    contextWindow: 12000,
    budgetTokens: 9280,
    totalTokens: 6917,
    stubbedOutputs: 3,
    droppedMessages: 0,
    summarizedMessages: 40,
    canContinue: false,
    sections: [
      { name: "system", tokens: 420, items: [] },
      { name: "tools", tokens: 1263, items: [] },
      { name: "rules", tokens: 30, items: [{ label: "AGENTS.md", tokens: 30, state: "whole" }] },
      { name: "pins", tokens: 40, items: [{ label: "task (first message)", tokens: 20, state: "whole" }] },
      { name: "summary", tokens: 120, items: [{ label: "summary", tokens: 120, state: "summarized" }] },
      { name: "messages", tokens: 5044, items: [{ label: "tool: c1", tokens: 40, state: "stubbed" }] },
    ],
  };

  test("the breakdown names every section, the rules files and why things are not whole", () => {
    const lines = breakdownLines(ctx);
    assert.equal(lines[0], "Next request: 6.9k of 9.3k budget (window 12k, policy incremental)");
    assert.ok(lines.includes("Project rules: 30 (AGENTS.md)"));
    assert.ok(lines.includes("Summary: 120 (stands in for 40 older messages)"));
    assert.ok(lines.includes("Messages: 5.0k (1 sent, 3 old tool outputs stubbed)"));
  });

  test("it becomes the gauge's tooltip and survives usage updates", () => {
    render.setGaugeDetail(breakdownLines(ctx));
    render.renderGauge({ contextTokens: 7000, contextWindow: 12000, totalTokens: 9000, sessionCost: null });
    const title = document.getElementById("gauge")?.title ?? "";
    assert.match(title, /Project rules: 30 \(AGENTS.md\)/);
    render.setGaugeDetail(null);
    render.renderGauge({ contextTokens: 7000, contextWindow: 12000, totalTokens: 9000, sessionCost: null });
    assert.match(document.getElementById("gauge")?.title ?? "", /^Context: 7,000 of 12,000/);
  });
});
