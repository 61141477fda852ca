"""Terms of natural-language text and code, for ranking: split, lower-cased, stemmed lightly.

A question or a commit message is mostly English around a few identifiers, so English
filler words are dropped (they would match every file) and identifiers contribute both
their whole form and their camelCase/snake_case parts. The stemmer only folds the endings
that separate "retries"/"retry" or "formatting"/"format"; anything cleverer costs more than
it returns on code.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tether.index.scan import split_identifier

_WORD = re.compile(r"[^\W\d_][\w]*|\d+[A-Za-z_]\w*")

_FILLER = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each else
etc few for from further had has have having he her here hers him his how i if in into is
it its itself just let like may me might more most must my no nor not now of off on once
only or other our out over own per same she should so some such than that the their them
then there these they this those through to too under until up upon us use used uses
using very via was we were what when where which while who whom why will with within
without would yet you your e g ie eg fix fixes fixed fixing add adds added adding make
makes made new now instead should shouldn rather see also issue pr closes close closed
ref refs resolves thanks co authored signed off http https www com github org
"""
STOPWORDS = frozenset(_FILLER.split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """`retries`->`retry`, `formatting`->`format`, `handled`->`handl`: a folding, not English."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def words(text: str) -> list[str]:
    """Identifiers and words as written (no digits-only tokens)."""
    return _WORD.findall(text)


def text_terms(text: str) -> list[str]:
    """Stemmed terms of `text` with repeats (for term counts): whole words and their parts."""
    out: list[str] = []
    for raw in _WORD.findall(text):
        lowered = raw.lower()
        if lowered in STOPWORDS or len(lowered) < 2:
            continue
        out.append(stem(lowered))
        for part in split_identifier(raw):
            if part not in STOPWORDS and len(part) > 1 and part != lowered:
                out.append(stem(part))
    return out


def query_terms(text: str) -> list[str]:
    """Distinct stemmed terms of a query, in order of appearance."""
    return list(dict.fromkeys(text_terms(text)))
