"""The one conflict policy for a whole-file agent edit: apply it (maybe rebased) or refuse.

Both bridges (the editor's over LSP, the disk's for the CLI and tests) decide here, then
deliver: the agent computed `new` against `base` (what it read); `current` is what the
buffer or the disk holds now (None: the file is gone). Pure: no I/O, no editor, so the
rules are tested once and the bridges keep only their delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tether.workspace.bridge import DocumentSnapshot
from tether.workspace.rebase import rebase

RefuseReason = Literal["deleted", "created", "conflict"]


@dataclass(frozen=True)
class Apply:
    """Deliver `text`; `rebased` when it was merged onto text newer than the agent's read."""

    text: str
    rebased: bool = False
    unchanged: bool = False  # the file already holds `text`: nothing to deliver

    def note(self, name: str, where: str) -> str:
        """What the model is told beside the diff (empty unless rebased)."""
        if not self.rebased:
            return ""
        return f"{name} changed {where} since the agent read it; the edit was merged onto it"


@dataclass(frozen=True)
class Refuse:
    """Do not deliver; `message` says why in words the model can act on."""

    reason: RefuseReason
    detail: str = ""

    def message(self, name: str, where: str) -> str:
        if self.reason == "deleted":
            return f"not applied: {name} was deleted {where} since the agent read it"
        if self.reason == "created":
            return (f"not applied: {name} was created {where} since the agent read it; "
                    "read it and edit it instead")
        return (f"not applied: {name} changed {where} since the agent read it and the "
                f"changes overlap ({self.detail}); read it again and redo the edit")


def plan_edit(base: DocumentSnapshot, current: str | None, new: str) -> Apply | Refuse:
    """Decide what to do with the agent's `base` → `new` given the file's `current` text."""
    if current is None:
        return Refuse("deleted") if base.exists else Apply(new)
    if not base.exists:
        return Apply(new, unchanged=True) if current == new else Refuse("created")
    if current == base.text:
        return Apply(new, unchanged=current == new)
    merged = rebase(base.text, current, new)
    if not merged.ok or merged.text is None:
        return Refuse("conflict", merged.message)
    return Apply(merged.text, rebased=True, unchanged=merged.text == current)
