"""Where "Apply to file" puts a chat code block (issue 15, VS Code 5)."""

from __future__ import annotations

from tether.workspace.block_placement import Placed, Unplaced, place_block

CALC = (
    "import math\n"
    "\n"
    "def add(a, b):\n"
    "    return a + b\n"
    "\n"
    "def area(r):\n"
    "    return math.pi * r * r\n"
)


def _placed(current: str | None, block: str) -> Placed:
    placed = place_block(current, block, "calc.py")
    assert isinstance(placed, Placed), placed
    return placed


def test_absent_or_blank_file_becomes_the_block() -> None:
    assert _placed(None, "x = 1\n") == Placed("x = 1\n", "created")
    assert _placed("  \n\n", "\nx = 1") == Placed("x = 1\n", "created")


def test_first_and_last_lines_anchor_the_region_they_replace() -> None:
    block = "def add(a, b):\n    total = a + b\n    return a + b\n"
    placed = _placed(CALC, block)
    assert (placed.kind, placed.start_line, placed.end_line) == ("region", 3, 4)
    assert placed.text == CALC.replace("def add(a, b):\n",
                                       "def add(a, b):\n    total = a + b\n")


def test_the_region_ends_at_the_matching_line_nearest_the_blocks_shape() -> None:
    text = ("fn run() {\n    if ready {\n        go();\n    }\n    done();\n}\n"
            "\nfn other() {\n    done();\n}\n")
    block = "fn run() {\n    if ready {\n        go_now();\n    }\n    done();\n}\n"
    placed = _placed(text, block)
    assert (placed.start_line, placed.end_line) == (1, 6)
    assert placed.text == text.replace("go();", "go_now();")


def test_whitespace_insensitive_anchor_reindents_a_dedented_method() -> None:
    text = ("class Shop:\n    def total(self):\n        total = 0\n        return total\n\n"
            "    def name(self):\n        return 'shop'\n")
    block = "def total(self):\n    total = sum(self.items)\n    return  total\n"
    placed = _placed(text, block)
    assert (placed.kind, placed.start_line, placed.end_line) == ("region", 2, 4)
    assert placed.text.startswith("class Shop:\n    def total(self):\n"
                                  "        total = sum(self.items)\n        return  total\n\n")


def test_crlf_file_keeps_its_line_ends() -> None:
    text = CALC.replace("\n", "\r\n")
    placed = _placed(text, "import math\n\ndef add(a, b):\n    return b + a\n\ndef area(r):\n")
    assert placed.text == text.replace("return a + b", "return b + a")


def test_whole_file_block_replaces_the_file() -> None:
    block = ("import math, sys\n\ndef add(a, b):\n    return a + b\n\n"
             "def area(r):\n    return math.pi * r ** 2\n")
    placed = _placed(CALC, block)
    assert placed.kind == "whole" and placed.text == block
    assert (placed.start_line, placed.end_line) == (1, 7)


def test_no_anchor_is_refused_pointing_at_insert_at_cursor() -> None:
    refused = place_block(CALC, "def mul(a, b):\n    return a * b\n", "calc.py")
    assert isinstance(refused, Unplaced)
    assert "calc.py" in refused.message and "Insert at Cursor" in refused.message


def test_one_line_block_is_no_anchor() -> None:
    assert isinstance(place_block(CALC, "import math\n", "calc.py"), Unplaced)


def test_two_equally_good_regions_are_refused() -> None:
    text = "def f():\n    pass\n\ndef f():\n    pass\n"
    refused = place_block(text + "x = 1\n" * 10, "def f():\n    return 1\n    pass\n",
                          "calc.py")
    assert isinstance(refused, Unplaced)
    assert "lines 1-2 and lines 4-5" in refused.message


def test_a_region_that_would_drop_more_lines_than_it_keeps_is_no_anchor() -> None:
    text = "start()\n" + "".join(f"step{i}()\n" for i in range(30)) + "end()\n"
    refused = place_block(text, "start()\nend()\n", "calc.py")
    assert isinstance(refused, Unplaced)


def test_empty_block_is_refused() -> None:
    assert isinstance(place_block(CALC, "\n\n", "calc.py"), Unplaced)
