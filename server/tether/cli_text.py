"""What `tether chat` writes to stdout for streamed text, so a retried stream never
repeats itself there (a terminal cannot take back what it printed, a pipe even less).

After `stream_retry` drops the partial message on screen, the retry's text is matched
against what is already shown: while it repeats it nothing is written, and printing
resumes where the shown text ends. Should the retry say something else, a line break
separates the two and the new text follows in full (`diverged` says so, for a note on
stderr). Pure: no I/O.
"""

from __future__ import annotations


class StreamedText:
    def __init__(self) -> None:
        self._message_id = ""  # the message on screen
        self._screen = ""  # its text as shown
        self._resuming = False  # a retry is repeating `_screen`
        self._retried = ""  # the retry's text so far, while resuming
        self.diverged = False

    def retry(self, discard_message_id: str | None) -> None:
        if discard_message_id is not None and discard_message_id == self._message_id:
            self._resuming = bool(self._screen)
            self._retried = ""

    def feed(self, message_id: str, text: str) -> str:
        """The part of this delta to write."""
        if not self._resuming:
            if message_id != self._message_id:
                self._message_id, self._screen = message_id, ""
            self._screen += text
            return text
        self._message_id = message_id
        self._retried += text
        if self._screen.startswith(self._retried):
            return ""  # still repeating what is shown
        self._resuming = False
        shown, self._screen = self._screen, self._retried
        if self._retried.startswith(shown):
            return self._retried[len(shown):]
        self.diverged = True
        return "\n" + self._retried
