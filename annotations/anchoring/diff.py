"""Word-level differences between two versions of a text, for the review view: what a reviewer
reads to see exactly what changed since they last looked.

Words and the whitespace between them are kept as tokens, so the pieces joined give back each
text exactly, and a change of a line break shows as a change. The matching is difflib's
(SequenceMatcher, without its junk heuristic: every word counts, however common).
"""

import difflib
import re
from typing import Literal, NamedTuple

_TOKENS = re.compile(r"\s+|[^\s]+")


class Piece(NamedTuple):
    op: Literal["same", "deleted", "inserted"]
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """`old` → `new` as pieces: kept words, deleted ones (only in `old`) and inserted ones
    (only in `new`), in reading order; a replacement is its deletion then its insertion."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("deleted", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("inserted", "".join(b[j1:j2])))
    return pieces


def old_text(pieces) -> str:
    return "".join(p.text for p in pieces if p.op != "inserted")


def new_text(pieces) -> str:
    return "".join(p.text for p in pieces if p.op != "deleted")
