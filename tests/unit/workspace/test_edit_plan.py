"""plan_edit: the one conflict policy both bridges deliver."""

from __future__ import annotations

from pathlib import Path

from tether.workspace.bridge import DocumentSnapshot
from tether.workspace.edit_plan import Apply, Refuse, plan_edit

P = Path("/w/a.py")


def snap(text: str, exists: bool = True) -> DocumentSnapshot:
    return DocumentSnapshot(path=P, text=text, version=None, exists=exists)


def test_unchanged_file_takes_the_edit() -> None:
    assert plan_edit(snap("a\n"), "a\n", "b\n") == Apply("b\n")


def test_deleted_since_read_is_refused() -> None:
    plan = plan_edit(snap("a\n"), None, "b\n")
    assert isinstance(plan, Refuse) and plan.reason == "deleted"
    assert "was deleted on disk" in plan.message("a.py", "on disk")


def test_new_file_is_created_unless_someone_else_did() -> None:
    assert plan_edit(snap("", exists=False), None, "x\n") == Apply("x\n")
    assert plan_edit(snap("", exists=False), "x\n", "x\n") == Apply("x\n", unchanged=True)
    plan = plan_edit(snap("", exists=False), "y\n", "x\n")
    assert isinstance(plan, Refuse) and plan.reason == "created"


def test_newer_text_is_rebased_or_refused_on_overlap() -> None:
    plan = plan_edit(snap("a\nb\nc\n"), "a\nb\nC\n", "A\nb\nc\n")
    assert plan == Apply("A\nb\nC\n", rebased=True)
    assert "merged" in plan.note("a.py", "in the editor")
    clash = plan_edit(snap("a\nb\nc\n"), "X\nb\nc\n", "A\nb\nc\n")
    assert isinstance(clash, Refuse) and clash.reason == "conflict"
    assert "line 1" in clash.message("a.py", "in the editor")


def test_nothing_to_do_is_said() -> None:
    assert plan_edit(snap("a\n"), "a\n", "a\n") == Apply("a\n", unchanged=True)
