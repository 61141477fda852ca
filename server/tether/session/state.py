"""What the engine keeps in memory for one session between and during turns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tether.protocol.methods import TurnResult
from tether.protocol.models import Message, SessionInfo
from tether.session.emitter import EventEmitter
from tether.session.pins import ContextState


@dataclass
class SessionState:
    info: SessionInfo
    messages: list[Message]  # the loaded tail of the history, appended to as the turn goes
    emitter: EventEmitter
    always_allowed: set[str] = field(default_factory=set)  # "allow always" answers
    steer_queue: list[str] = field(default_factory=list)  # joins the turn at its next step
    task: asyncio.Task[TurnResult] | None = None
    turn_id: str | None = None
    cancelling: bool = False
    finishing: bool = False  # the terminal record is being written: steers start a new turn
    started: asyncio.Event = field(default_factory=asyncio.Event)  # set once the task runs
    context: ContextState = field(default_factory=ContextState)  # pins, summary, checkpoint

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()
