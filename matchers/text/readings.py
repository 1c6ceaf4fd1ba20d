"""Alternative readings of tokens where letters touch digits (`with_readings`).

Canonicalisation keeps the digit runs at the ends of such a token a number (`c18`, `14words`).
Two other readings are tried as well: `leet` reads those digits as leetspeak too (`wh173
power`, `70tenkopf`), `split` parts them from the letters (`heil1488` -> `heil 1488`). Each such
token is canonicalised again on its own with the reading (`canon.canonicalize(reading=...)`,
cached per token), spliced into the post's canonical text, and the spliced text searched and
resolved like a post of its own. A `split` match at such a cut counts only when the piece on the
other side of the cut matches as well (`heil1488`, not `covid1488`); a longer occurrence of an
entry found this way replaces the shorter ones it covers (`r4b14 51gn`).
"""

from __future__ import annotations

from .. import canon as nz
from .fuzzy import FuzzyHit
from .index import TextIndex
from .resolve import Hit, resolve
from .rules import TextMatch
from .views import ListView, View

__all__ = ["with_readings"]

READINGS = ("leet", "split")
# Tokens read another way are kept per index, bounded by the characters they hold: a cached
# canonical form takes about 100 bytes a character, so 200,000 characters are about 20 MB.
# Tokens longer than 256 characters (random strings, not words) are read again each time.
_TOKEN_CACHE_CHARS = 200_000
_TOKEN_CACHED_MAX_LEN = 256
# (start, end in the post's canonical text, original start, the token canonicalised with the
# reading, its start in the spliced text) of one letter-digit token
_Spliced = tuple[int, int, int, nz.Canon, int]


def with_readings(
    ix: TextIndex,
    text: str,
    primary: list[TextMatch],
    view: View,
    include_weak: bool,
    fuzzy: bool,
    glued: list[int] | None = None,
) -> list[TextMatch]:
    """`primary` (the post's matches) with the matches of the other readings added.

    `glued`: the positions in the post's canonical text where a letter touches a digit, if
    the caller has them already."""
    k = view.k[view.klo : view.khi]
    n = len(k) - 1 if k.endswith("\x01") else len(k)
    if glued is None:
        glued = nz.letter_digit_positions(k[:n]).tolist()
    toks = _letter_digit_tokens(k, n, glued)
    if not toks:
        return primary
    found = list(primary)
    arrays = None
    for reading in READINGS:
        # the spliced canonical text first; the offsets only when a hit touches a token
        ks, spliced = _splice(ix, text, view, k, n, toks, reading)
        if ks == k[:n]:
            continue
        hits = ix.keys.find(ks)
        fz = ix.fuzzy.hits(ks, fuzzy) if ix.fuzzy.wanted(fuzzy) else []
        if not _touches(hits, fz, spliced):
            continue
        if arrays is None:
            arrays = view.arrays()
        canon, cuts = _spliced_canon(arrays, spliced, ks, n)
        ms = resolve(ix, text, ListView(canon), hits, fz, True)
        if cuts:
            ms = _whole_at_cuts(ms, cuts)
        found = _merge(found, ms, include_weak)
    if found != primary:
        found.sort(key=lambda m: (m.start, m.end, m.entry_id))
    return found


def _letter_digit_tokens(k: str, n: int, glued: list[int]) -> list[tuple[int, int]]:
    """(start, end) in `k` of each token holding one of the `glued` positions."""
    toks: list[tuple[int, int]] = []
    for p in glued:
        if toks and p < toks[-1][1]:
            continue
        a = k.rfind(" ", 0, p) + 1
        b = k.find(" ", p)
        toks.append((a, n if b < 0 else b))
    return toks


def _splice(
    ix: TextIndex,
    text: str,
    view: View,
    k: str,
    n: int,
    toks: list[tuple[int, int]],
    reading: str,
) -> tuple[str, list[_Spliced]]:
    """The post's canonical text with each token canonicalised with `reading` instead."""
    cache = ix.token_cache
    pieces: list[str] = []
    spliced: list[_Spliced] = []
    prev = 0
    at = 0
    for a, b in toks:
        pieces.append(k[prev:a])
        at += a - prev
        o = view.ostart(view.klo + a)
        tok = text[o : view.oend(view.klo + b - 1)]
        t = cache.get((tok, reading))
        if t is None:
            t = nz.canonicalize(tok, ix.codes, reading)
            if len(tok) <= _TOKEN_CACHED_MAX_LEN:
                ix.token_cache_chars += len(tok)
                if ix.token_cache_chars > _TOKEN_CACHE_CHARS:
                    cache.clear()
                    ix.token_cache_chars = len(tok)
                cache[tok, reading] = t
        pieces.append(t.k[1:-1])
        spliced.append((a, b, o, t, at))
        at += len(t.k) - 2
        prev = b
    pieces.append(k[prev:n])
    return "".join(pieces), spliced


def _touches(hits: list[Hit], fz: list[FuzzyHit], spliced: list[_Spliced]) -> bool:
    """Whether a hit in the spliced text overlaps a token read another way."""
    regions = [(at - 1, at + len(t.k) - 1) for _a, _b, _o, t, at in spliced]
    return any(
        e - kl + 1 < r1 and e >= r0 for e, (kl, _items) in hits for r0, r1 in regions
    ) or any(cs < r1 and ce > r0 for cs, ce, _it in fz for r0, r1 in regions)


def _spliced_canon(
    arrays: tuple[list[int], list[int], list[int], list[int]],
    spliced: list[_Spliced],
    ks: str,
    n: int,
) -> tuple[nz.Canon, set[int]]:
    """The spliced text with its offsets into the original post, and the original offsets
    where `split` cut a token."""
    start, end, run, bits = arrays
    st: list[int] = []
    en: list[int] = []
    ru: list[int] = []
    bi: list[int] = []
    cuts: set[int] = set()
    prev = 0
    for a, b, o, t, _at in spliced:
        st += start[prev:a]
        en += end[prev:a]
        ru += run[prev:a]
        bi += bits[prev:a]
        m = len(t.k) - 1
        st += [x + o for x in t.start[1:m]]
        en += [x + o for x in t.end[1:m]]
        ru += t.run[1:m]
        bi += t.bits[1:m]
        cuts.update(t.start[i] + o for i in range(1, m) if t.k[i] == " " and t.start[i] == t.end[i])
        prev = b
    st += start[prev:n]
    en += end[prev:n]
    ru += run[prev:n]
    bi += bits[prev:n]
    return nz.Canon(ks, st, en, ru, bi), cuts


def _whole_at_cuts(ms: list[TextMatch], cuts: set[int]) -> list[TextMatch]:
    """Matches that start or end at a cut only when another match continues there."""
    starts = {m.start for m in ms}
    ends = {m.end for m in ms}
    return [
        m
        for m in ms
        if (m.start not in cuts or m.start in ends) and (m.end not in cuts or m.end in starts)
    ]


def _merge(found: list[TextMatch], ms: list[TextMatch], include_weak: bool) -> list[TextMatch]:
    """`found` with the matches of a reading added, where no occurrence of their entry is
    there yet or they are longer than those they cover."""
    for m in ms:
        if m.weak and not include_weak:
            continue
        same = [
            f for f in found if f.entry_id == m.entry_id and f.start < m.end and m.start < f.end
        ]
        if all(
            m.start <= f.start and f.end <= m.end and f.end - f.start < m.end - m.start
            for f in same
        ) or (not m.weak and all(f.weak and (f.start, f.end) == (m.start, m.end) for f in same)):
            # (a strict reading of an occurrence replaces a weak one, so that a scan with
            # `include_weak` reports every strict match of the scan without it)
            # a longer occurrence of the entry replaces those it covers (`r4b14 51gn`)
            found = [f for f in found if f not in same]
            found.append(m)
    return found
