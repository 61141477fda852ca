"""The step limit: where a turn stopped, and the prompt that resumes it.

At the limit the turn appends a `checkpoint` record built from its own steps (no extra
model call, so it cannot fail): the request, the tool calls made, and the model's last
words, which are usually its plan or its state. `tether/session/continue` turns it into
a resume prompt for a new turn.
"""

from __future__ import annotations

import json
from typing import TypedDict

from tether.protocol.models import Message

MAX_DONE = 60
MAX_REMAINING_CHARS = 2_000
MAX_TASK_CHARS = 4_000


def describe_call(name: str, arguments: dict[str, object]) -> str:
    args = json.dumps(arguments, ensure_ascii=False)
    return f"{name}({args[:160] + '...' if len(args) > 160 else args})"


class CheckpointFields(TypedDict):
    """What a `checkpoint` record says of the turn (`Checkpoint(**fields, ...)`)."""

    task: str
    done: list[str]
    remaining: str


def checkpoint_fields(turn_messages: list[Message], task: str) -> CheckpointFields:
    """`task`, `done` and `remaining` of the checkpoint of a turn's messages."""
    done: list[str] = []
    failed: set[str] = set()
    for message in turn_messages:
        for result in message.tool_results:
            if result.is_error:
                failed.add(result.tool_call_id)
    remaining = ""
    for message in turn_messages:
        if message.role != "assistant":
            continue
        for call in message.tool_calls:
            mark = " (failed)" if call.id in failed else ""
            done.append(describe_call(call.name, call.arguments) + mark)
        if message.text.strip():
            remaining = message.text.strip()
    if len(done) > MAX_DONE:
        done = [f"... {len(done) - MAX_DONE + 1} earlier calls", *done[-(MAX_DONE - 1):]]
    return {"task": task[:MAX_TASK_CHARS], "done": done,
            "remaining": remaining[-MAX_REMAINING_CHARS:]}


def resume_prompt(task: str, done: list[str], remaining: str, steps: int) -> str:
    """The user message that continues a turn stopped at the step limit."""
    lines = [
        f"Continue the task you were working on; you stopped after {steps} steps (the step "
        "limit), not because it was finished.",
        "",
        f"The task:\n{task}",
    ]
    if done:
        lines += ["", "What you did so far (do not redo it):"] + [f"- {d}" for d in done]
    if remaining:
        lines += ["", f"Your last note before stopping:\n{remaining}"]
    lines += ["", "Pick up where you stopped and finish the task."]
    return "\n".join(lines)
