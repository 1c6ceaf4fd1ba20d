"""Rule 1: text cut into units (whole emoji sequences, keycaps, single code points).

An emoji sequence is one unit so that its parts (ZWJ, variation selectors, skin tones, tags)
are not read as invisible characters, and its identity (`emoji_key`) is what patterns match.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .tables import KEYCAP_MARK, SKIN, TAG_END, VS, ZWJ, emoji_tables, is_regional, is_tag

# Kinds of units produced by `segment`.
U_CHAR, U_EMOJI, U_KEYCAP = 0, 1, 2


@lru_cache(maxsize=4096)
def is_symbol(ch: str) -> bool:
    """Other symbols (So: ☭ ✠ ✡) that NFKC leaves alone are single-character tokens like emoji;
    circled letters and the like are NFKC letters instead."""
    return (
        not ch.isascii()
        and unicodedata.category(ch) == "So"
        and unicodedata.normalize("NFKC", ch) == ch
    )


def emoji_key(seq: str) -> str:
    """The canonical identity of an emoji sequence: without variation selectors, skin tones and
    gender signs (`🧛‍♂️` is `🧛`); other ZWJ components stay (`🏴‍☠️` is not `🏴`)."""
    out = "".join(ch for ch in seq if ch not in VS and ch not in SKIN)
    if ZWJ in out:
        out = out.replace(ZWJ + "\u2642", "").replace(ZWJ + "\u2640", "")
    return out


def segment(text: str) -> list[tuple[int, int, int]]:
    """Cut text into (start, end, kind) units: whole emoji sequences, keycaps, single chars."""
    cps, textual = emoji_tables()
    n = len(text)
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in "0123456789#*" and (
            nxt == KEYCAP_MARK or (nxt in VS and i + 2 < n and text[i + 2] == KEYCAP_MARK)
        ):
            j = i + 2 if nxt == KEYCAP_MARK else i + 3
            out.append((i, j, U_KEYCAP))
            i = j
            continue
        if (ch in cps and (ch not in textual or nxt == "\ufe0f")) or is_symbol(ch):
            j = _emoji_end(text, i, cps)
            out.append((i, j, U_EMOJI))
            i = j
            continue
        out.append((i, i + 1, U_CHAR))
        i += 1
    return out


def _emoji_end(text: str, i: int, cps: frozenset[str]) -> int:
    """End of the emoji sequence starting at `i`: flag pairs, modifiers, tags, ZWJ links."""
    n = len(text)
    while True:
        ch = text[i]
        j = i + 1
        if is_regional(ch) and j < n and is_regional(text[j]):
            j += 1
        while j < n and (text[j] in VS or text[j] in SKIN):
            j += 1
        if j < n and is_tag(text[j]):
            k = j
            while k < n and is_tag(text[k]):
                k += 1
            if k < n and text[k] == TAG_END:
                j = k + 1
        if j + 1 < n and text[j] == ZWJ and text[j + 1] in cps:
            i = j + 1
            continue
        return j
