"""Canonical form of text for matching, with a map back to the original string.

Patterns and posts go through the same canonicalisation, so a pattern matches every spelling that
canonicalises to the same string. The canonical form `K` of a text is built like this
(`canonicalize` is the exact reference, one Python step per character):

1. The text is cut into units: whole emoji sequences (ZWJ, tag, keycap and flag sequences, with
   variation selectors and skin tones) and single code points.
2. A code point is mapped by `char_info`: NFKC (fullwidth, mathematical, circled, superscript),
   Unicode case folding (`ß` -> `ss`), diacritics removed (NFD minus combining marks), Latin
   look-alikes from other scripts replaced (`HOMOGLYPHS`), other-script decimal digits to ASCII.
   Default-ignorable characters (zero-width, soft hyphen, joiners, bidi controls, variation
   selectors and tag characters outside emoji) and control characters are deleted.
3. An apostrophe between two letters is deleted (`don't`); `.`/`,` between two digits is kept
   (a decimal: `88,5` is not the number 88); `!` is punctuation unless token characters stand
   on both sides of its run (`h!tler`); every other non-letter, non-digit is a separator.
4. Tokens are runs of letters, digits and the leet symbols `@ $ !`. One-character tokens apart
   by one separator character (not a line break), or by a punctuation character and a space
   (`g. r. o`), are linked. In a group of connected links the separator used most often
   (strictly) links letters and the others split words (`h.e.i.l h.i.t.l.e.r`, `o.r.d.e.r o.f`,
   `a.l-h.a.y.a.t`); on a tie only a lone link stays. A chain of kept links becomes one token
   when it has three or more characters, or two letters (`S.S`), or when its group has more
   links with that separator (`1-4 w-o-r-t-e`). `is is` is never joined.
5. Leetspeak is undone inside tokens that contain a letter (`4 3 1 0 5 7 @ $ !` -> `a e i o s t a
   s i`); when all digits of such a token sit in runs of two or more at its ends, those stay a
   number (`14words`, `c18`), and tokens without letters stay numbers (`1488`). The matcher
   also reads such tokens the two other ways (`reading="leet"`: `wh173`, `70tenkopf`;
   `reading="split"`: `heil1488` -> `heil 1488`).
6. Repeated letters are squeezed to one, keeping the run length (`heeeil` -> `heil`, run 3) so a
   pattern's own double letters can still be required.
7. Separators collapse to one space; the text is framed by spaces. Emoji that occur in patterns
   become one private-use character each, framed by spaces; other emoji are separators. Other
   symbols (So: `☭ ✠ ✡`) are units like emoji; an emoji's identity drops variation selectors,
   skin tones and gender signs (`🧛‍♂️` is `🧛`, `🏴‍☠️` is not `🏴`). A combining mark belongs to
   the letter before it, also in its span.

Two paths compute `K`. `canonicalize` (`reference.py`) reads one text item by item, one small
function per rule in the order above. `canonicalize_batch` (`batch.py`) computes the same `K`,
offsets and runs for many posts at once with numpy over the joined batch, in stages named like
the reference functions; spans, runs and reason bits come on demand from two index maps
(`Batch`). A post with anything the batch stages do not handle is marked `slow`, and its
caller reads it with `canonicalize`; `SLOW_REASONS` (`slow.py`) lists every such reason and
`Batch.slow_reasons` counts them. The property tests (tests/test_text_properties.py) assert
that both paths give the same canonical form, runs, bits, matches and spans (but for the end of
a space that stands for an emoji: the batch path deletes the emoji's modifiers and ZWJ links
rather than read them into the space).

Modules: `classes.py` (character classes, reason bits), `tables.py` (the data, with sources),
`units.py` (rule 1), `chars.py` (rule 2), `reference.py`, `slow.py`, `batch.py`,
`batch_leet.py` (rule 5 in batches), `batch_tables.py` (per-code-point arrays), `batch_result.py`.

How to add a normalisation rule:

1. Write it in the reference path first: a function in `reference.py`, called from
   `canonicalize` at its place among the rules, and a rule in the list above.
2. Route what it reads to the slow path: add a `Reason` in `slow.py` and, in the batch stage
   where the trigger is seen (often `_units_to_items`), `slow.add(Reason.NEW, positions)`.
   The batch path is now exact again, if slower for those posts.
3. Port it to a batch stage of the same name when throughput needs it, and drop the reason.

The property tests keep both paths equal at every step; add examples of the rule to PIECES
there and to tests/test_text_normalize.py.
"""

from __future__ import annotations

from .batch import canonicalize_batch
from .batch_leet import letter_digit_positions
from .batch_result import Batch
from .batch_tables import fast_tables
from .chars import char_info, slice_reasons
from .classes import (
    APOS,
    CASE,
    COMPAT,
    DEC,
    DEL,
    DIACRITIC,
    DIGIT,
    EMOD,
    EMOJI,
    EMOJI_VARIANT,
    EXCL,
    FUZZY,
    HOMOGLYPH,
    INV,
    INVISIBLE,
    JOIN,
    KEYCAP,
    LEET,
    LETTER,
    REASONS,
    RIC,
    RUN_TOGETHER,
    SEP,
    SEPARATORS,
    SLOW,
    SPACED,
    STRETCHED,
    SYM,
    SYMBOL,
    ZWJC,
)
from .reference import Canon, Item, canonicalize
from .slow import SLOW_REASONS, Reason
from .tables import APOSTROPHES, HOMOGLYPHS, KEYCAP_MARK, LEET_MAP, ZWJ
from .units import U_CHAR, U_EMOJI, U_KEYCAP, emoji_key, segment

__all__ = [
    "APOS",
    "APOSTROPHES",
    "Batch",
    "CASE",
    "COMPAT",
    "Canon",
    "DEC",
    "DEL",
    "DIACRITIC",
    "DIGIT",
    "EMOD",
    "EMOJI",
    "EMOJI_VARIANT",
    "EXCL",
    "FUZZY",
    "HOMOGLYPH",
    "HOMOGLYPHS",
    "INV",
    "INVISIBLE",
    "Item",
    "JOIN",
    "KEYCAP",
    "KEYCAP_MARK",
    "LEET",
    "LEET_MAP",
    "LETTER",
    "REASONS",
    "RIC",
    "RUN_TOGETHER",
    "Reason",
    "SEP",
    "SEPARATORS",
    "SLOW",
    "SLOW_REASONS",
    "SPACED",
    "STRETCHED",
    "SYM",
    "SYMBOL",
    "U_CHAR",
    "U_EMOJI",
    "U_KEYCAP",
    "ZWJ",
    "ZWJC",
    "canonicalize",
    "canonicalize_batch",
    "char_info",
    "emoji_key",
    "fast_tables",
    "letter_digit_positions",
    "segment",
    "slice_reasons",
]
