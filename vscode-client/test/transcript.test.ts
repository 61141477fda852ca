import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import type { LoadSessionResult, PermissionRequestParams } from "../src/protocol";
import {
  type Action,
  type AssistantItem,
  type PermissionItem,
  type ToolItem,
  type Transcript,
  type TurnEndItem,
  type UserItem,
  emptyTranscript,
  fromHistory,
  pendingPermissions,
  reduce,
} from "../src/state/transcript";
import { formatCost } from "../src/state/cost";
import { ev, event, message, resetSeq } from "./helpers";

function run(actions: Action[], start: Transcript = emptyTranscript("s1")): Transcript {
  return actions.reduce(reduce, start);
}


beforeEach(() => resetSeq());

describe("streaming", () => {
  test("a stream retry drops the partial message; the retry never repeats its text", () => {
    const state = run([
      { kind: "promptSent", text: "q", steer: false },
      event("turn_started", { prompt: "q" }),
      event("text_delta", { messageId: "m1", text: "The answer is forty-two, compu" }),
      event("stream_retry", { attempt: 1, reason: "stream dropped", discardMessageId: "m1" }),
      event("text_delta", { messageId: "m2", text: "The answer is forty-two, " }),
      event("text_delta", { messageId: "m2", text: "computed carefully." }),
    ]);
    const assistants = state.items.filter((i) => i.kind === "assistant") as AssistantItem[];
    assert.deepEqual(
      assistants.map((a) => [a.messageId, a.text]),
      [["m2", "The answer is forty-two, computed carefully."]],
    );
    assert.ok(state.items.some((i) => i.kind === "notice"));
  });

  test("deltas of one message coalesce into one assistant item, in order", () => {
    const state = run([
      { kind: "promptSent", text: "hi", steer: false },
      event("turn_started", { prompt: "hi", model: "openai/gpt" }),
      event("text_delta", { messageId: "m1", text: "Hel" }),
      event("text_delta", { messageId: "m1", text: "lo " }),
      event("reasoning_delta", { messageId: "m1", text: "think" }),
      event("text_delta", { messageId: "m1", text: "world" }),
    ]);
    const assistants = state.items.filter((i) => i.kind === "assistant") as AssistantItem[];
    assert.equal(assistants.length, 1);
    assert.equal(assistants[0].text, "Hello world");
    assert.equal(assistants[0].reasoning, "think");
    assert.equal(assistants[0].streaming, true);
    assert.equal(state.running, true);
    assert.equal(state.model, "openai/gpt");
    // The optimistic prompt became the turn's user item: no duplicate.
    assert.equal(state.items.filter((i) => i.kind === "user").length, 1);
  });

  test("an unchanged item keeps its identity so the view re-renders only what changed", () => {
    const a = run([
      event("turn_started", { prompt: "hi" }),
      event("text_delta", { messageId: "m1", text: "a" }),
    ]);
    const b = reduce(a, event("text_delta", { messageId: "m1", text: "b" }));
    assert.equal(a.items[0], b.items[0]);
    assert.notEqual(a.items[1], b.items[1]);
  });

  test("replayed events (seq at or below the last applied) are ignored", () => {
    const first = ev("text_delta", { messageId: "m1", text: "once" }, { seq: 5 });
    const state = run([
      { kind: "event", notification: first },
      { kind: "event", notification: first },
      event("text_delta", { messageId: "m1", text: "!" }, { seq: 3 }),
    ]);
    assert.equal((state.items[0] as AssistantItem).text, "once");
    assert.equal(state.lastSeq, 5);
  });

  test("events of another session are ignored", () => {
    const state = run([event("text_delta", { messageId: "m1", text: "x" }, { sessionId: "s2" })]);
    assert.equal(state.items.length, 0);
  });

  test("message_added finishes the streamed message with the durable text", () => {
    const state = run([
      event("text_delta", { messageId: "m1", text: "partial" }),
      event("message_added", {
        message: message("m1", "assistant", [
          { type: "thinking", text: "hmm" },
          { type: "text", text: "partial and complete" },
        ]),
      }),
    ]);
    const a = state.items[0] as AssistantItem;
    assert.equal(a.text, "partial and complete");
    assert.equal(a.reasoning, "hmm");
    assert.equal(a.streaming, false);
  });

  test("usage feeds the context gauge", () => {
    const state = run([
      event("usage", {
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        total: { promptTokens: 100, completionTokens: 50, totalTokens: 150 },
        contextTokens: 1200,
        contextWindow: 8000,
      }),
    ]);
    assert.deepEqual(state.gauge, {
      contextTokens: 1200,
      contextWindow: 8000,
      totalTokens: 150,
      sessionCost: null,
    });
  });

  test("a priced model's session cost reaches the gauge", () => {
    const state = run([
      event("usage", {
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        total: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        cost: 0.0012,
        turnCost: 0.0012,
        sessionCost: 0.0042,
      }),
    ]);
    assert.equal(state.gauge.sessionCost, 0.0042);
    assert.equal(formatCost(0.0042), "$0.0042");
    assert.equal(formatCost(12.345), "$12.35");
  });
});

describe("tools", () => {
  test("a tool call shows status, output chunks, duration and its edits", () => {
    let state = run([
      event("turn_started", { prompt: "edit" }),
      event("tool_call_started", { toolCallId: "c1", name: "edit", arguments: { path: "a.py" } }),
      event("tool_output_chunk", { toolCallId: "c1", text: "line 1\n" }),
      event("tool_heartbeat", { toolCallId: "c1", elapsedMs: 1500 }),
    ]);
    let tool = state.items[1] as ToolItem;
    assert.equal(tool.status, "running");
    assert.equal(tool.output, "line 1\n");
    assert.equal(tool.elapsedMs, 1500);
    state = run(
      [
        event("file_edited", {
          toolCallId: "c1",
          uri: "file:///w/a.py",
          diff: "@@ -1 +1 @@\n-a\n+b\n",
          applied: true,
        }),
        event("tool_call_completed", {
          toolCallId: "c1",
          name: "edit",
          success: true,
          durationMs: 42,
          output: "edited a.py",
        }),
      ],
      state,
    );
    tool = state.items[1] as ToolItem;
    assert.equal(tool.status, "done");
    assert.equal(tool.durationMs, 42);
    assert.equal(tool.output, "edited a.py");
    assert.equal(tool.edits.length, 1);
    assert.equal(tool.edits[0].applied, true);
  });

  test("a failed tool call is marked failed", () => {
    const state = run([
      event("tool_call_started", { toolCallId: "c1", name: "run_command" }),
      event("tool_call_completed", {
        toolCallId: "c1",
        name: "run_command",
        success: false,
        durationMs: 3,
        output: "exit 1",
      }),
    ]);
    assert.equal((state.items[0] as ToolItem).status, "failed");
  });
});

describe("terminal states", () => {
  for (const [type, status, fields] of [
    ["turn_completed", "completed", { reason: "end_turn", text: "done" }],
    ["turn_cancelled", "cancelled", { reason: "cancelled by user" }],
    ["turn_failed", "failed", { reason: "provider down", code: -32003 }],
    ["step_limit_reached", "step_limit", { reason: "50 steps", steps: 50 }],
  ] as const) {
    test(`${type} ends the turn as ${status}`, () => {
      const state = run([
        { kind: "promptSent", text: "go", steer: false },
        event("turn_started", { prompt: "go" }),
        event("text_delta", { messageId: "m1", text: "wor" }),
        event("tool_call_started", { toolCallId: "c1", name: "run_command" }),
        event(type, fields),
      ]);
      assert.equal(state.running, false);
      const end = state.items.at(-1) as TurnEndItem;
      assert.equal(end.kind, "turnEnd");
      assert.equal(end.status, status);
      assert.equal(end.reason, fields.reason);
      const assistant = state.items.find((i) => i.kind === "assistant") as AssistantItem;
      assert.equal(assistant.streaming, false);
      assert.equal(assistant.interrupted, status !== "completed");
      const tool = state.items.find((i) => i.kind === "tool") as ToolItem;
      assert.equal(tool.status, "failed");
    });
  }

  test("the prompt answer after the terminal event adds nothing", () => {
    const ended = run([
      event("turn_started", { prompt: "go" }),
      event("turn_completed", { reason: "end_turn" }),
    ]);
    const after = reduce(ended, {
      kind: "promptEnded",
      status: "completed",
      reason: "",
      turnId: "t1",
    });
    assert.equal(after, ended);
  });

  test("a prompt that ends without events (server error) still ends the turn", () => {
    const state = run([
      { kind: "promptSent", text: "go", steer: false },
      { kind: "promptEnded", status: "failed", reason: "no provider", turnId: null },
    ]);
    assert.equal(state.running, false);
    assert.equal((state.items.at(-1) as TurnEndItem).reason, "no provider");
  });

  test("losing the server ends a running turn", () => {
    const state = run([
      event("turn_started", { prompt: "go" }),
      { kind: "serverLost" },
    ]);
    assert.equal(state.running, false);
    assert.equal((state.items.at(-1) as TurnEndItem).status, "failed");
  });
});

describe("permissions", () => {
  const params = {
    sessionId: "s1",
    toolCallId: "c9",
    tool: "edit",
    description: "Edit a.py",
    diff: "@@ -1 +1 @@\n-a\n+b\n",
    options: ["allow_once", "allow_always", "reject"],
  } as unknown as PermissionRequestParams;

  test("event then request: one prompt, awaiting an answer", () => {
    const state = run([
      event("permission_requested", {
        toolCallId: "c9",
        tool: "edit",
        description: "Edit a.py",
        diff: params.diff,
      }),
      { kind: "permissionAsked", params },
    ]);
    const perms = state.items.filter((i) => i.kind === "permission") as PermissionItem[];
    assert.equal(perms.length, 1);
    assert.equal(perms[0].state, "pending");
    assert.equal(perms[0].awaitingAnswer, true);
    assert.equal(pendingPermissions(state).length, 1);
  });

  test("request then event, answered, then resolved", () => {
    const state = run([
      { kind: "permissionAsked", params },
      event("permission_requested", { toolCallId: "c9", tool: "edit", description: "Edit a.py" }),
      { kind: "permissionAnswered", toolCallId: "c9", option: "allow_once" },
      event("permission_resolved", { toolCallId: "c9", option: "allow_once" }),
    ]);
    const perms = state.items.filter((i) => i.kind === "permission") as PermissionItem[];
    assert.equal(perms.length, 1);
    assert.equal(perms[0].state, "allow_once");
    assert.equal(perms[0].awaitingAnswer, false);
    assert.equal(pendingPermissions(state).length, 0);
  });

  test("a pending prompt expires when the turn ends", () => {
    const state = run([
      event("turn_started", { prompt: "x" }),
      { kind: "permissionAsked", params },
      event("turn_cancelled", { reason: "cancelled by user" }),
    ]);
    const perm = state.items.find((i) => i.kind === "permission") as PermissionItem;
    assert.equal(perm.state, "expired");
  });
});

describe("the optimistic prompt reconciles by its client message id", () => {
  const sent = (text: string, clientMessageId: string): Action => ({
    kind: "promptSent",
    text,
    steer: false,
    clientMessageId,
  });
  const userMessage = (id: string, text: string, turnId: string) =>
    event("message_added", { message: message(id, "user", [{ type: "text", text }], { turnId }) }, { turnId });
  const users = (state: Transcript) => state.items.filter((i): i is UserItem => i.kind === "user");

  for (const [how, echoed] of [
    ["by the id the server echoes", true],
    ["by the text, when the server echoes no id (older server, old history)", false],
  ] as const) {
    test(`two identical prompts in a row reconcile to their own turns and messages, ${how}`, () => {
      const started = (id: string, turnId: string) =>
        event("turn_started", { prompt: "same", ...(echoed ? { clientMessageId: id } : {}) }, { turnId });
      const state = run([
        sent("same", "c1"),
        started("c1", "t1"),
        userMessage("u1", "same", "t1"),
        event("turn_completed", { reason: "end_turn" }, { turnId: "t1" }),
        sent("same", "c2"),
        started("c2", "t2"),
        userMessage("u2", "same", "t2"),
      ]);
      assert.deepEqual(
        users(state).map((u) => [u.clientMessageId, u.turnId, u.messageId]),
        [
          ["c1", "t1", "u1"],
          ["c2", "t2", "u2"],
        ],
      );
    });
  }

  test("a steer with the prompt's text, sent before the prompt's message came, keeps its own", () => {
    const state = run([
      sent("same", "c1"),
      event("turn_started", { prompt: "same", clientMessageId: "c1" }, { turnId: "t1" }),
      { kind: "promptSent", text: "same", steer: true },
      userMessage("u1", "same", "t1"),
      userMessage("u2", "same", "t1"),
    ]);
    assert.deepEqual(
      users(state).map((u) => [u.steer ?? false, u.messageId]),
      [
        [false, "u1"],
        [true, "u2"],
      ],
    );
  });

  test("another window's turn with the same text does not take this window's prompt", () => {
    const theirs = event("turn_started", { prompt: "go", clientMessageId: "theirs" }, { turnId: "t9" });
    const state = run([sent("go", "mine"), theirs]);
    const bound = users(state).map((u) => [u.clientMessageId, u.turnId]);
    assert.deepEqual(bound, [["mine", undefined], [undefined, "t9"]]);
  });

  test("the id decides even where the text differs", () => {
    const ours = event("turn_started", { prompt: "go (with context)", clientMessageId: "c1" }, { turnId: "t1" });
    const state = run([sent("go", "c1"), ours]);
    assert.deepEqual(users(state).map((u) => [u.text, u.turnId]), [["go", "t1"]]);
  });
});

describe("steering and history", () => {
  test("steer text shows once, linked to its durable message", () => {
    const state = run([
      { kind: "promptSent", text: "go", steer: false },
      event("turn_started", { prompt: "go" }),
      { kind: "promptSent", text: "also tests", steer: true },
      event("message_added", {
        message: message("u2", "user", [{ type: "text", text: "also tests" }]),
      }),
    ]);
    const users = state.items.filter((i) => i.kind === "user");
    assert.equal(users.length, 2);
  });

  test("attached files show on the user's message, with 1-based line ranges", () => {
    const state = run([
      { kind: "promptSent", text: "what?", steer: false },
      event("message_added", {
        message: message("u1", "user", [
          { type: "text", text: "what?" },
          { type: "file", uri: "file:///w/a%20b.py", rangeStartLine: 2, rangeEndLine: 4 },
          { type: "file", uri: "file:///w/c.py" },
        ]),
      }),
    ]);
    const user = state.items[0] as UserItem;
    assert.deepEqual(user.attachments, ["a b.py:3-5", "c.py"]);
  });

  test("a session opened mid-turn adopts the running turn from its events", () => {
    const loaded = fromHistory({
      session: { id: "s1", title: "t", model: "", workspaceFolder: "/w" },
      messages: [message("u1", "user", [{ type: "text", text: "go" }])],
      truncated: false,
      lastSeq: 3,
    } as unknown as LoadSessionResult);
    assert.equal(loaded.running, false);
    const live = reduce(loaded, event("text_delta", { messageId: "m9", text: "still" }, { seq: 4, turnId: "t7" }));
    assert.equal(live.running, true);
    assert.equal(live.turnId, "t7");
    const ended = reduce(live, event("turn_completed", { reason: "end_turn" }, { seq: 5, turnId: "t7" }));
    assert.equal(ended.running, false);
    // A late event of the ended turn does not revive it.
    const late = reduce(ended, event("tool_heartbeat", { toolCallId: "c", elapsedMs: 1 }, { seq: 6, turnId: "t7" }));
    assert.equal(late.running, false);
  });

  test("rewound turns of a loaded session stay, marked", () => {
    const state = fromHistory({
      session: { id: "s1", title: "t", model: "", workspaceFolder: "/w" },
      messages: [
        message("u1", "user", [{ type: "text", text: "kept" }], { turnId: "t1" }),
        message("u2", "user", [{ type: "text", text: "undone" }], { turnId: "t2" }),
        message("a2", "assistant", [{ type: "text", text: "did it" }], { turnId: "t2" }),
      ],
      truncated: false,
      lastSeq: 9,
      rewoundTurnIds: ["t2"],
    } as unknown as LoadSessionResult);
    assert.deepEqual(state.items.map((i) => i.kind), ["user", "notice", "user", "assistant"]);
    assert.match((state.items[1] as { text: string }).text, /^Rewound/);
  });

  test("a loaded session rebuilds user, assistant and tool items", () => {
    const result = {
      session: { id: "s1", title: "Fix it", model: "openai/x", workspaceFolder: "/w" },
      messages: [
        message("u1", "user", [{ type: "text", text: "fix a.py" }]),
        message("a1", "assistant", [
          { type: "text", text: "Looking." },
          { type: "tool_call", id: "c1", name: "read_file", arguments: { path: "a.py" } },
        ]),
        message("r1", "tool", [{ type: "tool_result", toolCallId: "c1", content: "print(1)" }]),
        message("a2", "assistant", [{ type: "text", text: "Done" }], { interrupted: true }),
      ],
      truncated: false,
      lastSeq: 17,
    } as unknown as LoadSessionResult;
    const state = fromHistory(result);
    assert.equal(state.title, "Fix it");
    assert.equal(state.lastSeq, 17);
    assert.deepEqual(
      state.items.map((i) => i.kind),
      ["user", "assistant", "tool", "assistant", "turnEnd"],
    );
    const tool = state.items[2] as ToolItem;
    assert.equal(tool.status, "done");
    assert.equal(tool.output, "print(1)");
    // Live events continue from lastSeq; older ones are replays.
    const next = reduce(state, {
      kind: "event",
      notification: ev("text_delta", { messageId: "a3", text: "old" }, { seq: 10 }),
    });
    assert.equal(next, state);
  });
});
