import assert from "node:assert/strict";
import { test } from "node:test";

import { markedSnippet } from "../src/history/snippet";

test("a search snippet marks each highlighted range", () => {
  const hit = {
    sessionId: "s1",
    title: "t",
    snippet: "the file says xylophonic here and xylophonic",
    highlights: [
      [14, 24],
      [34, 44],
    ],
    kind: "tool_output",
    archived: false,
  };
  assert.equal(markedSnippet(hit), "the file says «xylophonic» here and «xylophonic»");
  assert.equal(markedSnippet({ ...hit, highlights: [] }), hit.snippet);
});
