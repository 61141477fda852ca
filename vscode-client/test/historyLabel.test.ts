// History rows are distinguishable (issue 15, VS Code 6): first prompt line, model,
// message count, files touched, time; failed, stopped and empty sessions marked.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { SessionSummary } from "../src/protocol";
import {
  historyDescription,
  historyIcon,
  historyTooltip,
  isEmptySession,
} from "../src/state/historyLabel";

const row = (over: Partial<SessionSummary>): SessionSummary => ({
  id: "s1",
  title: "Fix add function",
  createdAt: "2026-12-01T10:00:00Z",
  updatedAt: "2026-12-01T10:00:00Z",
  messageCount: 4,
  model: "openai/gpt-4.1",
  workspaceFolder: "/w",
  archived: false,
  usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  firstPrompt: "",
  filesTouched: [],
  fileCount: 0,
  lastTurn: "completed",
  lastTurnReason: "",
  ...over,
});
const now = new Date("2026-12-01T10:05:00Z");

describe("history row", () => {
  test("names the model, the message count and the time", () => {
    assert.equal(historyDescription(row({}), now), "gpt-4.1 · 4 msgs · 5 min ago");
    assert.equal(historyDescription(row({ messageCount: 1, model: "ollama/llama3.1:8b" }), now),
      "llama3.1:8b · 1 msg · 5 min ago");
  });

  test("marks a session nothing was said in", () => {
    const empty = row({ messageCount: 0 });
    assert.equal(isEmptySession(empty), true);
    assert.equal(historyDescription(empty, now), "empty · gpt-4.1 · 5 min ago");
    assert.equal(isEmptySession(row({})), false);
  });
});

describe("history row: what the session did", () => {
  const fixed = row({
    firstPrompt: "The add function subtracts",
    filesTouched: ["calc.py", "test_calc.py", "docs/calc.md"],
    fileCount: 3,
  });

  test("the first prompt line and the files touched tell same-titled sessions apart", () => {
    assert.equal(
      historyDescription(fixed, now),
      "“The add function subtracts” · gpt-4.1 · 4 msgs · 3 files · 5 min ago",
    );
    assert.equal(historyDescription(row({ fileCount: 1 }), now), "gpt-4.1 · 4 msgs · 1 file · 5 min ago");
  });

  test("the prompt is left out when the title already is it", () => {
    const same = row({ title: "Fix add function", firstPrompt: "Fix add function in calc.py" });
    assert.equal(historyDescription(same, now), "gpt-4.1 · 4 msgs · 5 min ago");
  });

  test("a failed last turn is marked in words and with the error icon", () => {
    const failed = row({ lastTurn: "failed", lastTurnReason: "the server at http://127.0.0.1:1 is unreachable" });
    assert.equal(historyDescription(failed, now), "failed · gpt-4.1 · 4 msgs · 5 min ago");
    assert.deepEqual(historyIcon(failed, false), { id: "error", color: "errorForeground" });
    assert.deepEqual(historyIcon(failed, true), { id: "error", color: "errorForeground" });
    assert.ok(historyTooltip(failed).includes(
      "Last turn failed: the server at http://127.0.0.1:1 is unreachable"));
  });

  test("an unfinished turn is running when the chat says so", () => {
    const open = row({ lastTurn: "unfinished" });
    assert.match(historyDescription(open, now), /^unfinished · /);
    assert.match(historyDescription(open, now, true), /^running · /);
    assert.equal(historyDescription(row({}), now, true), "gpt-4.1 · 4 msgs · 5 min ago");
  });

  test("stopped and step-limit turns get their own marks; completed ones none", () => {
    assert.match(historyDescription(row({ lastTurn: "cancelled" }), now), /^stopped · /);
    assert.equal(historyIcon(row({ lastTurn: "cancelled" }), false).id, "circle-slash");
    assert.equal(historyIcon(row({ lastTurn: "step_limit" }), false).id, "warning");
    assert.deepEqual(historyIcon(row({}), false), { id: "comment" });
    assert.deepEqual(historyIcon(row({}), true), { id: "comment-discussion" });
    assert.deepEqual(historyIcon(row({ messageCount: 0, lastTurn: null }), false), { id: "circle-outline" });
    assert.deepEqual(historyIcon(row({ archived: true, lastTurn: "failed" }), false), { id: "archive" });
  });

  test("the tooltip names the first prompt and the files, capped", () => {
    const lines = historyTooltip(fixed);
    assert.equal(lines[0], "First prompt: The add function subtracts");
    assert.equal(lines[1], "Files touched (3): calc.py, test_calc.py, docs/calc.md");
    const many = Array.from({ length: 50 }, (_, i) => `m${i}.py`);
    const busy = historyTooltip(row({ filesTouched: many, fileCount: 70 }));
    assert.match(busy[0], /^Files touched \(70\): m0\.py, .*m11\.py and 58 more$/);
  });

  test("the tooltip leaves the prompt out when the title is it", () => {
    const same = historyTooltip(row({ title: "Fix add function", firstPrompt: "Fix add function please" }));
    assert.ok(!same.some((line) => line.startsWith("First prompt")), same.join("\n"));
    assert.match(historyTooltip(row({ messageCount: 1 })).at(-1) ?? "", /^1 message · /);
  });

  test("a search hit without listing fields still gets a tooltip", () => {
    assert.deepEqual(historyTooltip({ id: "s1", title: "t" }), []);
  });
});
