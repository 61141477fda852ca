"""The derived view, piece by piece: repair, stubs, policies, compaction cuts, budgets."""

from __future__ import annotations

from pathlib import Path

from tether.protocol.models import Message, TextPart, ToolCallPart, ToolResultPart
from tether.providers.context_limit import is_context_length_error, named_limit, named_prompt_tokens
from tether.session.budget import TokenCalibration, WindowState, plan_budget
from tether.session.checkpoint import checkpoint_fields, resume_prompt
from tether.session.compaction import SummaryFailed, check_summary, render_transcript
from tether.session.context import (
    MISSING_RESULT,
    SUMMARY_HEADER,
    SummaryRef,
    TokenCache,
    ViewRequest,
    compaction_cut,
    derive_view,
    repair,
)
from tether.session.pins import ContextState, pinned_section
from tether.session.rules import read_rules, rules_section
from tether.workspace.disk_bridge import DiskBridge
from tether.workspace.folder import WorkspaceFolder

BIG = "x" * 8000  # ~2000 tokens


def user(i: str, text: str = "q") -> Message:
    return Message(id=i, role="user", parts=[TextPart(text=text)], turn_id="t")


def call(i: str, cid: str, path: str = "a.py") -> Message:
    return Message(id=i, role="assistant", turn_id="t",
                   parts=[ToolCallPart(id=cid, name="read_file", arguments={"path": path})])


def result(i: str, cid: str, content: str = BIG) -> Message:
    return Message(id=i, role="tool", turn_id="t",
                   parts=[ToolResultPart(tool_call_id=cid, content=content)])


def answer(i: str, text: str = "done") -> Message:
    return Message(id=i, role="assistant", parts=[TextPart(text=text)], turn_id="t")


def long_turn(n: int) -> list[Message]:
    msgs = [user("u", "the task")]
    for k in range(n):
        msgs += [call(f"a{k}", f"c{k}", f"f{k}.py"), result(f"r{k}", f"c{k}")]
    return msgs


def pairs_ok(messages: list[Message]) -> bool:
    open_calls: set[str] = set()
    for m in messages:
        if m.role == "tool":
            for r in m.tool_results:
                if r.tool_call_id not in open_calls:
                    return False
                open_calls.discard(r.tool_call_id)
        else:
            if open_calls:
                return False
            open_calls = {c.id for c in m.tool_calls}
    return not open_calls


def test_repair_drops_orphan_results_and_answers_open_calls() -> None:
    view = repair([result("r0", "gone"), user("u"), call("a1", "c1"), user("u2")])
    assert [m.id for m in view][:2] == ["u", "a1"]
    assert view[2].tool_results[0].content == MISSING_RESULT
    assert pairs_ok(view)


def test_stubs_replace_old_outputs_first_and_keep_the_newest_whole() -> None:
    history = long_turn(6)
    d = derive_view(ViewRequest(history=history, fixed_tokens=500, budget=5000), TokenCache())
    assert d.fits and d.dropped_messages == 0 and d.stubbed_outputs >= 3
    assert d.messages[-1].tool_results[0].content == BIG  # not acted on yet: whole
    stub = d.messages[2].tool_results[0].content
    assert "read_file" in stub and "f0.py" in stub and "again" in stub
    assert history[2].tool_results[0].content == BIG  # history untouched
    assert pairs_ok(d.messages)


def test_full_policy_never_stubs_and_truncates_whole_units() -> None:
    d = derive_view(ViewRequest(history=long_turn(6), fixed_tokens=500, budget=5000,
                                policy="full"), TokenCache())
    assert d.stubbed_outputs == 0 and d.dropped_messages > 0
    assert pairs_ok(d.messages) and d.messages[0].role == "user"


def test_incremental_reports_does_not_fit_instead_of_truncating() -> None:
    d = derive_view(ViewRequest(history=long_turn(100), fixed_tokens=500, budget=5000),
                    TokenCache(), allow_truncation=False)
    assert not d.fits and d.dropped_messages == 0


def test_summary_leads_the_view_and_replaces_what_it_covers() -> None:
    history = long_turn(6)
    summary = SummaryRef(text="did things", up_to_message_id="r3")
    d = derive_view(ViewRequest(history=history, fixed_tokens=100, budget=50_000,
                                summary=summary), TokenCache())
    assert d.messages[0].role == "user" and SUMMARY_HEADER in d.messages[0].text
    assert [m.id for m in d.messages[1:]] == ["a4", "r4", "a5", "r5"]
    assert d.summarized_messages == 9  # the task message and four call pairs


def test_reset_policy_keeps_only_the_current_exchange() -> None:
    history = [user("old", "earlier question"), answer("old-a"), *long_turn(1)]
    d = derive_view(ViewRequest(history=history, fixed_tokens=100, budget=50_000,
                                policy="reset", turn_start_id="u"), TokenCache())
    assert [m.id for m in d.messages] == ["u", "a0", "r0"]


def test_compaction_cut_keeps_newest_units_and_never_splits_a_call() -> None:
    history = long_turn(6)
    cut = compaction_cut(history, TokenCache(), keep_tokens=4100)
    assert cut is not None and history[cut].role == "tool"
    assert history[cut + 1].role == "assistant"
    assert compaction_cut(history[:3], TokenCache(), keep_tokens=10) == 0
    assert compaction_cut([user("u")], TokenCache(), keep_tokens=10) is None


def test_budget_and_calibration() -> None:
    b = plan_budget(12_000, 2000)
    assert b.reserve == 2000 and b.tokens == 12_000 - 2000 - b.margin
    assert plan_budget(8000, 100_000).reserve == 2000
    cal = TokenCalibration()
    cal.observe(1000, 1200)
    assert cal.scale(1000) == 1200
    cal.observe(1000, 10)
    assert cal.ratio == 0.8
    w = WindowState(32_768)
    assert w.lower_to(12_000) and w.window == 12_000 and w.source == "provider_error"
    assert not w.lower_to(None) and not w.lower_to(20_000)


def test_context_length_errors_of_both_wire_formats() -> None:
    openai = ('{"error":{"message":"This model\'s maximum context length is 12000 tokens. '
              'However, your messages resulted in 15000 tokens...","type":'
              '"invalid_request_error","code":"context_length_exceeded"}}')
    anthropic = ('{"type":"error","error":{"type":"invalid_request_error","message":'
                 '"prompt is too long: 15000 tokens > 12000 maximum"}}')
    for body in (openai, anthropic):
        assert is_context_length_error(400, body)
        assert named_limit(body) == 12_000 and named_prompt_tokens(body) == 15_000
    assert not is_context_length_error(400, '{"error":{"message":"bad tool schema"}}')
    assert not is_context_length_error(500, openai)


def test_summary_checks_and_transcript_keeps_the_newest() -> None:
    for bad in ("", "   ", "ok"):
        try:
            check_summary(bad)
        except SummaryFailed:
            continue
        raise AssertionError(f"{bad!r} accepted as a summary")
    text = render_transcript(long_turn(20), "before", max_chars=6000)
    assert text.startswith("Summary of what came before:\nbefore")
    assert "f19.py" in text and "older messages left out" in text and len(text) < 8000


def test_checkpoint_and_resume_prompt() -> None:
    msgs = [*long_turn(2), answer("n", "Next I will read f2.py.")]
    fields = checkpoint_fields(msgs, "the task")
    assert fields["done"] == ['read_file({"path": "f0.py"})', 'read_file({"path": "f1.py"})']
    assert fields["remaining"] == "Next I will read f2.py."
    prompt = resume_prompt("the task", fields["done"], "Next I will read f2.py.", 2)  # type: ignore[arg-type]
    assert "the task" in prompt and "f1.py" in prompt and "do not redo" in prompt


def test_pins_fold_and_section() -> None:
    state = ContextState.from_records([
        {"type": "message_added", "sessionId": "s", "seq": 1,
         "message": {"id": "m", "role": "user", "parts": [{"type": "text", "text": "Task!"}]}},
        {"type": "pin", "sessionId": "s", "seq": 2, "pinId": "p1", "text": "one"},
        {"type": "pin", "sessionId": "s", "seq": 3, "pinId": "p2", "text": "two"},
        {"type": "unpin", "sessionId": "s", "seq": 4, "pinId": "p1"},
        {"type": "pin", "sessionId": "s", "seq": 5},  # damaged: skipped
    ])
    assert state.task == "Task!" and state.pins == {"p2": "two"}
    section = pinned_section(state, "Task!")
    assert "Task!" in section and "two" in section and "one" not in section


async def test_rules_files_nearest_agents_and_caps(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg" / "deep").mkdir(parents=True)
    (root / ".cursor" / "rules").mkdir(parents=True)
    (root / ".github").mkdir()
    (root / "AGENTS.md").write_text("root rules")
    (root / "CLAUDE.md").write_text("claude rules")
    (root / ".cursorrules").write_text("cursor legacy")
    (root / ".cursor" / "rules" / "style.mdc").write_text("mdc rule")
    (root / ".github" / "copilot-instructions.md").write_text("copilot rules")
    (root / "pkg" / "AGENTS.md").write_text("pkg rules " + "y" * 20_000)
    folder = WorkspaceFolder.at(root)
    rules = await read_rules(folder, DiskBridge(), ["pkg/deep/mod.py"])
    assert [r.path for r in rules] == ["AGENTS.md", "CLAUDE.md", ".cursorrules",
                                       ".github/copilot-instructions.md",
                                       ".cursor/rules/style.mdc", "pkg/AGENTS.md"]
    assert rules[-1].truncated and len(rules[-1].text) < 9000
    assert "root rules" in rules_section(rules)
    assert [r.path for r in await read_rules(folder, DiskBridge(), [])][-1] == (
        ".cursor/rules/style.mdc")


def test_recall_returns_the_full_output_a_page_at_a_time() -> None:
    from tether.session.recall import PAGE_CHARS, recall

    history = [*long_turn(2), result("big", "c9", "z" * (PAGE_CHARS + 10))]
    assert recall(history, {"tool_call_id": "c1"}).content == BIG
    first = recall(history, {"tool_call_id": "c9"})
    assert first.content.startswith("z" * PAGE_CHARS) and f"offset={PAGE_CHARS}" in first.content
    assert recall(history, {"tool_call_id": "c9", "offset": PAGE_CHARS}).content == "z" * 10
    assert recall(history, {"tool_call_id": "nope"}).is_error
    assert recall(history, {}).is_error and recall(history, {"tool_call_id": "c1",
                                                             "offset": -1}).is_error
