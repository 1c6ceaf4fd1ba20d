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

`canonicalize_batch` computes the same `K`, offsets and runs for many posts at once with numpy
over the joined batch: about twenty passes over every character, the rules for digits, symbols,
apostrophes, invisible characters, emoji (single code points, VS16, skin tones, ZWJ sequences,
flags) and spaced letters on those positions only, leetspeak token by token with the reference
`_unleet` (cached per token). Spans, runs and reason bits are computed on demand from two index
maps. Posts with anything rarer (invisible characters next to punctuation, expansions like
`ß`, keycaps, tag sequences, scripts above U+1FFFF, pattern emoji touching text, letters apart
by punctuation and a space) are marked `slow` and go through `canonicalize`.
The property tests assert that both paths give the same canonical form and the same matches.

The homoglyph table is curated, not generated: see `HOMOGLYPHS` for its source.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "Canon",
    "REASONS",
    "canonicalize",
    "canonicalize_batch",
    "char_info",
    "emoji_key",
    "segment",
    "slice_reasons",
]

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

# Character classes after mapping.
# (ordered so that the fast path can test `cls >= SYM` for "becomes a space")
SLOW, LETTER, DIGIT, DEC, JOIN, APOS, EMOJI, EMOD, ZWJC, RIC, SYM, EXCL, SEP, DEL, INV = range(15)
SYMBOL = 15  # fast path only: an other-symbol (`☭`, U+2800) that is no emoji

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
APOSTROPHES = frozenset("'\u2019\u2018`\u00b4\u02bc\u02b9\u2032")

# Latin look-alikes: a curated subset of Unicode confusables.txt (UTS #39, the Latin prototypes
# of Cyrillic, Greek, Armenian and Cherokee letters) plus the IPA/small-capital letters that
# "fancy text" generators use. Upper-case forms are looked up before case folding (Greek Η is
# H but η is n), lower-case forms after.
_UPPER_HOMOGLYPHS = {
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
_LOWER_HOMOGLYPHS = {
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
HOMOGLYPHS = {**_UPPER_HOMOGLYPHS, **_LOWER_HOMOGLYPHS}

# Characters that look like nothing or like a space although they are not "Cf".
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u034f")
ZWJ = "\u200d"
KEYCAP_MARK = "\u20e3"
_VS = frozenset("\ufe0e\ufe0f")
_SKIN = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


def _is_tag(ch: str) -> bool:
    return "\U000e0020" <= ch <= "\U000e007e"


@lru_cache(maxsize=1)
def _emoji_tables() -> tuple[frozenset[str], frozenset[str]]:
    """(code points that start or continue an emoji, those of them that also read as text)."""
    import emoji

    comps = _VS | _SKIN | {ZWJ, KEYCAP_MARK, "\U000e007f"} | set("0123456789#*")
    cps: set[str] = set()
    for seq in emoji.EMOJI_DATA:
        for ch in seq:
            if ch not in comps and not _is_tag(ch):
                cps.add(ch)
    # ™ ℹ Ⓜ ‼ ⁉ are emoji only with U+FE0F; alone they are text that NFKC rewrites.
    textual = frozenset(c for c in cps if unicodedata.normalize("NFKC", c) != c)
    return frozenset(cps), textual


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def emoji_key(seq: str) -> str:
    """The canonical identity of an emoji sequence: without variation selectors, skin tones and
    gender signs (`🧛‍♂️` is `🧛`); other ZWJ components stay (`🏴‍☠️` is not `🏴`)."""
    out = "".join(ch for ch in seq if ch not in _VS and ch not in _SKIN)
    if ZWJ in out:
        out = out.replace(ZWJ + "\u2642", "").replace(ZWJ + "\u2640", "")
    return out


@lru_cache(maxsize=4096)
def _is_symbol(ch: str) -> bool:
    """Other symbols (So: ☭ ✠ ✡) that NFKC leaves alone are single-character tokens like emoji;
    circled letters and the like are NFKC letters instead."""
    return (
        not ch.isascii()
        and unicodedata.category(ch) == "So"
        and unicodedata.normalize("NFKC", ch) == ch
    )


# Units produced by `segment`.
U_CHAR, U_EMOJI, U_KEYCAP = 0, 1, 2


def segment(text: str) -> list[tuple[int, int, int]]:
    """Cut text into (start, end, kind) units: whole emoji sequences, keycaps, single chars."""
    cps, textual = _emoji_tables()
    n = len(text)
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in "0123456789#*" and (
            nxt == KEYCAP_MARK or (nxt in _VS and i + 2 < n and text[i + 2] == KEYCAP_MARK)
        ):
            j = i + 2 if nxt == KEYCAP_MARK else i + 3
            out.append((i, j, U_KEYCAP))
            i = j
            continue
        if (ch in cps and (ch not in textual or nxt == "\ufe0f")) or _is_symbol(ch):
            j = _emoji_end(text, i, cps, textual)
            out.append((i, j, U_EMOJI))
            i = j
            continue
        out.append((i, i + 1, U_CHAR))
        i += 1
    return out


def _emoji_end(text: str, i: int, cps: frozenset[str], textual: frozenset[str]) -> int:
    n = len(text)
    while True:
        ch = text[i]
        j = i + 1
        if _is_regional(ch) and j < n and _is_regional(text[j]):
            j += 1
        while j < n and (text[j] in _VS or text[j] in _SKIN):
            j += 1
        if j < n and _is_tag(text[j]):
            k = j
            while k < n and _is_tag(text[k]):
                k += 1
            if k < n and text[k] == "\U000e007f":
                j = k + 1
        if j + 1 < n and text[j] == ZWJ and text[j + 1] in cps:
            i = j + 1
            continue
        return j


def _classify(ch: str) -> int:
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
    if cat in ("Cf", "Cc", "Co") or ch in _BLANK_LETTERS or ch in _VS or _is_tag(ch):
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
        h = _LOWER_HOMOGLYPHS.get(c)
        if h is not None:
            bits |= HOMOGLYPH
            c = h
        elif not c.isascii() and c.isdecimal():
            c = str(unicodedata.decimal(c))
            bits |= COMPAT
        out.append((c, _classify(c)))
    return tuple(out), bits


@dataclass
class Canon:
    """Canonical text `k` with, per canonical character, its original span and letter run."""

    k: str
    start: list[int]
    end: list[int]
    run: list[int]
    bits: list[int]


def canonicalize(
    text: str, emoji_codes: dict[str, str] | None = None, reading: str = "number"
) -> Canon:
    """Reference canonicalisation of one text (see the module docstring).

    `reading` decides the runs of two or more digits at the ends of a token with letters:
    `number` keeps them (`c18`, `14words`), `leet` reads them as leetspeak too (`wh173`,
    `70tenkopf`), `split` keeps them as numbers apart from the letters (`heil1488` -> `heil
    1488`). The alternative readings are for `TextMatcher`; the canonical form is `number`."""
    emoji_codes = emoji_codes or {}
    # 1-2: units -> items [char, class, start, end, bits]
    items: list[list] = []
    pending_bits = 0
    for s, e, kind in segment(text):
        if kind == U_KEYCAP:
            base = text[s]
            if base.isdigit():
                items.append([base, DIGIT, s, e, KEYCAP | pending_bits])
            else:
                items.append([" ", SEP, s, e, KEYCAP | pending_bits])
            pending_bits = 0
            continue
        if kind == U_EMOJI:
            seq = text[s:e]
            code = emoji_codes.get(emoji_key(seq))
            if code is None:
                items.append([" ", SEP, s, e, 0])
            else:
                b = EMOJI_VARIANT if emoji_key(seq) != seq else 0
                items.append([" ", SEP, s, s, 0])
                items.append([code, JOIN, s, e, b | pending_bits])
                items.append([" ", SEP, e, e, 0])
            pending_bits = 0
            continue
        mapped, bits = char_info(text[s])
        if not mapped:
            if bits == DIACRITIC and items and items[-1][3] == s and items[-1][1] == LETTER:
                # a combining mark belongs to the letter before it (also inside the span)
                items[-1][3] = e
                items[-1][4] |= DIACRITIC
                continue
            pending_bits |= bits
            continue
        for c, cls in mapped:
            items.append([c, cls, s, e, bits | pending_bits])
            pending_bits = 0
    n = len(items)
    # 3: apostrophes and decimal marks by their neighbours
    for i in range(n):
        it = items[i]
        cls = it[1]
        if cls in (APOS, DEC):
            prev = items[i - 1][1] if i > 0 else SEP
            nxt = items[i + 1][1] if i + 1 < n else SEP
            if cls == APOS:
                if prev == LETTER and nxt == LETTER:
                    it[1] = DEL
                else:
                    it[0], it[1] = " ", SEP
            elif not (prev == DIGIT and nxt == DIGIT):
                it[0], it[1] = " ", SEP
    items = [it for it in items if it[1] != DEL]
    n = len(items)
    # '!' is punctuation unless token characters stand on both sides of its run (`h!tler`)
    i = 0
    while i < n:
        if items[i][1] != EXCL:
            i += 1
            continue
        j = i
        while j < n and items[j][1] == EXCL:
            j += 1
        inner = (
            i > 0
            and items[i - 1][1] in (LETTER, DIGIT, SYM)
            and j < n
            and items[j][1] in (LETTER, DIGIT, SYM)
        )
        if not inner:
            for x in range(i, j):
                items[x][0], items[x][1] = " ", SEP
        i = j
    # 4: tokens (index ranges) and the separators between them
    tokens: list[list[int]] = []
    i = 0
    while i < n:
        if items[i][1] in (LETTER, DIGIT, SYM, EXCL):
            j = i
            while j < n and items[j][1] in (LETTER, DIGIT, SYM, EXCL):
                j += 1
            tokens.append([i, j])
            i = j
        else:
            i += 1
    _join_spaced(text, items, tokens)
    # 5: leetspeak inside tokens
    for a, b in tokens:
        _unleet(items, a, b, reading)
    # 6-7: emit, squeezing letters and collapsing separators
    k: list[str] = [" "]
    start = [0]
    end = [0]
    run = [1]
    rbits = [0]
    for c, cls, s, e, b in items:
        if b & _SPLIT and k[-1] != " ":
            k.append(" ")
            start.append(s)
            end.append(s)
            run.append(1)
            rbits.append(0)
        if cls in (SEP, SYM, EXCL):
            if k[-1] == " ":
                end[-1] = max(end[-1], e)
                continue
            k.append(" ")
            start.append(s)
            end.append(e)
            run.append(1)
            rbits.append(0)
            continue
        if cls == LETTER and k[-1] == c:
            end[-1] = max(end[-1], e)
            run[-1] += 1
            rbits[-1] |= b & (LEET | SPACED)
            continue
        k.append(c)
        start.append(s)
        end.append(e)
        run.append(1)
        rbits.append(b & (LEET | SPACED))
    if k[-1] != " ":
        k.append(" ")
        start.append(len(text))
        end.append(len(text))
        run.append(1)
        rbits.append(0)
    return Canon("".join(k), start, end, run, rbits)


def _join_spaced(text: str, items: list[list], tokens: list[list[int]]) -> None:
    """Merge runs of one-character tokens apart by one separator (in place).

    Two neighbouring one-character tokens are linked when one separator character (not a line
    break), or a punctuation character and a space (`g. r. o`), stands between them. In a
    group of connected links the separator used most often (strictly) is the one between
    letters; links with other separators split words (`h.e.i.l h.i.t.l.e.r`, `o.r.d.e.r o.f`,
    `a.l-h.a.y.a.t`); on a tie only a lone link stays. A chain of kept links joins into one
    token when it has three or more characters, or two letters (`S.S`), or when its group has
    more links with the same separator (`1-4 w-o-r-t-e`)."""
    nt = len(tokens)
    if nt < 2:
        return
    single = [items[t[0]][2] == items[t[1] - 1][2] for t in tokens]
    link = [False] * nt  # link[j]: token j is linked to token j + 1
    gapc = [""] * nt
    for j in range(nt - 1):
        a, b = tokens[j][1], tokens[j + 1][0]
        if not (single[j] and single[j + 1]) or items[a][1] != SEP:
            continue
        g = text[items[a][2]] if items[a][3] > items[a][2] else " "
        if b - a == 1:
            if g not in "\n\r":
                link[j] = True
                gapc[j] = g
        elif b - a == 2 and items[a + 1][1] == SEP and not g.isspace():
            g2 = text[items[a + 1][2]] if items[a + 1][3] > items[a + 1][2] else ""
            if g2 == " ":
                link[j] = True
                gapc[j] = g + " "
    kept = [False] * nt
    group = [0] * nt  # links with the kept separator in the group of each kept link
    j = 0
    while j < nt:
        if not link[j]:
            j += 1
            continue
        m = j
        while m < nt and link[m]:
            m += 1
        counts: dict[str, int] = {}
        for x in range(j, m):
            counts[gapc[x]] = counts.get(gapc[x], 0) + 1
        best = max(counts.values())
        top = [g for g, c in counts.items() if c == best]
        if len(top) == 1 or m - j == 1:
            for x in range(j, m):
                kept[x] = gapc[x] == top[0]
                group[x] = best
        j = m
    out: list[list[int]] = []
    drop: set[int] = set()
    j = 0
    while j < nt:
        if not kept[j]:
            out.append(tokens[j])
            j += 1
            continue
        m = j
        while m < nt and kept[m]:
            m += 1
        # tokens j..m form the chain
        letters = all(items[tokens[x][0]][1] == LETTER for x in range(j, m + 1))
        if m - j + 1 >= 3 or letters or group[j] >= 2:
            for x in range(j, m + 1):
                items[tokens[x][0]][4] |= SPACED
            for x in range(j, m):
                drop.update(range(tokens[x][1], tokens[x + 1][0]))
            out.append([tokens[j][0], tokens[m][1]])
        else:
            out.extend(tokens[j : m + 1])
        j = m + 1
    if not drop:
        return
    remap = []
    keep = []
    for x, it in enumerate(items):
        remap.append(len(keep))
        if x not in drop:
            keep.append(it)
    remap.append(len(keep))
    items[:] = keep
    tokens[:] = [[remap[a], remap[b]] for a, b in out]


_SPLIT = 1 << 20  # item bit: a separator goes before this item (reading `split`)


def _unleet(items: list[list], a: int, b: int, reading: str = "number") -> None:
    # a run of two or more digits at either end of a token is a number (`14words`), when
    # all the token's digits are in such runs (`r3m1gr4t13` is leetspeak throughout)
    lo, hi = a, b
    j = a
    while j < b and items[j][1] == DIGIT:
        j += 1
    lead = j - a
    j = b
    while j > a and items[j - 1][1] == DIGIT:
        j -= 1
    trail = b - j
    digits = sum(1 for x in range(a, b) if items[x][1] == DIGIT)
    lead = lead if lead >= 2 else 0
    trail = trail if trail >= 2 else 0
    if lead + trail == digits and reading != "leet":
        lo, hi = a + lead, max(b - trail, a + lead)
        if reading == "split" and lo < hi:
            if lead:
                items[lo][4] |= _SPLIT
            if trail:
                items[hi][4] |= _SPLIT
    # '!' at either end of a token is punctuation
    while a < b and items[a][1] == EXCL:
        items[a][1] = SEP
        a += 1
    while b > a and items[b - 1][1] == EXCL:
        items[b - 1][1] = SEP
        b -= 1
    if a >= b or not any(items[x][1] == LETTER for x in range(a, b)):
        for x in range(a, b):
            if items[x][1] in (SYM, EXCL):
                items[x][1] = SEP
        return
    for x in range(max(lo, a), min(hi, b)):
        it = items[x]
        if it[1] in (DIGIT, SYM, EXCL):
            to = LEET_MAP.get(it[0])
            if to is not None:
                it[0], it[1] = to, LETTER
                it[4] |= LEET


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
    cps = _emoji_tables()[0]
    prev = ""
    for ch in sl:
        if ch.isascii():
            prev = ch
            continue
        if ch in _VS or ch in _SKIN:
            bits |= EMOJI_VARIANT if prev in cps or prev in _SKIN else INVISIBLE
            prev = ch
            continue
        prev = ch
        if ch == KEYCAP_MARK:
            bits |= KEYCAP
            continue
        bits |= char_info(ch)[1]
    return bits


# ---------------------------------------------------------------------------------------------
# Batch fast path

_TABLE_N = 0x20000
_MAPPED_N = 0x3000  # below this, characters are mapped by `char_info`


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point below _TABLE_N: (class, canonical code point) for the fast path."""
    cps, textual = _emoji_tables()
    cls = np.zeros(_TABLE_N + 1, dtype=np.uint8)
    canon = np.zeros(_TABLE_N + 1, dtype=np.uint16)  # canonical text has no astral characters
    for cp in range(_MAPPED_N):
        ch = chr(cp)
        if ch in cps or ch in "#*" or ch == "\x00":
            continue
        if _is_symbol(ch):  # a unit of its own for `segment`, like an emoji (`☭`, U+2800)
            cls[cp] = SYMBOL
            canon[cp] = 32
            continue
        mapped, _bits = char_info(ch)
        if not mapped and _bits == INVISIBLE:
            cls[cp] = INV  # deleted; the neighbours decide whether the fast path may do so
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
        if cp < _TABLE_N and ch not in textual and not _is_regional(ch):
            cls[cp] = EMOJI
            canon[cp] = 32
    for ch in _VS | _SKIN:
        cls[ord(ch)] = EMOD
        canon[ord(ch)] = 32
    cls[ord(ZWJ)] = ZWJC
    canon[ord(ZWJ)] = 32
    for cp in range(0x1F1E6, 0x1F200):
        cls[cp] = RIC
        canon[cp] = 32
    cls[ord("#")] = cls[ord("*")] = SEP
    canon[ord("#")] = canon[ord("*")] = 32
    cls[0] = JOIN
    canon[0] = 1
    return cls, canon


def fast_tables(emoji_codes: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Class and canonical tables for a matcher whose patterns use `emoji_codes`.

    A one-code-point pattern emoji maps to its private-use code (class JOIN); the code points of
    longer pattern sequences go to the reference path."""
    cls, canon = _tables()
    cls, canon = cls.copy(), canon.copy()
    for key, code in emoji_codes.items():
        if len(key) == 1 and ord(key) < _TABLE_N:
            cls[ord(key)] = JOIN
            canon[ord(key)] = ord(code)
    for key in emoji_codes:
        if len(key) > 1:
            for ch in key:
                if ord(ch) < _TABLE_N:
                    cls[ord(ch)] = SLOW
    return cls, canon


class Batch:
    """Canonical text of many posts at once (only posts not marked `slow` are valid).

    The original span, letter run and reason bits of a canonical character are computed on
    demand from two index maps (`ostart`, `oend`, `run_at`, `bits_at`, `arrays`); `starts`,
    `ends`, `run` and `bits` give them for the whole batch at once."""

    def __init__(
        self,
        k: str,
        k_arr: np.ndarray,
        kidx1: np.ndarray,
        kidx3: np.ndarray,
        letter: np.ndarray,
        ends_over: dict[int, int],
        run_delta: dict[int, int],
        bits_map: dict[int, int],
        post_base: np.ndarray,
        post_kstart: np.ndarray,
        slow: np.ndarray,
    ):
        self.k = k
        self.k_arr = k_arr  # `k` as code points
        self._kidx1 = kidx1  # index after the first drops -> index in the joined original
        self._kidx3 = kidx3  # canonical index -> index after the first drops
        self._letter = letter  # per index after the first drops
        self._n = len(letter)
        self._ends_over = ends_over
        self._run_delta = run_delta
        self._bits_map = bits_map
        self.bits_pos = sorted(bits_map)  # where reason bits are set
        self.post_base = post_base  # index of each post's first character in the joined original
        self.post_kstart = post_kstart  # canonical index of the frame space of each post
        self.slow = slow  # bool per post: use `canonicalize` instead

    def _nxt(self, i: int) -> int:
        return self._kidx3.item(i + 1) if i + 1 < len(self._kidx3) else self._n

    def ostart(self, i: int) -> int:
        return self._kidx1.item(self._kidx3.item(i))

    def oend(self, i: int) -> int:
        v = self._ends_over.get(i)
        return v if v is not None else self._kidx1.item(self._nxt(i) - 1) + 1

    def run_at(self, i: int) -> int:
        x = self._kidx3.item(i)
        if not self._letter.item(x):
            return 1
        return self._nxt(i) - x - self._run_delta.get(i, 0)

    def bits_at(self, i: int) -> int:
        return self._bits_map.get(i, 0)

    def arrays(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Original start, end, letter run and reason bits of canonical characters lo..hi."""
        x = self._kidx3[lo:hi]
        nxt = np.empty_like(x)
        nxt[:-1] = x[1:]
        if len(x):
            nxt[-1] = self._nxt(hi - 1)
        starts = self._kidx1[x]
        ends = self._kidx1[nxt - 1] + 1
        run = np.where(self._letter[x], nxt - x, 1)
        bits = np.zeros(len(x), dtype=np.uint8)
        for name, out in (("_ends_over", ends), ("_run_delta", run), ("_bits_map", bits)):
            d = getattr(self, name)
            if not d:
                continue
            keys, vals = self._sorted(name)
            a, b = np.searchsorted(keys, (lo, hi))
            if a == b:
                continue
            if name == "_run_delta":
                out[keys[a:b] - lo] -= vals[a:b]
            else:
                out[keys[a:b] - lo] = vals[a:b]
        return starts, ends, run, bits

    def _sorted(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        cache = self.__dict__.setdefault("_sorted_cache", {})
        got = cache.get(name)
        if got is None:
            d = getattr(self, name)
            keys = np.array(sorted(d), dtype=np.int64)
            got = cache[name] = (keys, np.array([d[i] for i in keys.tolist()], dtype=np.int64))
        return got

    @property
    def starts(self) -> np.ndarray:
        return self.arrays(0, len(self._kidx3))[0]

    @property
    def ends(self) -> np.ndarray:
        return self.arrays(0, len(self._kidx3))[1]

    @property
    def run(self) -> np.ndarray:
        return self.arrays(0, len(self._kidx3))[2]

    @property
    def bits(self) -> np.ndarray:
        return self.arrays(0, len(self._kidx3))[3]


# whitespace code points (`str.isspace`): a link's two-character gap starts with none of them
# (U+3000 is the highest; every code point above it reads the last entry, False)
_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)
_TWO = 0x110000  # added to a two-character gap's first character: a separator apart

# classes across which an invisible character simply vanishes in the batch path
_PLAIN = np.zeros(256, dtype=bool)
_PLAIN[[LETTER, DIGIT, DEC, APOS, SYM, EXCL, SEP]] = True


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """`np.unique(a)`: the same, without its fixed cost of a few hundred microseconds."""
    if len(a) < 2:
        return a
    s = np.sort(a)
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _prev(a: np.ndarray, fill: Any = False) -> np.ndarray:
    out = np.empty_like(a)
    if len(a):
        out[0] = fill
        out[1:] = a[:-1]
    return out


def _next(a: np.ndarray, k: int = 1, fill: Any = False) -> np.ndarray:
    out = np.full_like(a, fill)
    if k < len(a):
        out[: len(a) - k] = a[k:]
    return out


_LEET_TABLE = np.zeros(128, dtype=np.uint32)
for _k, _v in LEET_MAP.items():
    _LEET_TABLE[ord(_k)] = ord(_v)


def _per_token(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of `values` over each token, tokens given by their start indices."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    return np.add.reduceat(values.astype(np.int64), starts)


def canonicalize_batch(
    posts: list[str], tables: tuple[np.ndarray, np.ndarray] | None = None
) -> Batch:
    """Canonicalise many posts at once; posts marked `slow` must go through `canonicalize`.

    The posts must not contain NUL (the batch joiner); the caller routes those elsewhere.
    About twenty numpy passes run over every character; the rules that only apply around
    digits, symbols, apostrophes, emoji and one-letter tokens run on those positions only."""
    cls_table, table_canon = tables if tables is not None else _tables()
    big = " " + " \x00 ".join(posts) + " "  # each post framed by spaces, joined by NUL
    if big.isascii():
        raw = np.frombuffer(big.encode("ascii"), dtype=np.uint8)
        cls = np.take(cls_table, raw)  # `take` is about twice as fast as fancy indexing
        canon = np.take(_canon8(), raw)
    else:
        raw = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        idx = np.minimum(raw, _TABLE_N)
        cls = np.take(cls_table, idx)
        canon = np.take(table_canon, idx)
    lens = np.fromiter(map(len, posts), dtype=np.int64, count=len(posts)) + 2
    ends_in_big = np.cumsum(lens + 1) - 1  # index of the joiner after each post
    post_base = ends_in_big - lens + 1
    bad: list[np.ndarray] = []

    # 1. special characters, looked at with their neighbours (never at either end: frames)
    spec = np.flatnonzero((cls != LETTER) & (cls != SEP))
    sc, pc, nc = cls[spec], cls[spec - 1], cls[np.minimum(spec + 1, len(cls) - 1)]
    bad.append(spec[sc == SLOW])
    is_emod = sc == EMOD
    is_inv = sc == INV
    drops = []
    if is_inv.any():
        # invisible characters vanish; between plain characters, their neighbours meet as in
        # the reference path (`3\u200b1\u200b9` is `319`); next to emoji, the post is `slow`
        inv = spec[is_inv]
        drops.append(inv)
        starts = np.ones(len(inv), dtype=bool)
        starts[1:] = np.diff(inv) != 1
        first = inv[starts]
        last = inv[np.append(starts[1:], True)]
        before = cls[first - 1]
        after = cls[np.minimum(last + 1, len(cls) - 1)]
        plain = _PLAIN[before] & _PLAIN[after]
        left = np.flatnonzero((pc == INV) & ~is_inv)  # a run of invisibles ends before
        r = np.searchsorted(last, spec[left] - 1)
        pc[left[plain[r]]] = before[r[plain[r]]]
        right = np.flatnonzero((nc == INV) & ~is_inv)  # a run starts after
        r = np.searchsorted(first, spec[right] + 1)
        nc[right[plain[r]]] = after[r[plain[r]]]
        bad.append(spec[~is_inv & ((pc == INV) | (nc == INV))])
    drops.append(spec[(sc == APOS) & (pc == LETTER) & (nc == LETTER)])
    is_zwj = sc == ZWJC
    if is_zwj.any():
        # inside an emoji ZWJ sequence the joiner and the next emoji vanish into the first
        seq = is_zwj & ((pc == EMOJI) | (pc == EMOD) | (pc == SYMBOL)) & (nc == EMOJI)
        bad.append(spec[is_zwj & ~seq])
        on_emod = spec[seq & (pc == EMOD)].tolist()
        if on_emod:
            # a sequence on a pattern emoji with modifiers is another emoji (`🏴️‍😂` is no
            # black flag), which only the reference path knows
            clsb = cls.tobytes()
            for z in on_emod:
                base = z - 1
                while base > 0 and clsb[base] == EMOD:
                    base -= 1
                if clsb[base] == JOIN:
                    bad.append(np.array([z]))
        drops.append(spec[seq])
        drops.append(spec[seq] + 1)
    is_ri = sc == RIC
    if is_ri.any():
        # regional indicators pair up left to right into flags
        ri = spec[is_ri]
        first = np.ones(len(ri), dtype=bool)
        first[1:] = np.diff(ri) != 1
        run_id = np.cumsum(first) - 1
        offset = np.arange(len(ri)) - np.flatnonzero(first)[run_id]
        drops.append(ri[offset % 2 == 1])
        cls[ri[offset % 2 == 0]] = SEP
        canon[ri[offset % 2 == 0]] = 32
        bad.append(ri[(offset % 2 == 0) & (cls[np.minimum(ri + 1, len(cls) - 1)] == EMOD)])
    if is_emod.any():
        emod_ok = (pc == EMOJI) | (pc == EMOD) | (pc == JOIN) | (pc == SYMBOL)
        bad.append(spec[is_emod & ~emod_ok])
        drops.append(spec[is_emod])
    dec_keep = (sc == DEC) & (pc == DIGIT) & (nc == DIGIT)
    to_sep = spec[((sc == DEC) & ~dec_keep) | (sc == APOS) | (sc == EMOJI) | (sc == SYMBOL)]
    cls[to_sep] = SEP
    canon[to_sep] = 32
    leety = (sc == DIGIT) | (sc == SYM)
    triggers = spec[leety & ((pc == LETTER) | (nc == LETTER))]
    drop1 = np.concatenate(drops) if len(drops) > 1 else drops[0]
    if len(drop1):
        keep1 = np.ones(len(cls), dtype=bool)
        keep1[drop1] = False
        kidx1 = np.flatnonzero(keep1)
        cls = cls[keep1]  # a mask selects faster than an index array
        canon = canon[keep1]
        if len(triggers):
            triggers = np.searchsorted(kidx1, triggers)
    else:
        kidx1 = np.arange(len(cls))
    n = len(cls)
    ex = np.flatnonzero(cls == EXCL)
    if len(ex):
        first = np.ones(len(ex), dtype=bool)
        first[1:] = np.diff(ex) != 1
        last = np.ones(len(ex), dtype=bool)
        last[:-1] = first[1:]
        rid = np.cumsum(first) - 1
        before = cls[ex[first] - 1]
        after = cls[np.minimum(ex[last] + 1, n - 1)]
        tokcls = np.zeros(256, dtype=bool)
        tokcls[[LETTER, DIGIT, SYM]] = True
        inner = tokcls[before] & tokcls[after]
        outer = ex[~inner[rid]]
        cls[outer] = SEP
        canon[outer] = 32
        inner_pos = ex[inner[rid]]
        if len(inner_pos):
            triggers = _sorted_unique(np.concatenate((triggers, inner_pos)))
    pe = np.flatnonzero(cls == JOIN)
    if len(pe):
        # pattern emoji (and the batch joiner) must already stand between separators, as the
        # reference path frames them with spaces
        lone = (cls[np.maximum(pe - 1, 0)] != SEP) | (cls[np.minimum(pe + 1, n - 1)] != SEP)
        bad.append(kidx1[pe[lone]])
    letter = cls == LETTER

    # 2. one-character tokens apart by one separator character, or by a punctuation character
    # and a space (`g. r. o`): links from the token at `left` to the one at `right`
    tok = letter | (cls == DIGIT) | (cls == SYM)  # comparisons: much faster than a lookup
    tokx = tok | (cls == EXCL)
    single = np.zeros(n, dtype=bool)
    single[1:-1] = tok[1:-1] & ~tokx[:-2] & ~tokx[2:]
    sp = np.flatnonzero(single)
    gaps = np.zeros(0, dtype=np.int64)  # the separators that links drop
    gap_left = np.zeros(0, dtype=np.int64)  # the left token of each
    spaced_pos = np.zeros(0, dtype=np.int64)
    link_l = link_r = np.zeros(0, dtype=np.int64)
    chains: list[np.ndarray] = []
    if len(sp) > 1:
        step = np.diff(sp)
        one = sp[:-1][step == 2]  # single at i and i + 2
        gch = raw[kidx1[one + 1]].astype(np.int64)
        ok1 = (cls[one + 1] == SEP) & (gch != 10) & (gch != 13)
        two = sp[:-1][step == 3]
        g1 = raw[kidx1[two + 1]].astype(np.int64)
        ok2 = (cls[two + 1] == SEP) & (cls[two + 2] == SEP) & (raw[kidx1[two + 2]] == 32)
        ok2 &= ~_SPACE[np.minimum(g1, len(_SPACE) - 1)]
        # a two-character gap is its punctuation character and the space: a separator of its
        # own, apart from the same character alone
        link_l = np.concatenate((one[ok1], two[ok2]))
        link_r = np.concatenate((one[ok1] + 2, two[ok2] + 3))
        gch = np.concatenate((gch[ok1], g1[ok2] + _TWO))
        order = np.argsort(link_l, kind="stable")
        link_l, link_r, gch = link_l[order], link_r[order], gch[order]
        best = np.zeros(0, dtype=np.int64)
        if len(link_l):
            # in a group of connected links the separator used most often (strictly) links
            # letters, the others split words; on a tie no link of the group stays
            gstart = np.ones(len(link_l), dtype=bool)
            gstart[1:] = link_l[1:] != link_r[:-1]
            gid = np.cumsum(gstart) - 1
            best = np.bincount(gid)[gid]  # links with the kept separator in the group
            mixed_g = _sorted_unique(gid[1:][~gstart[1:] & (gch[1:] != gch[:-1])])
            if len(mixed_g):
                keep = np.ones(len(link_l), dtype=bool)
                for g in mixed_g.tolist():
                    a, b = np.searchsorted(gid, (g, g + 1))
                    counts = Counter(gch[a:b].tolist()).most_common()
                    top = counts[0][1]
                    if len(counts) == 1 or counts[1][1] < top:
                        keep[a:b] = gch[a:b] == counts[0][0]
                        best[a:b] = top
                    else:
                        keep[a:b] = False
                link_l, link_r, best = link_l[keep], link_r[keep], best[keep]
        if len(link_l):
            start = np.ones(len(link_l), dtype=bool)
            start[1:] = link_l[1:] != link_r[:-1]
            cid = np.cumsum(start) - 1
            nlinks = np.bincount(cid)
            nonletter = ~letter[link_l] | ~letter[link_r]
            has_nonletter = np.bincount(cid, weights=nonletter) > 0
            ok = (nlinks >= 2) | ~has_nonletter | (best[start] >= 2)
            link_l, link_r, cid = link_l[ok[cid]], link_r[ok[cid]], cid[ok[cid]]
            wide = link_r - link_l == 3
            gaps = np.concatenate((link_l + 1, link_l[wide] + 2))
            gap_left = np.concatenate((link_l, link_l[wide]))
            order = np.argsort(gaps)
            gaps, gap_left = gaps[order], gap_left[order]
            spaced_pos = _sorted_unique(np.concatenate((link_l, link_r)))
            mixed = np.flatnonzero(ok & has_nonletter)
            if len(mixed):
                for c in mixed.tolist():
                    at = cid == c
                    chains.append(np.append(link_l[at], link_r[at][-1]))
    # 3. leetspeak, token by token, where a digit or symbol touches a letter
    leet_pos: list[int] = []
    if len(triggers) or chains:
        leet_pos = _unleet_sparse(cls, canon, triggers, chains, single)

    # 4. separators collapse to one space, letters squeeze
    is_space = cls >= SYM
    c = canon  # a fresh array of this call: spaces are written into it in place
    np.putmask(c, is_space, 32)
    if len(gaps):
        is_space[gaps] = False  # dropped gaps are nothing, not the space that is kept
    letter = cls == LETTER  # leetspeak made new letters
    drop = np.zeros(n, dtype=bool)
    drop[1:] = (is_space[1:] & is_space[:-1]) | (letter[1:] & (c[1:] == c[:-1]))
    if len(gaps):
        drop[gaps] = True
        # letters meeting across a dropped separator squeeze as well (`i i` -> `i`, run 2)
        same = letter[link_l] & letter[link_r] & (c[link_l] == c[link_r])
        same |= is_space[link_l] & is_space[link_r]
        drop[link_r[same]] = True
    kept = ~drop
    kidx3 = np.flatnonzero(kept)
    k_arr = c[kept]
    ends_over: dict[int, int] = {}
    run_delta: dict[int, int] = {}
    if len(pe) and len(drop1):
        # a pattern emoji's span covers its dropped modifiers (VS16, skin tone)
        inner = pe[pe + 1 < n]
        inner = inner[kidx1[inner + 1] != kidx1[inner] + 1]  # elsewhere the span is as usual
        ends_over.update(
            zip(np.searchsorted(kidx3, inner).tolist(), (kidx1[inner + 1]).tolist(), strict=True)
        )
    if len(gaps):
        # the separators dropped inside spaced runs are no part of a letter's run or span
        owner = np.searchsorted(kidx3, gaps, side="right") - 1
        for o in owner[letter[kidx3[owner]]].tolist():
            run_delta[o] = run_delta.get(o, 0) + 1
        after = kidx3[np.minimum(owner + 1, len(kidx3) - 1)]
        nxt_owner = np.where(owner + 1 < len(kidx3), after, n)
        last = gaps == nxt_owner - 1
        ends_over.update(
            zip(owner[last].tolist(), (kidx1[gap_left[last]] + 1).tolist(), strict=True)
        )
    bits_map: dict[int, int] = {}
    for pos, bit in ((spaced_pos, SPACED), (np.asarray(leet_pos, dtype=np.int64), LEET)):
        if len(pos):
            pos = pos[~is_space[pos]]
            for i in (np.searchsorted(kidx3, pos, side="right") - 1).tolist():
                bits_map[i] = bits_map.get(i, 0) | bit
    slow = np.zeros(len(posts), dtype=bool)
    flagged = np.concatenate(bad)
    if len(flagged):
        slow[np.searchsorted(ends_in_big, flagged)] = True
    if k_arr.dtype == np.uint8:
        ks = k_arr.tobytes().decode("ascii")
    else:
        top = int(k_arr.max()) if len(k_arr) else 0
        if top < 256:
            ks = k_arr.astype(np.uint8).tobytes().decode("latin-1")
        else:  # 16-bit code units (the tables), and canonical text has no surrogates
            ks = k_arr.tobytes().decode("utf-16-le")
    joiners = np.flatnonzero(k_arr == 1)
    post_kstart = np.empty(len(posts), dtype=np.int64)
    post_kstart[0] = 0
    post_kstart[1:] = joiners + 1
    spans = (kidx1, kidx3, letter, ends_over, run_delta, bits_map)
    return Batch(ks, k_arr, *spans, post_base, post_kstart, slow)


def letter_digit_positions(k: str | np.ndarray) -> np.ndarray:
    """Positions in a canonical text where a digit and a letter touch (`heil1488`, `wh173`)."""
    if isinstance(k, str):
        if k.isascii():
            a = np.frombuffer(k.encode("ascii"), dtype=np.uint8)
        else:
            a = np.frombuffer(k.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    else:
        a = k
    if len(a) < 2:
        return np.zeros(0, dtype=np.int64)
    digit = (a >= 48) & (a <= 57)
    if not digit.any():
        return np.zeros(0, dtype=np.int64)
    letter = ((a >= 97) & (a <= 122)) | ((a >= 0xC0) & ((a < 0xE100) | (a > 0xF8FF)))
    return np.flatnonzero((digit[:-1] & letter[1:]) | (letter[:-1] & digit[1:]))


@lru_cache(maxsize=1)
def _canon8() -> np.ndarray:
    return _tables()[1][:256].astype(np.uint8)


def _unleet_sparse(
    cls: np.ndarray,
    canon: np.ndarray,
    triggers: np.ndarray,
    chains: list[np.ndarray],
    single: np.ndarray,
) -> list[int]:
    """Apply `_unleet` in place to the tokens around `triggers` and to mixed spaced chains."""
    tokcls = (LETTER, DIGIT, SYM, EXCL)
    n = len(cls)
    changed: list[int] = []
    in_chain = {}
    for ch in chains:
        for p in ch.tolist():
            in_chain[p] = ch
    groups: list[Any] = [ch.tolist() for ch in chains]
    if len(triggers):
        # the token around each trigger, from the positions of non-token characters
        nontok = np.flatnonzero((cls != LETTER) & (cls != DIGIT) & (cls != SYM) & (cls != EXCL))
        j = np.searchsorted(nontok, triggers)
        lo = np.where(j > 0, nontok[np.maximum(j - 1, 0)] + 1, 0)
        hi = np.where(j < len(nontok), nontok[np.minimum(j, len(nontok) - 1)], n)
        last = -1
        clsb = cls.tobytes()  # indexing bytes is much cheaper than indexing an array
        for t, a, b in zip(triggers.tolist(), lo.tolist(), hi.tolist(), strict=True):
            if t < last or t in in_chain:
                continue
            if clsb[t] == EXCL:
                # a run of '!' converts only with token characters on both sides
                x = t
                while x > 0 and clsb[x - 1] == EXCL:
                    x -= 1
                y = t + 1
                while y < n and clsb[y] == EXCL:
                    y += 1
                if clsb[x - 1] not in tokcls or y >= n or clsb[y] not in tokcls:
                    continue
            if b - a == 1 and a in in_chain:
                continue
            last = b
            groups.append(range(a, b))
    # keys and edits through bytes and lists: indexing numpy arrays one item at a time is slow
    width = canon.itemsize
    canonb = canon.tobytes()
    clsb = cls.tobytes()
    at: list[int] = []
    new_cls: list[int] = []
    new_canon: list[int] = []
    for positions in groups:
        if isinstance(positions, range):
            a, b = positions.start, positions.stop
            key = (canonb[a * width : b * width], clsb[a:b])
        else:
            key = (canon[positions].tobytes(), cls[positions].tobytes())
        edits = _UNLEET_CACHE.get(key)
        if edits is None:
            items = [[chr(int(canon[p])), int(cls[p]), 0, 0, 0] for p in positions]
            _unleet(items, 0, len(items))
            edits = tuple(
                (x, it[1], ord(it[0]) if it[1] != SEP else 32, bool(it[4] & LEET))
                for x, it in enumerate(items)
                if it[1] != cls[positions[x]]
            )
            if len(_UNLEET_CACHE) > 100_000:
                _UNLEET_CACHE.clear()
            _UNLEET_CACHE[key] = edits
        for x, c_new, k_new, leet in edits:
            p = positions[x]
            at.append(p)
            new_cls.append(c_new)
            new_canon.append(k_new)
            if leet:
                changed.append(p)
    if at:
        cls[at] = new_cls
        canon[at] = new_canon
    return changed


# `_unleet` per token, by the token's canonical characters and classes
_UNLEET_CACHE: dict[tuple[bytes, bytes], tuple[tuple[int, int, int, bool], ...]] = {}
