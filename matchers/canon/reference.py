"""The reference path: `canonicalize`, one small function per rule of the package docstring.

It reads one text one item at a time. Patterns, posts the batch path marks slow and tokens read
another way (`reading=`) go through it; `batch.py` has a stage of the same name per function.
"""

from __future__ import annotations

from dataclasses import dataclass

from .chars import char_info
from .classes import (
    APOS,
    DEC,
    DEL,
    DIACRITIC,
    DIGIT,
    EMOJI_VARIANT,
    EXCL,
    JOIN,
    KEYCAP,
    LEET,
    LETTER,
    SEP,
    SPACED,
    SYM,
)
from .tables import LEET_MAP
from .units import U_EMOJI, U_KEYCAP, emoji_key, segment

_SPLIT = 1 << 20  # item bit above the reason bits: a separator goes before this item (`split`)
_TOKEN = (LETTER, DIGIT, SYM, EXCL)  # the classes tokens are made of
_OPERAND = (LETTER, DIGIT, SYM)  # the classes that make a `!` between them part of a token


@dataclass
class Canon:
    """Canonical text `k` with, per canonical character, its original span and letter run."""

    k: str
    start: list[int]
    end: list[int]
    run: list[int]
    bits: list[int]


@dataclass(slots=True)
class Item:
    """A canonical character in the making: its class, original span and reason bits."""

    char: str
    cls: int
    start: int
    end: int
    bits: int


def canonicalize(
    text: str, emoji_codes: dict[str, str] | None = None, reading: str = "number"
) -> Canon:
    """Reference canonicalisation of one text (see the package docstring).

    `reading` decides the runs of two or more digits at the ends of a token with letters:
    `number` keeps them (`c18`, `14words`), `leet` reads them as leetspeak too (`wh173`,
    `70tenkopf`), `split` keeps them as numbers apart from the letters (`heil1488` -> `heil
    1488`). The alternative readings are for `TextMatcher`; the canonical form is `number`."""
    items = _units_to_items(text, emoji_codes or {})  # rules 1-2
    items = _apostrophes_and_decimals(items)  # rule 3
    _exclamation_marks(items)  # rule 3
    tokens = _tokens(items)  # rule 4
    _join_spaced(text, items, tokens)  # rule 4
    for a, b in tokens:  # rule 5
        _unleet(items, a, b, reading)
    return _emit(items, len(text))  # rules 6-7


def _units_to_items(text: str, emoji_codes: dict[str, str]) -> list[Item]:
    """Rules 1-2: units, each mapped to items; deleted characters leave their bits to the next
    item, a combining mark joins the letter before it (also its span)."""
    items: list[Item] = []
    pending_bits = 0
    for s, e, kind in segment(text):
        if kind == U_KEYCAP:
            if text[s].isdigit():
                items.append(Item(text[s], DIGIT, s, e, KEYCAP | pending_bits))
            else:
                items.append(Item(" ", SEP, s, e, KEYCAP | pending_bits))
            pending_bits = 0
            continue
        if kind == U_EMOJI:
            seq = text[s:e]
            code = emoji_codes.get(emoji_key(seq))
            if code is None:  # an emoji no pattern uses is a separator
                items.append(Item(" ", SEP, s, e, 0))
            else:  # a pattern emoji is a token of its own, framed by spaces
                b = EMOJI_VARIANT if emoji_key(seq) != seq else 0
                items.append(Item(" ", SEP, s, s, 0))
                items.append(Item(code, JOIN, s, e, b | pending_bits))
                items.append(Item(" ", SEP, e, e, 0))
            pending_bits = 0
            continue
        mapped, bits = char_info(text[s])
        if not mapped:
            if bits == DIACRITIC and items:
                last = items[-1]
                if last.end == s and last.cls == LETTER:
                    last.end = e
                    last.bits |= DIACRITIC
                    continue
            pending_bits |= bits
            continue
        for c, cls in mapped:
            items.append(Item(c, cls, s, e, bits | pending_bits))
            pending_bits = 0
    return items


def _apostrophes_and_decimals(items: list[Item]) -> list[Item]:
    """Rule 3: an apostrophe between two letters is deleted (`don't`), `.`/`,` between two
    digits is kept (`88,5`); otherwise both are separators."""
    n = len(items)
    deleted = False
    for i in range(n):
        it = items[i]
        cls = it.cls
        if cls in (APOS, DEC):
            prev = items[i - 1].cls if i > 0 else SEP
            nxt = items[i + 1].cls if i + 1 < n else SEP
            if cls == APOS:
                if prev == LETTER and nxt == LETTER:
                    it.cls = DEL
                    deleted = True
                else:
                    it.char, it.cls = " ", SEP
            elif not (prev == DIGIT and nxt == DIGIT):
                it.char, it.cls = " ", SEP
    return [it for it in items if it.cls != DEL] if deleted else items


def _exclamation_marks(items: list[Item]) -> None:
    """Rule 3: a run of `!` is punctuation unless token characters stand on both of its sides
    (`h!tler`)."""
    n = len(items)
    i = 0
    while i < n:
        if items[i].cls != EXCL:
            i += 1
            continue
        j = i
        while j < n and items[j].cls == EXCL:
            j += 1
        inner = i > 0 and items[i - 1].cls in _OPERAND and j < n and items[j].cls in _OPERAND
        if not inner:
            for x in range(i, j):
                items[x].char, items[x].cls = " ", SEP
        i = j


def _tokens(items: list[Item]) -> list[tuple[int, int]]:
    """Rule 4: tokens as index ranges, runs of letters, digits and the leet symbols `@ $ !`."""
    tokens: list[tuple[int, int]] = []
    n = len(items)
    i = 0
    while i < n:
        if items[i].cls in _TOKEN:
            j = i + 1
            while j < n and items[j].cls in _TOKEN:
                j += 1
            tokens.append((i, j))
            i = j
        else:
            i += 1
    return tokens


def _join_spaced(text: str, items: list[Item], tokens: list[tuple[int, int]]) -> None:
    """Rule 4: merge runs of one-character tokens apart by one separator (in place).

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
    gapc = _links(text, items, tokens)
    if not any(gapc):
        return
    kept, group = _kept_links(gapc)
    out: list[tuple[int, int]] = []
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
        letters = all(items[tokens[x][0]].cls == LETTER for x in range(j, m + 1))
        if m - j + 1 >= 3 or letters or group[j] >= 2:
            for x in range(j, m + 1):
                items[tokens[x][0]].bits |= SPACED
            for x in range(j, m):
                drop.update(range(tokens[x][1], tokens[x + 1][0]))
            out.append((tokens[j][0], tokens[m][1]))
        else:
            out.extend(tokens[j : m + 1])
        j = m + 1
    if not drop:
        return
    remap: list[int] = []
    keep: list[Item] = []
    for x, it in enumerate(items):
        remap.append(len(keep))
        if x not in drop:
            keep.append(it)
    remap.append(len(keep))
    items[:] = keep
    tokens[:] = [(remap[a], remap[b]) for a, b in out]


def _links(text: str, items: list[Item], tokens: list[tuple[int, int]]) -> list[str]:
    """Per token, the gap (one separator, or punctuation and a space) that links it to the next
    one-character token, or "" when it is not linked."""
    nt = len(tokens)
    single = [items[a].start == items[b - 1].start for a, b in tokens]
    gapc = [""] * nt
    for j in range(nt - 1):
        a, b = tokens[j][1], tokens[j + 1][0]
        if not (single[j] and single[j + 1]) or items[a].cls != SEP:
            continue
        g = text[items[a].start] if items[a].end > items[a].start else " "
        if b - a == 1:
            if g not in "\n\r":
                gapc[j] = g
        elif b - a == 2 and items[a + 1].cls == SEP and not g.isspace():
            second = items[a + 1]
            if second.end > second.start and text[second.start] == " ":
                gapc[j] = g + " "
    return gapc


def _kept_links(gapc: list[str]) -> tuple[list[bool], list[int]]:
    """Per link, whether it stays (its group's most used gap, strictly, or a lone link) and how
    many links of its group use that gap."""
    nt = len(gapc)
    kept = [False] * nt
    group = [0] * nt
    j = 0
    while j < nt:
        if not gapc[j]:
            j += 1
            continue
        m = j
        while m < nt and gapc[m]:
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
    return kept, group


def _unleet(items: list[Item], a: int, b: int, reading: str = "number") -> None:
    """Rule 5: undo leetspeak in the token items[a:b] (in place).

    A run of two or more digits at either end of the token is a number (`14words`) when all the
    token's digits are in such runs (`r3m1gr4t13` is leetspeak throughout), except when
    `reading` is `leet`; `split` marks such a number to stand apart from the letters. `!` at
    either end is punctuation; a token without letters keeps its digits and loses `@ $ !`."""
    lo, hi = a, b
    j = a
    while j < b and items[j].cls == DIGIT:
        j += 1
    lead = j - a
    j = b
    while j > a and items[j - 1].cls == DIGIT:
        j -= 1
    trail = b - j
    digits = sum(1 for x in range(a, b) if items[x].cls == DIGIT)
    lead = lead if lead >= 2 else 0
    trail = trail if trail >= 2 else 0
    if lead + trail == digits and reading != "leet":
        lo, hi = a + lead, max(b - trail, a + lead)
        if reading == "split" and lo < hi:
            if lead:
                items[lo].bits |= _SPLIT
            if trail:
                items[hi].bits |= _SPLIT
    while a < b and items[a].cls == EXCL:
        items[a].cls = SEP
        a += 1
    while b > a and items[b - 1].cls == EXCL:
        items[b - 1].cls = SEP
        b -= 1
    if a >= b or not any(items[x].cls == LETTER for x in range(a, b)):
        for x in range(a, b):
            if items[x].cls in (SYM, EXCL):
                items[x].cls = SEP
        return
    for x in range(max(lo, a), min(hi, b)):
        it = items[x]
        if it.cls in (DIGIT, SYM, EXCL):
            to = LEET_MAP.get(it.char)
            if to is not None:
                it.char, it.cls = to, LETTER
                it.bits |= LEET


def _emit(items: list[Item], n: int) -> Canon:
    """Rules 6-7: emit the canonical text of a text of length `n`, squeezing repeated letters
    (keeping the run length) and collapsing separators into one space, framed by spaces."""
    k: list[str] = [" "]
    start = [0]
    end = [0]
    run = [1]
    rbits = [0]
    for it in items:
        b = it.bits
        if b & _SPLIT and k[-1] != " ":
            k.append(" ")
            start.append(it.start)
            end.append(it.start)
            run.append(1)
            rbits.append(0)
        cls = it.cls
        if cls in (SEP, SYM, EXCL):
            if k[-1] == " ":
                if it.end > end[-1]:
                    end[-1] = it.end
                continue
            k.append(" ")
            start.append(it.start)
            end.append(it.end)
            run.append(1)
            rbits.append(0)
            continue
        c = it.char
        if cls == LETTER and k[-1] == c:
            if it.end > end[-1]:
                end[-1] = it.end
            run[-1] += 1
            rbits[-1] |= b & (LEET | SPACED)
            continue
        k.append(c)
        start.append(it.start)
        end.append(it.end)
        run.append(1)
        rbits.append(b & (LEET | SPACED))
    if k[-1] != " ":
        k.append(" ")
        start.append(n)
        end.append(n)
        run.append(1)
        rbits.append(0)
    return Canon("".join(k), start, end, run, rbits)
