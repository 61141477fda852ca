// One error card per failure (issue 15, VS Code 3): a provider error becomes a card with
// fix buttons, and the turn's "Failed: …" line is not repeated under it.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { settingId } from "../src/state/fixSetting";
import {
  type Action,
  type NoticeItem,
  type Transcript,
  type TurnEndItem,
  emptyTranscript,
  isProviderError,
  reduce,
} from "../src/state/transcript";
import { event, resetSeq } from "./helpers";

const run = (actions: Action[]): Transcript => actions.reduce(reduce, emptyTranscript("s1"));
const REASON = "Cannot connect to the OpenAI-compatible server at http://127.0.0.1:9/v1 (refused).";

beforeEach(() => resetSeq());

describe("error card", () => {
  test("a provider error is one card with fixes; the failed turn does not repeat it", () => {
    const state = run([
      { kind: "promptSent", text: "hi", steer: false },
      event("turn_started", { prompt: "hi", model: "openai/m" }),
      event("error", { message: REASON, code: -32003, fatal: true }),
      event("turn_failed", { reason: REASON, code: -32003 }),
      { kind: "promptEnded", status: "failed", reason: REASON, turnId: null },
    ]);
    const cards = state.items.filter((i) => i.kind === "notice") as NoticeItem[];
    assert.equal(cards.length, 1);
    assert.equal(cards[0].fixes, true);
    const ends = state.items.filter((i) => i.kind === "turnEnd") as TurnEndItem[];
    assert.equal(ends.length, 1);
    assert.equal(ends[0].shownAbove, true);
  });

  test("a failure with another reason still says it", () => {
    const state = run([
      { kind: "promptSent", text: "hi", steer: false },
      event("turn_started", { prompt: "hi", model: "openai/m" }),
      event("turn_failed", { reason: "the tool crashed" }),
    ]);
    const end = state.items.at(-1) as TurnEndItem;
    assert.equal(end.reason, "the tool crashed");
    assert.notEqual(end.shownAbove, true);
  });

  test("only provider codes offer provider fixes; settings map to the Settings UI", () => {
    assert.equal(isProviderError(-32003), true);
    assert.equal(isProviderError(-32006), true);
    assert.equal(isProviderError(-32002), false);
    assert.equal(isProviderError(null), false);
    assert.equal(settingId("openaiBaseUrl"), "tether.openaiBaseUrl");
    assert.equal(settingId("openaiApiKey"), "tether.provider");
    assert.equal(settingId(null), "tether.provider");
  });
});
