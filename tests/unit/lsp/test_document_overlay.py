"""The document overlay: LSP text sync applied exactly, UTF-16 columns included."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tether.workspace.folder import path_to_uri
from tether.workspace.overlay import (
    DocumentOverlay,
    OverlayError,
    TextChange,
    apply_change,
    offset_at,
    position_at,
)


def change(sl: int, sc: int, el: int, ec: int, text: str) -> TextChange:
    return TextChange(text=text, start=(sl, sc), end=(el, ec))


def test_insert_and_delete_ascii() -> None:
    text = "hello\nworld\n"
    assert apply_change(text, change(1, 0, 1, 0, "big ")) == "hello\nbig world\n"
    assert apply_change(text, change(0, 5, 1, 0, "")) == "helloworld\n"
    assert apply_change(text, TextChange(text="whole")) == "whole"


def test_utf16_columns_after_astral_chars() -> None:
    # "😀" is one code point but two UTF-16 code units.
    text = "a😀b\nx"
    assert offset_at(text, 0, 3) == 2  # after the emoji
    assert apply_change(text, change(0, 3, 0, 4, "B")) == "a😀B\nx"
    assert apply_change(text, change(0, 1, 0, 3, "")) == "ab\nx"
    assert position_at(text, 3) == (0, 4)
    assert position_at(text, 4) == (1, 0)


def test_column_inside_surrogate_pair_snaps_left() -> None:
    assert offset_at("😀z", 0, 1) == 0


def test_utf8_and_utf32_encodings() -> None:
    text = "é😀x"
    assert offset_at(text, 0, 2, "utf-8") == 1
    assert offset_at(text, 0, 6, "utf-8") == 2
    assert offset_at(text, 0, 2, "utf-32") == 2
    assert position_at(text, 2, "utf-8") == (0, 6)


def test_crlf_and_cr_line_endings() -> None:
    text = "one\r\ntwo\rthree\n"
    assert offset_at(text, 1, 0) == 5
    assert offset_at(text, 2, 0) == 9
    assert offset_at(text, 0, 99) == 3  # clamps before "\r\n"
    assert apply_change(text, change(1, 3, 2, 0, " ")) == "one\r\ntwo three\n"
    assert position_at(text, 9) == (2, 0)


def test_positions_past_the_end_clamp() -> None:
    text = "ab\ncd"
    assert offset_at(text, 9, 0) == len(text)
    assert offset_at(text, 1, 40) == len(text)
    assert apply_change(text, change(1, 2, 5, 0, "!")) == "ab\ncd!"


def test_inverted_and_negative_ranges_are_refused() -> None:
    with pytest.raises(OverlayError):
        apply_change("abc", change(0, 2, 0, 1, "x"))
    with pytest.raises(OverlayError):
        offset_at("abc", -1, 0)


def test_overlay_tracks_documents_by_uri_and_path(tmp_path: Path) -> None:
    overlay = DocumentOverlay()
    path = tmp_path / "m.py"
    uri = path_to_uri(path)
    overlay.open(uri, "x = 1\n", 1, "python")
    doc = overlay.change(uri, 2, [change(0, 4, 0, 5, "2"), change(1, 0, 1, 0, "y = 😀\n")])
    assert doc.text == "x = 2\ny = 😀\n"
    assert doc.version == 2
    assert overlay.get_path(path) is doc
    overlay.change(uri, 3, [change(1, 4, 1, 6, "3")])
    assert doc.text == "x = 2\ny = 3\n"
    assert overlay.close(uri) is doc
    assert overlay.get(uri) is None
    assert overlay.get_path(path) is None


def test_failed_change_leaves_text_and_version(tmp_path: Path) -> None:
    overlay = DocumentOverlay()
    uri = path_to_uri(tmp_path / "a.txt")
    overlay.open(uri, "abc", 4)
    with pytest.raises(OverlayError):
        overlay.change(uri, 5, [change(0, 0, 0, 1, "z"), change(0, 3, 0, 1, "")])
    doc = overlay.get(uri)
    assert doc is not None and doc.text == "abc" and doc.version == 4
    with pytest.raises(OverlayError):
        overlay.change(path_to_uri(tmp_path / "nope"), 1, [])


async def test_wait_for_change_wakes_on_next_version(tmp_path: Path) -> None:
    overlay = DocumentOverlay()
    uri = path_to_uri(tmp_path / "w.txt")
    overlay.open(uri, "a", 1)
    assert await overlay.wait_for_change(uri, 0, timeout=0.01)  # already newer
    waiter = asyncio.create_task(overlay.wait_for_change(uri, 1, timeout=30))
    await asyncio.sleep(0)
    overlay.change(uri, 2, [TextChange(text="b")])
    assert await waiter
    assert not await overlay.wait_for_change(uri, 2, timeout=0.01)
