import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { mentionAt } from "../src/webview/mentions";

describe("@ mentions in the chat input", () => {
  test("the token before the caret", () => {
    assert.deepEqual(mentionAt("fix @src/ap", 11), { start: 4, prefix: "src/ap" });
    assert.deepEqual(mentionAt("@", 1), { start: 0, prefix: "" });
    assert.deepEqual(mentionAt("see (@greet", 11), { start: 5, prefix: "greet" });
  });

  test("not in a mail address, not after a space", () => {
    assert.equal(mentionAt("mail me@example.com", 19), null);
    assert.equal(mentionAt("@src/app.py and", 15), null);
  });
});
