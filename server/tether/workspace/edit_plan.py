"""Deciding what an agent edit becomes, given the file's text now: a pure function.

Every bridge (disk, an ACP client's files) has the same checks before it writes: the
file was deleted or created since the agent read it, or it changed and the edit must be
rebased (3-way) onto the new text or refused. They decide here and only deliver.
"""

from __future__ import annotations

from dataclasses import dataclass

from tether.workspace.bridge import EditOutcome, FileEdit
from tether.workspace.rebase import rebase


@dataclass(frozen=True)
class Write:
    """Write `text` (the agent's edit, merged onto newer text when `rebased`)."""

    text: str
    rebased: bool


def plan_edit(
    edit: FileEdit, current: str | None, name: str, where: str = ""
) -> Write | EditOutcome:
    """A `Write`, or the refusal (an `EditOutcome` with applied=False) to report.

    `where` (" on disk") says where the text changed, in the messages."""
    base = edit.base
    if current is None and base.exists:
        return EditOutcome(
            applied=False,
            message=f"not applied: {name} was deleted{where} since the agent read it",
        )
    if current is not None and not base.exists and current != edit.new_text:
        return EditOutcome(
            applied=False,
            message=f"not applied: {name} was created{where} since the agent read it; "
            "read it and edit it instead",
        )
    if current is not None and base.exists and current != base.text:
        result = rebase(base.text, current, edit.new_text)
        if not result.ok or result.text is None:
            return EditOutcome(
                applied=False,
                message=f"not applied: {name}: {result.message}; read it again and redo the edit",
            )
        return Write(result.text, rebased=True)
    return Write(edit.new_text, rebased=False)


def applied(write: Write, name: str, where: str = "") -> EditOutcome:
    """The outcome of a delivered `Write`."""
    message = (f"{name} changed{where} since the agent read it; the edit was merged onto it"
               if write.rebased else "")
    return EditOutcome(applied=True, message=message, rebased=write.rebased,
                       final_text=write.text)
