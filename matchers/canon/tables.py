"""The data the rules read: leetspeak, apostrophes, homoglyphs, blank letters and emoji.

Everything here is data with its source named; the code that applies it is in `chars.py`,
`units.py`, `reference.py` and, compiled into per-code-point arrays, `batch_tables.py`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Leetspeak digits and symbols and the letters they stand for (rule 5 of the package docstring).
LEET_MAP = {
    "4": "a",
    "3": "e",
    "1": "i",
    "0": "o",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
}

# Apostrophes and the marks typed for them: deleted between two letters (`don't`, `don’t`).
APOSTROPHES = frozenset("'\u2019\u2018`\u00b4\u02bc\u02b9\u2032")

# Latin look-alikes: a curated subset of Unicode confusables.txt (UTS #39, the Latin prototypes
# of Cyrillic, Greek, Armenian and Cherokee letters) plus the IPA/small-capital letters that
# "fancy text" generators use. Curated, not generated from the file: confusables.txt also maps
# ASCII to ASCII (`0` to `O`, `rn` to `m`), which canonical text must keep apart. Upper-case
# forms are looked up before case folding (Greek Η is H but η is n), lower-case forms after.
UPPER_HOMOGLYPHS = {
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "Ԁ": "D", "Ɡ": "G",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Cherokee (case folds to a separate lower-case block, so map the capitals here)
    "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꮖ": "I", "Ꭻ": "J", "Ꮶ": "K", "Ꮮ": "L",
    "Ꮇ": "M", "Ꮎ": "O", "Ꮲ": "P", "Ꮪ": "S", "Ꭲ": "T", "Ꮩ": "V", "Ꮃ": "W", "Ꮓ": "Z",
}  # fmt: skip
LOWER_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "н": "h", "і": "i",
    "ї": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "у": "y", "ү": "y", "ԝ": "w", "х": "x", "ѵ": "v", "ь": "b",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "ε": "e", "γ": "y", "η": "n", "ι": "i", "ϳ": "j", "κ": "k",
    "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
    # Latin extensions, IPA and small capitals
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r",
    "ʏ": "y", "ʙ": "b", "ɢ": "g", "ʜ": "h", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴊ": "j",
    "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    "ꜰ": "f", "ꜱ": "s", "ǀ": "l",
}  # fmt: skip
HOMOGLYPHS = {**UPPER_HOMOGLYPHS, **LOWER_HOMOGLYPHS}

# Characters that look like nothing or like a space although they are not "Cf" (Hangul fillers,
# the blank Braille pattern, Khmer inherent vowels, the combining grapheme joiner): deleted.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u034f")

# Emoji sequence parts (Unicode TR #51).
ZWJ = "\u200d"
KEYCAP_MARK = "\u20e3"
VS = frozenset("\ufe0e\ufe0f")  # text and emoji variation selectors
SKIN = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))  # skin tone modifiers
TAG_END = "\U000e007f"  # ends a tag sequence (`🏴󠁧󠁢󠁳󠁣󠁴󠁿`)


def is_tag(ch: str) -> bool:
    """A tag character of a tag sequence (subdivision flags), apart from its end mark."""
    return "\U000e0020" <= ch <= "\U000e007e"


def is_regional(ch: str) -> bool:
    """A regional indicator: two of them make a flag."""
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


@lru_cache(maxsize=1)
def emoji_tables() -> tuple[frozenset[str], frozenset[str]]:
    """(code points that start or continue an emoji, those of them that also read as text).

    From the `emoji` package's `EMOJI_DATA` (the Unicode emoji list), loaded on first use."""
    import emoji

    comps = VS | SKIN | {ZWJ, KEYCAP_MARK, TAG_END} | set("0123456789#*")
    cps: set[str] = set()
    for seq in emoji.EMOJI_DATA:
        for ch in seq:
            if ch not in comps and not is_tag(ch):
                cps.add(ch)
    # ™ ℹ Ⓜ ‼ ⁉ are emoji only with U+FE0F; alone they are text that NFKC rewrites.
    textual = frozenset(c for c in cps if unicodedata.normalize("NFKC", c) != c)
    return frozenset(cps), textual
