"""The one ordered path from engine events to the client's `session/update`s.

Engine listeners are synchronous and must not block a turn; ACP notifications are
awaited writes. Events are queued here and one task converts and sends them in order.
Anything else that must appear in that order (a terminal embedded in a tool call) is
queued the same way, and `flush` lets a request wait until the client has everything
sent before it (a permission prompt after its pending tool call, the prompt's answer
after the turn's last chunk).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from acp.interfaces import Client

from tether.acp.convert import AcpUpdate, UpdateConverter
from tether.protocol.events import EventBase, SessionEvent

log = logging.getLogger(__name__)

Item = tuple[str, SessionEvent | AcpUpdate]


class UpdateSender:
    """Queues session events of the sessions this connection serves; sends them in order."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.converters: dict[str, UpdateConverter] = {}
        self._queue: asyncio.Queue[Item] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def serve(self, session_id: str, root: Path) -> UpdateConverter:
        """Start forwarding `session_id`'s events (new, or loaded into this connection)."""
        converter = self.converters.get(session_id)
        if converter is None:
            converter = self.converters[session_id] = UpdateConverter(root=root)
        return converter

    def __call__(self, event: SessionEvent) -> None:
        """The engine listener: events of sessions this connection serves are queued."""
        if event.session_id in self.converters:
            self._put((event.session_id, event))

    def send(self, session_id: str, update: AcpUpdate) -> None:
        self._put((session_id, update))

    def _put(self, item: Item) -> None:
        self._queue.put_nowait(item)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self, session_id: str | None = None) -> None:
        """Wait until everything queued so far has been written to the client."""
        await self._queue.join()

    async def _drain(self) -> None:
        while True:
            session_id, item = await self._queue.get()
            try:
                converter = self.converters.get(session_id)
                updates: list[AcpUpdate]
                if not isinstance(item, EventBase):
                    updates = [item]
                elif converter is not None:
                    updates = converter.convert(item)
                else:
                    updates = []
                for update in updates:
                    await self.client.session_update(session_id=session_id, update=update)
            except Exception:  # a closed connection or a bug: the turn goes on
                log.exception("could not send a session/update for %s", session_id)
            finally:
                self._queue.task_done()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
