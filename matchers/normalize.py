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
   (a decimal: `88,5` is not the number 88); every other non-letter, non-digit is a separator.
4. Tokens are runs of letters, digits and the leet symbols `@ $ !`. Two or more one-character
   tokens separated by the same short separator are joined (`h e i l`, `h.e.i.l`; at least three
   when digits or symbols are among them).
5. Leetspeak is undone inside tokens that contain a letter (`4 3 1 0 5 7 @ $ !` -> `a e i o s t a
   s i`); a run of two or more digits at either end of such a token stays a number (`14words`),
   as do tokens without letters (`1488`). `!` at either end of a token is punctuation.
6. Repeated letters are squeezed to one, keeping the run length (`heeeil` -> `heil`, run 3) so a
   pattern's own double letters can still be required.
7. Separators collapse to one space; the text is framed by spaces. Emoji that occur in patterns
   become one private-use character each, framed by spaces; other emoji are separators.

`canonicalize_batch` computes the same `K` for many posts at once with numpy over the joined
batch for posts that need none of the rare steps (emoji, deletions, expansions, leetspeak,
spaced letters), and hands the other posts to `canonicalize`. The property tests assert that both
give the same matches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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
SLOW, LETTER, DIGIT, SEP, APOS, DEC, SYM, EXCL, JOIN, DEL = range(10)

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
    """The canonical identity of an emoji sequence: without variation selectors and skin tones."""
    return "".join(ch for ch in seq if ch not in _VS and ch not in _SKIN)


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
        if ch in cps and (ch not in textual or nxt == "\ufe0f"):
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


def canonicalize(text: str, emoji_codes: dict[str, str] | None = None) -> Canon:
    """Reference canonicalisation of one text (see the module docstring)."""
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
        _unleet(items, a, b)
    # 6-7: emit, squeezing letters and collapsing separators
    k: list[str] = [" "]
    start = [0]
    end = [0]
    run = [1]
    rbits = [0]
    for c, cls, s, e, b in items:
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
    """Merge runs of one-character tokens separated by the same short separator (in place)."""
    if len(tokens) < 2:
        return
    out: list[list[int]] = []
    i = 0
    nt = len(tokens)

    def single(t: list[int]) -> bool:
        return t[1] - t[0] == 1 and items[t[0]][1] != EXCL

    while i < nt:
        t = tokens[i]
        if not single(t):
            out.append(t)
            i += 1
            continue
        sep = None
        j = i
        while j + 1 < nt and single(tokens[j + 1]):
            a, b = tokens[j][1], tokens[j + 1][0]
            if any(items[x][1] != SEP for x in range(a, b)):
                break
            gap = text[items[a - 1][3] : items[b][2]]
            if len(gap) > 3 or "\n" in gap or "\r" in gap:
                break
            if sep is None:
                sep = gap
            elif gap != sep:
                break
            j += 1
        count = j - i + 1
        all_letters = all(items[tokens[x][0]][1] == LETTER for x in range(i, j + 1))
        if count >= 3 or (count == 2 and all_letters):
            first, last = tokens[i][0], tokens[j][0]
            for x in range(first, last + 1):
                it = items[x]
                if it[1] == SEP:
                    it[1] = DEL
                else:
                    it[4] |= SPACED
            out.append([first, last + 1])
            i = j + 1
        else:
            out.append(t)
            i += 1
    tokens[:] = out
    # drop the separators of joined runs; token indices shift, so recompute them
    keep = [it for it in items if it[1] != DEL]
    if len(keep) != len(items):
        ids = {id(it): n for n, it in enumerate(keep)}
        new_tokens = []
        for a, b in tokens:
            members = [ids[id(items[x])] for x in range(a, b) if id(items[x]) in ids]
            new_tokens.append([members[0], members[-1] + 1])
        items[:] = keep
        tokens[:] = new_tokens


def _unleet(items: list[list], a: int, b: int) -> None:
    # '!' at either end is punctuation
    while a < b and items[a][1] == EXCL:
        items[a][1] = SEP
        a += 1
    while b > a and items[b - 1][1] == EXCL:
        items[b - 1][1] = SEP
        b -= 1
    if a >= b:
        return
    # a run of four or more '!' inside splits the token
    i = a
    while i < b:
        if items[i][1] == EXCL:
            j = i
            while j < b and items[j][1] == EXCL:
                j += 1
            if j - i >= 4:
                for x in range(i, j):
                    items[x][1] = SEP
                _unleet(items, a, i)
                _unleet(items, j, b)
                return
            i = j
        else:
            i += 1
    if not any(items[x][1] == LETTER for x in range(a, b)):
        for x in range(a, b):
            if items[x][1] in (SYM, EXCL):
                items[x][1] = SEP
                items[x][0] = " "
        return
    lo, hi = a, b
    j = a
    while j < b and items[j][1] == DIGIT:
        j += 1
    if j - a >= 2:
        lo = j
    j = b
    while j > lo and items[j - 1][1] == DIGIT:
        j -= 1
    if b - j >= 2:
        hi = j
    for x in range(lo, hi):
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
    for ch in sl:
        if ch.isascii():
            continue
        if ch in _VS or ch in _SKIN:
            bits |= EMOJI_VARIANT
            continue
        if ch == KEYCAP_MARK:
            bits |= KEYCAP
            continue
        bits |= char_info(ch)[1]
    return bits


# ---------------------------------------------------------------------------------------------
# Batch fast path

_TABLE_N = 0x3000


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point below _TABLE_N: (class, canonical code point) for the fast path."""
    cps, _ = _emoji_tables()
    cls = np.zeros(_TABLE_N + 1, dtype=np.uint8)
    canon = np.zeros(_TABLE_N + 1, dtype=np.uint32)
    for cp in range(_TABLE_N):
        ch = chr(cp)
        if ch in cps or ch in "#*" or ch == "\x00":
            continue  # emoji-capable, keycap bases and the batch joiner: reference path
        mapped, _bits = char_info(ch)
        if len(mapped) != 1:
            continue
        c, k = mapped[0]
        cls[cp] = k
        canon[cp] = ord(c)
    cls[ord("#")] = SEP
    cls[ord("*")] = SEP
    canon[ord("#")] = canon[ord("*")] = 32
    cls[0] = JOIN
    canon[0] = 1
    return cls, canon


@dataclass
class Batch:
    """Canonical text of many posts at once (fast posts only are valid)."""

    k: str
    starts: np.ndarray  # canonical index -> index in the joined original
    ends: np.ndarray
    run: np.ndarray
    post_base: np.ndarray  # index of each post's first character in the joined original
    post_kstart: np.ndarray  # canonical index of the frame space of each post
    slow: np.ndarray  # bool per post: use `canonicalize` instead


def _shift_prev(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    out[0] = False
    out[1:] = a[:-1]
    return out


def _shift_next(a: np.ndarray, k: int = 1) -> np.ndarray:
    out = np.zeros_like(a)
    if k < len(a):
        out[: len(a) - k] = a[k:]
    return out


def canonicalize_batch(posts: list[str]) -> Batch:
    """Canonicalise many posts at once; posts marked `slow` must go through `canonicalize`."""
    table_cls, table_canon = _tables()
    big = "\x00".join([" " + p + " " for p in posts])
    if big.isascii():
        cps = np.frombuffer(big.encode("ascii"), dtype=np.uint8)
        cls = table_cls[cps]
        canon = table_canon[cps]
    else:
        raw = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        idx = np.minimum(raw, _TABLE_N)
        cls = table_cls[idx]
        canon = table_canon[idx]
    lens = np.fromiter((len(p) + 2 for p in posts), dtype=np.int64, count=len(posts))
    ends_in_big = np.cumsum(lens + 1) - 1  # index of the joiner after each post
    post_base = ends_in_big - lens + 1  # first character of the post text (after the frame)
    n = len(cls)

    letter = cls == LETTER
    digit = cls == DIGIT
    sym = cls == SYM
    excl = cls == EXCL
    t1 = letter | digit | sym
    bad = cls == SLOW
    # leetspeak would change something
    near_letter = _shift_prev(letter) | _shift_next(letter)
    bad |= (digit | sym) & near_letter
    t_next = _shift_next(t1)
    x_next = _shift_next(excl)
    bad |= (
        excl
        & _shift_prev(t1)
        & (
            t_next
            | (x_next & _shift_next(t1, 2))
            | (x_next & _shift_next(excl, 2) & _shift_next(t1, 3))
        )
    )
    # apostrophes between letters vanish
    apos_del = (cls == APOS) & _shift_prev(letter) & _shift_next(letter)
    keep1 = ~apos_del
    kidx1 = np.flatnonzero(keep1)
    c1 = canon[kidx1]
    k1 = cls[kidx1]
    l1 = k1 == LETTER
    d1 = k1 == DIGIT
    tx = l1 | d1 | (k1 == SYM) | (k1 == EXCL)
    t1b = l1 | d1 | (k1 == SYM)
    single = t1b & ~_shift_prev(tx) & ~_shift_next(tx)
    spaced = single & (_shift_next(single, 2) | _shift_next(single, 3) | _shift_next(single, 4))
    # decimal marks survive only between digits
    dec_keep = (k1 == DEC) & _shift_prev(d1) & _shift_next(d1)
    is_space = (k1 == SEP) | (k1 == APOS) | (k1 == SYM) | (k1 == EXCL) | ((k1 == DEC) & ~dec_keep)
    c1 = np.where(is_space, np.uint32(32), c1)
    prev_c = np.empty_like(c1)
    prev_c[0] = 0
    prev_c[1:] = c1[:-1]
    drop = (is_space & _shift_prev(is_space)) | (l1 & (c1 == prev_c))
    kidx2 = np.flatnonzero(~drop)
    k_arr = c1[kidx2]
    starts = kidx1[kidx2]
    nxt = np.empty_like(kidx2)
    nxt[:-1] = kidx2[1:]
    nxt[-1] = len(kidx1)
    ends = kidx1[nxt - 1] + 1
    run = np.where(l1[kidx2], nxt - kidx2, 1)
    # posts with a slow character or trigger
    slow = np.zeros(len(posts), dtype=bool)
    flagged = np.flatnonzero(bad)
    if len(flagged):
        slow[np.searchsorted(ends_in_big, flagged)] = True
    flagged = kidx1[np.flatnonzero(spaced)]
    if len(flagged):
        slow[np.searchsorted(ends_in_big, flagged)] = True
    # the joiner itself is class JOIN, not SLOW; a joiner inside a post is caught by the caller
    if k_arr.size and int(k_arr.max()) < 128:
        ks = k_arr.astype(np.uint8).tobytes().decode("ascii")
    else:
        ks = k_arr.astype(np.uint32).tobytes().decode("utf-32-le")
    joiners = np.flatnonzero(k_arr == 1)
    post_kstart = np.empty(len(posts), dtype=np.int64)
    post_kstart[0] = 0
    post_kstart[1:] = joiners + 1
    del n
    return Batch(ks, starts, ends, run, post_base, post_kstart, slow)
