// History rows are distinguishable (issue 15, VS Code 6): model, message count, time, and
// empty sessions marked.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { SessionSummary } from "../src/protocol";
import { historyDescription, isEmptySession } from "../src/state/historyLabel";

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
