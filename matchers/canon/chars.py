"""Rule 2: what one code point becomes (`char_info`), and the reason bits of an original slice.

`char_info` is the single definition of the per-character mapping: the reference path calls
it per character (cached), the batch path compiles it into arrays (`batch_tables.py`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .classes import (
    APOS,
    CASE,
    COMPAT,
    DEC,
    DIACRITIC,
    DIGIT,
    EMOJI_VARIANT,
    EXCL,
    HOMOGLYPH,
    INVISIBLE,
    KEYCAP,
    LETTER,
    SEP,
    SYM,
)
from .tables import (
    APOSTROPHES,
    BLANK_LETTERS,
    HOMOGLYPHS,
    KEYCAP_MARK,
    LOWER_HOMOGLYPHS,
    SKIN,
    VS,
    emoji_tables,
    is_tag,
)


def _classify(ch: str) -> int:
    """The class of a canonical character."""
    if "0" <= ch <= "9":
        return DIGIT
    if ch in "@$":
        return SYM
    if ch == "!":
        return EXCL
    if ch in APOSTROPHES:
        return APOS
    if ch in ".,":
        return DEC
    if ch.isalpha() or unicodedata.category(ch)[0] == "M":
        return LETTER
    return SEP


@lru_cache(maxsize=65536)
def char_info(ch: str) -> tuple[tuple[tuple[str, int], ...], int]:
    """Map one code point: ((canonical char, class), ...) and the reason bits it implies.

    An empty tuple means the character is deleted (invisible)."""
    cat = unicodedata.category(ch)
    if ch.isspace():
        return ((" ", SEP),), 0
    if cat in ("Cf", "Cc", "Co") or ch in BLANK_LETTERS or ch in VS or is_tag(ch):
        return (), INVISIBLE
    if "\U000e0100" <= ch <= "\U000e01ef":
        return (), INVISIBLE
    if cat == "Cs" or cat == "Cn":
        return ((" ", SEP),), 0
    if cat == "Mn" or cat == "Me":
        return (), DIACRITIC
    bits = 0
    s = HOMOGLYPHS.get(ch)
    if s is not None:
        bits |= HOMOGLYPH
    else:
        s = unicodedata.normalize("NFKC", ch)
        if s != ch:
            bits |= COMPAT
    folded = s.casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    if stripped != decomposed:
        bits |= DIACRITIC
    if stripped != decomposed or stripped != folded:
        # keep composed forms that have no base letter to strip to (e.g. Hangul)
        stripped = unicodedata.normalize("NFC", stripped) if stripped else ""
    out = []
    for c in stripped:
        h = LOWER_HOMOGLYPHS.get(c)
        if h is not None:
            bits |= HOMOGLYPH
            c = h
        elif not c.isascii() and c.isdecimal():
            c = str(unicodedata.decimal(c))
            bits |= COMPAT
        out.append((c, _classify(c)))
    return tuple(out), bits


def slice_reasons(sl: str) -> int:
    """Reason bits readable from the original text of a match (same for both paths)."""
    bits = 0
    prev_alpha = False
    for ch in sl:
        if ch.isupper() and prev_alpha:
            bits |= CASE
        prev_alpha = ch.isalpha()
    if sl.isascii():
        return bits
    cps = emoji_tables()[0]
    prev = ""
    for ch in sl:
        if ch.isascii():
            prev = ch
            continue
        if ch in VS or ch in SKIN:
            bits |= EMOJI_VARIANT if prev in cps or prev in SKIN else INVISIBLE
            prev = ch
            continue
        prev = ch
        if ch == KEYCAP_MARK:
            bits |= KEYCAP
            continue
        bits |= char_info(ch)[1]
    return bits
