"""Reason bits (why a spelling matched) and character classes (what a character is to the rules).

Both paths share these numbers: the reference path keeps a class and bits per item, the batch
path a class per character in a numpy `uint8` array and the bits in sparse maps.
"""

from __future__ import annotations

# Reason bits, in the order they are reported.
CASE = 1
COMPAT = 2
DIACRITIC = 4
HOMOGLYPH = 8
INVISIBLE = 16
LEET = 32
SPACED = 64
STRETCHED = 128
SEPARATORS = 256
RUN_TOGETHER = 512
EMOJI_VARIANT = 1024
KEYCAP = 2048
FUZZY = 4096
REASONS: tuple[tuple[int, str], ...] = (
    (CASE, "case"),
    (COMPAT, "compatibility-form"),
    (DIACRITIC, "diacritics"),
    (HOMOGLYPH, "homoglyph"),
    (INVISIBLE, "invisible-characters"),
    (LEET, "leetspeak"),
    (SPACED, "spaced-letters"),
    (STRETCHED, "stretched-letters"),
    (SEPARATORS, "separators"),
    (RUN_TOGETHER, "run-together"),
    (EMOJI_VARIANT, "emoji-variant"),
    (KEYCAP, "keycap-digits"),
    (FUZZY, "misspelling"),
)

# Character classes after mapping. Their order is part of the contract: when the canonical
# text is emitted, every class from SYM on is a space (`@ $ !` that leetspeak left alone,
# separators) and every class below it that survived the rules is text, so the batch path tests
# `cls >= SYM` for "becomes a space" in one comparison. A new class goes on the matching side.
SLOW = 0  # batch tables: the reference path must read this code point (also unknown ones)
LETTER = 1
DIGIT = 2
DEC = 3  # `.` `,`: a decimal mark between two digits, else a separator
JOIN = 4  # a pattern emoji (its private-use code); in the batch path also the NUL joiner
APOS = 5  # an apostrophe: deleted between two letters, else a separator
EMOJI = 6  # batch tables: an emoji code point no pattern uses
EMOD = 7  # batch tables: a variation selector or skin tone
ZWJC = 8  # batch tables: the zero-width joiner
RIC = 9  # batch tables: a regional indicator (half a flag)
SYM = 10  # `@ $`: leetspeak inside a token with letters, else a separator
EXCL = 11  # `!`: leetspeak inside a token, punctuation at its ends
SEP = 12  # a separator
DEL = 13  # reference path: an item deleted by a rule (an apostrophe in `don't`)
INV = 14  # batch tables: an invisible character, deleted
SYMBOL = 15  # batch tables only: an other-symbol (`☭`, U+2800) that is no emoji
