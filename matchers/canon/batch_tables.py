"""Per-code-point arrays for the batch path: `char_info` and `segment` compiled to numpy.

They live on the batch side, not in `tables.py`, because they are no source data: they are
derived from it, and their classes (SLOW, INV, EMOJI, EMOD, ZWJC, RIC, SYMBOL) mean "what the
batch stages do here", which only the batch path reads.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .chars import char_info
from .classes import EMOD, EMOJI, INV, INVISIBLE, JOIN, RIC, SEP, SLOW, SYMBOL, ZWJC
from .tables import SKIN, VS, ZWJ, emoji_tables, is_regional
from .units import is_symbol

TABLE_N = 0x20000  # code points from here on read entry TABLE_N, which is SLOW
_MAPPED_N = 0x3000  # below this, characters are mapped by `char_info`; above, only emoji

# whitespace code points (`str.isspace`): a link's two-character gap starts with none of them
# (U+3000 is the highest; every code point above it reads the last entry, False)
SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)


@lru_cache(maxsize=1)
def base_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point below TABLE_N: (class, canonical code point) for the batch path."""
    cps, textual = emoji_tables()
    cls = np.zeros(TABLE_N + 1, dtype=np.uint8)
    canon = np.zeros(TABLE_N + 1, dtype=np.uint16)  # canonical text has no astral characters
    for cp in range(_MAPPED_N):
        ch = chr(cp)
        if ch in cps or ch in "#*" or ch == "\x00":
            continue
        if is_symbol(ch):  # a unit of its own for `segment`, like an emoji (`☭`, U+2800)
            cls[cp] = SYMBOL
            canon[cp] = 32
            continue
        mapped, _bits = char_info(ch)
        if not mapped and _bits == INVISIBLE:
            cls[cp] = INV  # deleted; the neighbours decide whether the batch path may do so
            continue
        if len(mapped) != 1:
            continue
        c, k = mapped[0]
        cls[cp] = k
        if ord(c) > 0xFFFF:
            cls[cp] = SLOW
            continue
        canon[cp] = ord(c)
    for ch in cps:
        cp = ord(ch)
        if cp < TABLE_N and ch not in textual and not is_regional(ch):
            cls[cp] = EMOJI
            canon[cp] = 32
    for ch in VS | SKIN:
        cls[ord(ch)] = EMOD
        canon[ord(ch)] = 32
    cls[ord(ZWJ)] = ZWJC
    canon[ord(ZWJ)] = 32
    for cp in range(0x1F1E6, 0x1F200):
        cls[cp] = RIC
        canon[cp] = 32
    cls[ord("#")] = cls[ord("*")] = SEP
    canon[ord("#")] = canon[ord("*")] = 32
    cls[0] = JOIN  # NUL joins the posts of a batch
    canon[0] = 1
    return cls, canon


@lru_cache(maxsize=1)
def canon8() -> np.ndarray:
    """The canonical table of the first 256 code points as bytes, for all-ASCII batches."""
    return base_tables()[1][:256].astype(np.uint8)


def fast_tables(emoji_codes: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Class and canonical tables for a matcher whose patterns use `emoji_codes`.

    A one-code-point pattern emoji maps to its private-use code (class JOIN); the code points of
    longer pattern sequences go to the reference path."""
    cls, canon = base_tables()
    cls, canon = cls.copy(), canon.copy()
    for key, code in emoji_codes.items():
        if len(key) == 1 and ord(key) < TABLE_N:
            cls[ord(key)] = JOIN
            canon[ord(key)] = ord(code)
    for key in emoji_codes:
        if len(key) > 1:
            for ch in key:
                if ord(ch) < TABLE_N:
                    cls[ord(ch)] = SLOW
    return cls, canon
