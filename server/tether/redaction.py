"""The one place that knows every secret and masks it, wherever text leaves the server.

Invariant 6 says keys never reach history, logs or events. They can arrive from anywhere
(a provider echoing the key in an error, a model repeating it, a command printing it),
so instead of trusting every producer, every exit passes through `REDACTOR`:

    error messages        TetherError.__init__ (errors.py), the JSON-RPC boundary
    events                EventEmitter (session/emitter.py), streamed deltas included
    history records       encode_record (store/records.py), the one line encoder
    log lines, any level  RedactingFilter on the root handler (lsp/cli.py, cli.py)
    tool output           the turn (session/turn.py) and run_command's stored output

It knows the configured secrets (API keys from settings, environment or editor: every
`SecretStr` a `Settings` holds registers itself; `TETHER_TOKEN`; keys handed to a
provider) and, as a second line of defence, masks common key shapes (`sk-…`, `sk-ant-…`,
`Bearer …`). One compiled alternation does it all, so text without a secret costs a
single regex scan in C.

Streams: a key can straddle two deltas ("…tq3a2b" + "5f37…"), and each half alone
matches nothing. `StreamRedactor` holds back the shortest tail that could still become
a secret (a prefix of a known secret, or an unfinished key shape) until the next chunk
or the end of the stream decides; text that cannot start a secret goes out at once.

Secrets shorter than `MIN_SECRET_LENGTH` are not masked in text: a 4-character "key"
is no credential, and masking it would mangle ordinary words.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, SecretStr

from tether import secret_env

PLACEHOLDER = "***"
MIN_SECRET_LENGTH = 8
MAX_SECRETS = 64  # old keys stay masked after a change; this only bounds the list
SHAPE_HOLD = 400  # longest key-shaped tail held back in a stream (sk-proj keys ~170)

# Key shapes: the prefix is kept ("sk-***"), so a reader still sees a key was there.
# sk- keys need 20+ key characters including a digit: kebab-case names do not match.
_SHAPES = (
    r"(?P<skp>\bsk-(?:ant-(?:api\d\d-)?|proj-)?)(?=[A-Za-z0-9_\-]*\d)[A-Za-z0-9_\-]{20,}"
    r"|(?P<bp>\bBearer[ \t]+)[A-Za-z0-9._~+/\-]{16,}=*"
)
# A tail that may still grow into a key shape: "s", "sk", "sk-abc…", "Bea", "Bearer x…".
_SHAPE_TAIL = re.compile(
    r"(?:\bs(?:k(?:-[A-Za-z0-9_\-]*)?)?"
    r"|\bB(?:e(?:a(?:r(?:e(?:r(?:[ \t]+[A-Za-z0-9._~+/=\-]*)?)?)?)?)?)?)\Z"
)
# Log lines only: values of fields named like secrets, in JSON, dict or kwargs repr form
# (pygls logs raw messages at DEBUG, the editor's configuration answer among them).
_SECRET_FIELDS = re.compile(
    r"(?i)(\b\w*(?:api_?key|token|secret|password)\w*['\"]?\s*[:=]\s*)(['\"])"
    r"((?:\\.|(?!\2).)*)\2"
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Redactor:
    """Masks configured secrets and key shapes; thread-safe, cheap when nothing matches."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: list[str] = []
        self._variants: tuple[str, ...] = ()
        self._pattern = re.compile(_SHAPES)
        self.add(*secrets)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._secrets)

    def add(self, *secrets: str | SecretStr | None) -> None:
        """Learn secrets (idempotent); later text with any of them is masked."""
        values = [s.get_secret_value() if isinstance(s, SecretStr) else s for s in secrets]
        fresh = [v for v in values if v and len(v) >= MIN_SECRET_LENGTH
                 and v not in self._secrets]
        if not fresh:
            return
        with self._lock:
            known = [s for s in self._secrets if s not in fresh] + fresh
            self._secrets = known[-MAX_SECRETS:]
            variants = {v for s in self._secrets for v in _encodings(s)}
            # Longest first: of two secrets sharing a prefix, the longer one is masked whole.
            self._variants = tuple(sorted(variants, key=len, reverse=True))
            literal = "|".join(re.escape(v) for v in self._variants)
            self._pattern = re.compile(f"(?P<lit>{literal})|{_SHAPES}")

    def forget_all(self) -> None:
        """Tests only: start again from the key shapes."""
        with self._lock:
            self._secrets, self._variants = [], ()
            self._pattern = re.compile(_SHAPES)

    def found_in(self, text: str) -> bool:
        return self._may_match(text) and self._pattern.search(text) is not None

    def redact(self, text: str) -> str:
        """`text` with every secret masked; the same object when there was none."""
        if not self._may_match(text):
            return text
        pattern = self._pattern
        if pattern.search(text) is None:
            return text
        return pattern.sub(_mask, text)

    def _may_match(self, text: str) -> bool:
        """Substring pre-check (memchr-fast): every match contains one of these. Python's
        regex engine tries each alternative at each position, ~50x slower on clean text."""
        return ("sk-" in text or "Bearer" in text
                or any(v in text for v in self._variants))

    def redact_log(self, text: str) -> str:
        """`redact`, plus the values of fields named like secrets (log lines only)."""
        return _SECRET_FIELDS.sub(lambda m: f"{m[1]}{m[2]}{PLACEHOLDER}{m[2]}", self.redact(text))

    def redact_value(self, value: T) -> T:
        """Strings inside dicts, lists, tuples and pydantic models masked; copies only
        what changed, so a clean value comes back as the same object."""
        if isinstance(value, str):
            return self.redact(value)  # type: ignore[return-value]
        if isinstance(value, BaseModel):
            return self.redact_fields(value, type(value).model_fields)
        if isinstance(value, dict):
            items = {k: self.redact_value(v) for k, v in value.items()}
            changed = any(items[k] is not v for k, v in value.items())
            return items if changed else value  # type: ignore[return-value]
        if isinstance(value, list | tuple):
            seq = [self.redact_value(v) for v in value]
            if any(n is not o for n, o in zip(seq, value, strict=True)):
                return type(value)(seq) if isinstance(value, tuple) else seq  # type: ignore[return-value]
            return value
        return value

    def redact_fields(self, model: M, names: Iterable[str]) -> M:
        """`model` with the strings in its fields `names` masked (`redact_value`); a
        copy only when one changed."""
        update: dict[str, Any] = {}
        for name in names:
            old = getattr(model, name, None)
            new = self.redact_value(old)
            if new is not old:
                update[name] = new
        return model.model_copy(update=update) if update else model

    def hold_from(self, text: str) -> int:
        """Where the tail that may still become a secret begins (len(text) for none).

        Complete matches before it are final; a match reaching the end may grow (a longer
        key shape, a longer secret sharing the prefix), so it is held too.
        """
        end = len(text)
        floor = 0
        hold = end
        matches = self._pattern.finditer(text) if self._may_match(text) else ()
        for match in matches:
            if match.end() < end:
                floor = match.end()
            elif match.start() >= end - max(SHAPE_HOLD, self._longest()):
                hold = match.start()
            else:  # longer than anything we hold back: final as it is
                floor = end
        low = max(floor, end - SHAPE_HOLD)
        tail = _SHAPE_TAIL.search(text, low) if low < end else None
        if tail is not None:
            hold = min(hold, tail.start())
        for secret in self._variants:
            start = max(floor, end - len(secret) + 1)
            i = text.find(secret[0], start)
            while i != -1 and i < hold:
                if secret.startswith(text[i:]):
                    hold = i
                    break
                i = text.find(secret[0], i + 1)
        return hold

    def _longest(self) -> int:
        return len(self._variants[0]) if self._variants else 0


class StreamRedactor:
    """Redacts one stream of text chunks so a secret split across chunks is still masked.

    `feed` returns what can be shown now (possibly ""), `flush` the rest at the end. The
    concatenation of everything returned equals `redact` of the whole stream.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        self._redactor = redactor or REDACTOR
        self._held = ""

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def feed(self, text: str) -> str:
        buffer = self._held + text if self._held else text
        cut = self._redactor.hold_from(buffer)
        self._held = buffer[cut:]
        return self._redactor.redact(buffer[:cut] if cut < len(buffer) else buffer)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return self._redactor.redact(held) if held else ""


class RedactingFilter(logging.Filter):
    """On a handler: the record's message, traceback and stack are masked before output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let logging report it as usual
            return True
        record.msg, record.args = REDACTOR.redact_log(message), None
        if record.exc_info and not record.exc_text:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = REDACTOR.redact_log(text)
        elif record.exc_text:
            record.exc_text = REDACTOR.redact_log(record.exc_text)
        if record.stack_info:
            record.stack_info = REDACTOR.redact_log(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put a `RedactingFilter` on every handler of `logger` (the root by default), and
    mask the tracebacks Python itself prints on stderr (uncaught, in threads too)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    sys.excepthook = _print_redacted
    threading.excepthook = _print_thread_redacted


def _print_redacted(kind: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(kind, exc, tb))
    if sys.stderr is not None:
        sys.stderr.write(REDACTOR.redact_log(text))
        sys.stderr.flush()


def _print_thread_redacted(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    if sys.stderr is not None:
        sys.stderr.write(f"Exception in thread {name}:\n")
    _print_redacted(args.exc_type, args.exc_value, args.exc_traceback)


def _mask(match: re.Match[str]) -> str:
    groups = match.groupdict()
    if groups.get("lit"):
        return PLACEHOLDER
    return (groups.get("skp") or groups.get("bp") or "") + PLACEHOLDER


def _encodings(secret: str) -> list[str]:
    """The secret as it may appear: raw, inside a JSON string, URL-encoded."""
    out = [secret, json.dumps(secret)[1:-1], quote(secret, safe="")]
    return [v for v in dict.fromkeys(out) if len(v) >= MIN_SECRET_LENGTH]


REDACTOR = Redactor(secret_env.known_values())  # keys from the environment (or its pipe)


def redact(text: str) -> str:
    return REDACTOR.redact(text)


def redact_value(value: T) -> T:
    return REDACTOR.redact_value(value)


def add_secrets(*secrets: str | SecretStr | None) -> None:
    REDACTOR.add(*secrets)


def log_to(level: str, log_file: Path | None) -> None:
    """The server's log: stderr or a file (never stdout, the protocol channel), one handler
    on the root logger, every line redacted (DEBUG included). Replaces earlier handlers
    (the CLI's basicConfig), so nothing is logged twice."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    install_log_redaction(root)
