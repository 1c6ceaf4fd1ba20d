"""The batch path: `canonicalize_batch`, the rules of `reference.py` over many posts at once.

The stages have the names of the reference functions and run in the same order, so the two
files read side by side: `_units_to_items` (rules 1-2), `_apostrophes_and_decimals` and
`_exclamation_marks` (rule 3), `_join_spaced` with `_links` and `_kept_links` (rule 4),
`_unleet_sparse` around the reference `_unleet` (rule 5, in `batch_leet.py`), `_emit` (rules
6-7). There is no `_tokens`: token characters are a mask, and leetspeak finds the tokens it
needs around its triggers. Each stage is a few numpy passes over the joined batch (about twenty
in all); the rules for digits, symbols, apostrophes, invisible characters, emoji and one-letter
tokens look at those positions only. What a stage cannot do at that speed it reports to the
`SlowPosts` collector (`slow.py`), and the caller reads that post with the reference path.

Three index spaces: the joined batch (`raw`), the characters kept after the deletions of rules
1-3 (`kidx1` maps them to the joined batch) and the canonical text (`kidx3` maps it to kept).
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import numpy as np

from .batch_leet import _unleet_sparse
from .batch_result import Batch
from .batch_tables import SPACE, TABLE_N, base_tables, canon8
from .classes import (
    APOS,
    DEC,
    DIGIT,
    EMOD,
    EMOJI,
    EXCL,
    INV,
    JOIN,
    LEET,
    LETTER,
    RIC,
    SEP,
    SLOW,
    SPACED,
    SYM,
    SYMBOL,
    ZWJC,
)
from .slow import Reason, SlowPosts

# classes across which an invisible character simply vanishes in the batch path
_PLAIN = np.zeros(256, dtype=bool)
_PLAIN[[LETTER, DIGIT, DEC, APOS, SYM, EXCL, SEP]] = True
_TWO = 0x110000  # added to a two-character gap's first character: a separator apart


def canonicalize_batch(
    posts: list[str], tables: tuple[np.ndarray, np.ndarray] | None = None
) -> Batch:
    """Canonicalise many posts at once; posts marked `slow` must go through `canonicalize`.

    A post with NUL (the batch joiner) is left out of the joined batch, as if empty, and
    marked `slow` for that reason."""
    big = " " + " \x00 ".join(posts) + " "  # each post framed by spaces, joined by NUL
    nul: list[int] = []
    if big.count("\x00") != len(posts) - 1:
        nul = [i for i, p in enumerate(posts) if "\x00" in p]
        posts = [p if "\x00" not in p else "" for p in posts]
        big = " " + " \x00 ".join(posts) + " "
    raw, cls, canon = _lookup(big, tables if tables is not None else base_tables())
    lens = np.fromiter(map(len, posts), dtype=np.int64, count=len(posts)) + 2
    ends_in_big = np.cumsum(lens + 1) - 1  # index of the joiner after each post
    post_base = ends_in_big - lens + 1
    slow = SlowPosts(ends_in_big)
    if nul:
        slow.add(Reason.NUL, post_base[nul])

    near = _near(cls)
    drops = _units_to_items(cls, canon, near, slow)  # rules 1-2
    # rule 5 starts where a digit or symbol touches a letter: found while neighbours are known
    triggers = near.pos[((near.cls == DIGIT) | (near.cls == SYM)) & _beside(near, LETTER)]
    # rule 3, and the deletions of rules 1-3 leave: from here on, indices are kept indices
    cls, canon, kidx1, triggers = _apostrophes_and_decimals(cls, canon, near, drops, triggers)
    triggers = _exclamation_marks(cls, canon, triggers)  # rule 3
    pe = _pattern_emoji(cls, kidx1, slow)  # rule 7: the post must frame them already
    spaced = _join_spaced(cls, raw, kidx1)  # rule 4
    leet_pos: list[int] = []
    if len(triggers) or spaced.chains:  # rule 5
        leet_pos = _unleet_sparse(cls, canon, triggers, spaced.chains)
    k_arr, kidx3, letter, is_space = _emit(cls, canon, spaced)  # rules 6-7
    deleted = len(kidx1) < len(raw)  # rules 1-3 deleted characters
    ends_over, run_delta = _span_fixes(kidx1, kidx3, letter, pe, deleted, spaced)
    bits_map = _bits_map(kidx3, is_space, spaced.spaced_pos, leet_pos)
    joiners = np.flatnonzero(k_arr == 1)
    post_kstart = np.empty(len(posts), dtype=np.int64)
    post_kstart[0] = 0
    post_kstart[1:] = joiners + 1
    maps = (kidx1, kidx3, letter, ends_over, run_delta, bits_map)
    return Batch(_as_str(k_arr), k_arr, *maps, post_base, post_kstart, slow)


def _lookup(big: str, tables: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The joined batch as code points, with the class and canonical code point of each."""
    cls_table, canon_table = tables
    if big.isascii():
        raw = np.frombuffer(big.encode("ascii"), dtype=np.uint8)
        # `take` is about twice as fast as fancy indexing
        return raw, np.take(cls_table, raw), np.take(canon8(), raw)
    raw = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    idx = np.minimum(raw, TABLE_N)
    return raw, np.take(cls_table, idx), np.take(canon_table, idx)


class _Near(NamedTuple):
    """The special characters (neither letter nor separator) with their own class and those of
    their neighbours. `prev` and `next` are rewritten where an invisible character vanishes
    between plain characters."""

    pos: np.ndarray
    cls: np.ndarray
    prev: np.ndarray
    next: np.ndarray


def _near(cls: np.ndarray) -> _Near:
    spec = np.flatnonzero((cls != LETTER) & (cls != SEP))  # never at either end: frame spaces
    return _Near(spec, cls[spec], cls[spec - 1], cls[np.minimum(spec + 1, len(cls) - 1)])


def _beside(near: _Near, c: int) -> np.ndarray:
    return (near.prev == c) | (near.next == c)


def _units_to_items(
    cls: np.ndarray, canon: np.ndarray, near: _Near, slow: SlowPosts
) -> list[np.ndarray]:
    """Rules 1-2 beyond the table lookup: invisible characters, emoji sequences, flags and
    modifiers; emoji no pattern uses become separators. Returns the positions to delete."""
    slow.add(Reason.UNMAPPED, near.pos[near.cls == SLOW])
    drops: list[np.ndarray] = []
    is_inv = near.cls == INV
    if is_inv.any():
        drops.append(_invisibles(cls, near, is_inv, slow))
    is_zwj = near.cls == ZWJC
    if is_zwj.any():
        drops.extend(_zwj_sequences(cls, near, is_zwj, slow))
    is_ri = near.cls == RIC
    if is_ri.any():
        drops.append(_flags(cls, canon, near.pos[is_ri]))
    is_emod = near.cls == EMOD
    if is_emod.any():
        emod_ok = (near.prev == EMOJI) | (near.prev == EMOD) | (near.prev == JOIN)
        emod_ok |= near.prev == SYMBOL
        # also after a flag letter, where the reference path reads it into the flag
        slow.add(Reason.STRAY_MODIFIER, near.pos[is_emod & ~emod_ok])
        drops.append(near.pos[is_emod])
    to_sep = near.pos[(near.cls == EMOJI) | (near.cls == SYMBOL)]
    cls[to_sep] = SEP
    canon[to_sep] = 32
    return drops


def _invisibles(cls: np.ndarray, near: _Near, is_inv: np.ndarray, slow: SlowPosts) -> np.ndarray:
    """Invisible characters vanish; between plain characters their neighbours meet as in the
    reference path (`3\u200b1\u200b9` is `319`); next to emoji, the post is slow."""
    inv = near.pos[is_inv]
    starts = np.ones(len(inv), dtype=bool)
    starts[1:] = np.diff(inv) != 1
    first = inv[starts]
    last = inv[np.append(starts[1:], True)]
    before = cls[first - 1]
    after = cls[np.minimum(last + 1, len(cls) - 1)]
    plain = _PLAIN[before] & _PLAIN[after]
    pc, nc = near.prev, near.next
    left = np.flatnonzero((pc == INV) & ~is_inv)  # a run of invisibles ends before
    r = np.searchsorted(last, near.pos[left] - 1)
    pc[left[plain[r]]] = before[r[plain[r]]]
    right = np.flatnonzero((nc == INV) & ~is_inv)  # a run starts after
    r = np.searchsorted(first, near.pos[right] + 1)
    nc[right[plain[r]]] = after[r[plain[r]]]
    slow.add(Reason.INVISIBLE_NEXT_TO_EMOJI, near.pos[~is_inv & ((pc == INV) | (nc == INV))])
    return inv


def _zwj_sequences(
    cls: np.ndarray, near: _Near, is_zwj: np.ndarray, slow: SlowPosts
) -> list[np.ndarray]:
    """Inside an emoji ZWJ sequence the joiner and the next emoji vanish into the first."""
    pc = near.prev
    seq = is_zwj & ((pc == EMOJI) | (pc == EMOD) | (pc == SYMBOL)) & (near.next == EMOJI)
    slow.add(Reason.LONE_JOINER, near.pos[is_zwj & ~seq])
    on_emod = near.pos[seq & (pc == EMOD)].tolist()
    if on_emod:
        # a sequence on a pattern emoji with modifiers is another emoji (`🏴️‍😂` is no
        # black flag), which only the reference path knows
        clsb = cls.tobytes()
        hits = []
        for z in on_emod:
            base = z - 1
            while base > 0 and clsb[base] == EMOD:
                base -= 1
            if clsb[base] == JOIN:
                hits.append(z)
        slow.add(Reason.MODIFIED_PATTERN_EMOJI_SEQUENCE, np.array(hits, dtype=np.int64))
    joined = near.pos[seq]
    return [joined, joined + 1]


def _flags(cls: np.ndarray, canon: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """Regional indicators pair up left to right into flags: the first of a pair stays (an
    emoji no pattern uses: a separator), the second is deleted."""
    first = np.ones(len(ri), dtype=bool)
    first[1:] = np.diff(ri) != 1
    run_id = np.cumsum(first) - 1
    offset = np.arange(len(ri)) - np.flatnonzero(first)[run_id]
    lead = ri[offset % 2 == 0]
    cls[lead] = SEP
    canon[lead] = 32
    return ri[offset % 2 == 1]


def _apostrophes_and_decimals(
    cls: np.ndarray,
    canon: np.ndarray,
    near: _Near,
    drops: list[np.ndarray],
    triggers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rule 3: an apostrophe between two letters is deleted, `.`/`,` between two digits kept;
    otherwise both are separators. Then every deleted character of rules 1-3 leaves at once:
    returns the kept classes, canonical code points, their indices in the joined batch
    (`kidx1`) and `triggers` as kept indices."""
    sc, pc, nc = near.cls, near.prev, near.next
    drops.append(near.pos[(sc == APOS) & (pc == LETTER) & (nc == LETTER)])
    dec_keep = (sc == DEC) & (pc == DIGIT) & (nc == DIGIT)
    to_sep = near.pos[((sc == DEC) & ~dec_keep) | (sc == APOS)]
    cls[to_sep] = SEP
    canon[to_sep] = 32
    deleted = np.concatenate(drops) if len(drops) > 1 else drops[0]
    if not len(deleted):
        return cls, canon, np.arange(len(cls)), triggers
    keep = np.ones(len(cls), dtype=bool)
    keep[deleted] = False
    kidx1 = np.flatnonzero(keep)
    if len(triggers):
        triggers = np.searchsorted(kidx1, triggers)
    return cls[keep], canon[keep], kidx1, triggers  # a mask selects faster than an index array


def _exclamation_marks(cls: np.ndarray, canon: np.ndarray, triggers: np.ndarray) -> np.ndarray:
    """Rule 3: a run of `!` is punctuation unless token characters stand on both of its sides;
    the runs inside tokens join the leetspeak triggers."""
    ex = np.flatnonzero(cls == EXCL)
    if not len(ex):
        return triggers
    n = len(cls)
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
    return triggers


def _pattern_emoji(cls: np.ndarray, kidx1: np.ndarray, slow: SlowPosts) -> np.ndarray:
    """The kept positions of pattern emoji (and batch joiners). The reference path frames a
    pattern emoji with spaces; here it must already stand between separators."""
    pe = np.flatnonzero(cls == JOIN)
    if len(pe):
        n = len(cls)
        lone = (cls[np.maximum(pe - 1, 0)] != SEP) | (cls[np.minimum(pe + 1, n - 1)] != SEP)
        slow.add(Reason.PATTERN_EMOJI_TOUCHES_TEXT, kidx1[pe[lone]])
    return pe


class _Spaced(NamedTuple):
    """What `_join_spaced` decided, in kept indices."""

    link_l: np.ndarray  # the left token of each kept link
    link_r: np.ndarray  # its right token
    gaps: np.ndarray  # the separators that links drop, sorted
    gap_left: np.ndarray  # the left token of each
    spaced_pos: np.ndarray  # the tokens of kept links (reason SPACED)
    chains: list[np.ndarray]  # chains with digits or symbols: leetspeak reads them as a token


_NONE = np.zeros(0, dtype=np.int64)
_NONE.flags.writeable = False  # shared by every batch without links


def _join_spaced(cls: np.ndarray, raw: np.ndarray, kidx1: np.ndarray) -> _Spaced:
    """Rule 4: one-character tokens apart by one separator character, or by a punctuation
    character and a space (`g. r. o`), are linked; chains of kept links become one token."""
    n = len(cls)
    letter = cls == LETTER
    tok = letter | (cls == DIGIT) | (cls == SYM)  # comparisons: much faster than a lookup
    tokx = tok | (cls == EXCL)
    single = np.zeros(n, dtype=bool)
    single[1:-1] = tok[1:-1] & ~tokx[:-2] & ~tokx[2:]
    sp = np.flatnonzero(single)
    link_l = link_r = _NONE
    if len(sp) > 1:
        link_l, link_r, gch = _links(cls, raw, kidx1, sp)
    if not len(link_l):
        return _Spaced(link_l, link_r, _NONE, _NONE, _NONE, [])
    link_l, link_r, best = _kept_links(link_l, link_r, gch)
    if not len(link_l):
        return _Spaced(link_l, link_r, _NONE, _NONE, _NONE, [])
    # a chain joins when it has three or more characters, or only letters, or when its group
    # has more links with its separator (`1-4 w-o-r-t-e`)
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
    spaced_pos = _sorted_unique(np.concatenate((link_l, link_r)))
    chains = []
    for c in np.flatnonzero(ok & has_nonletter).tolist():
        at = cid == c
        chains.append(np.append(link_l[at], link_r[at][-1]))
    return _Spaced(link_l, link_r, gaps[order], gap_left[order], spaced_pos, chains)


def _links(
    cls: np.ndarray, raw: np.ndarray, kidx1: np.ndarray, sp: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Links between the one-character tokens `sp`, by left token: (left, right, gap), the gap
    one separator character (not a line break), or a punctuation character and a space."""
    step = np.diff(sp)
    one = sp[:-1][step == 2]  # single at i and i + 2
    gch = raw[kidx1[one + 1]].astype(np.int64)
    ok1 = (cls[one + 1] == SEP) & (gch != 10) & (gch != 13)
    two = sp[:-1][step == 3]
    g1 = raw[kidx1[two + 1]].astype(np.int64)
    ok2 = (cls[two + 1] == SEP) & (cls[two + 2] == SEP) & (raw[kidx1[two + 2]] == 32)
    ok2 &= ~SPACE[np.minimum(g1, len(SPACE) - 1)]
    # a two-character gap is its punctuation character and the space: a separator of its
    # own, apart from the same character alone
    link_l = np.concatenate((one[ok1], two[ok2]))
    link_r = np.concatenate((one[ok1] + 2, two[ok2] + 3))
    gch = np.concatenate((gch[ok1], g1[ok2] + _TWO))
    order = np.argsort(link_l, kind="stable")
    return link_l[order], link_r[order], gch[order]


def _kept_links(
    link_l: np.ndarray, link_r: np.ndarray, gch: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The links that stay, with the number of links of their group that use their gap: in a
    group of connected links the gap used most often (strictly) links letters, the others split
    words; on a tie no link of the group stays (a lone link is a group without a tie)."""
    gstart = np.ones(len(link_l), dtype=bool)
    gstart[1:] = link_l[1:] != link_r[:-1]
    gid = np.cumsum(gstart) - 1
    best = np.bincount(gid)[gid]  # links with the kept separator in the group
    mixed_g = _sorted_unique(gid[1:][~gstart[1:] & (gch[1:] != gch[:-1])])
    if not len(mixed_g):
        return link_l, link_r, best
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
    return link_l[keep], link_r[keep], best[keep]


def _emit(
    cls: np.ndarray, canon: np.ndarray, spaced: _Spaced
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rules 6-7: separators collapse to one space, repeated letters squeeze, the separators
    that links drop vanish. Returns the canonical code points, `kidx3`, and per kept character
    whether it is a letter and whether it is a space."""
    is_space = cls >= SYM  # see classes.py: the order of the classes makes this one test
    c = canon  # a fresh array of this call: spaces are written into it in place
    np.putmask(c, is_space, 32)
    gaps = spaced.gaps
    if len(gaps):
        is_space[gaps] = False  # dropped gaps are nothing, not the space that is kept
    letter = cls == LETTER  # leetspeak made new letters
    drop = np.zeros(len(cls), dtype=bool)
    drop[1:] = (is_space[1:] & is_space[:-1]) | (letter[1:] & (c[1:] == c[:-1]))
    if len(gaps):
        drop[gaps] = True
        # letters meeting across a dropped separator squeeze as well (`i i` -> `i`, run 2)
        link_l, link_r = spaced.link_l, spaced.link_r
        same = letter[link_l] & letter[link_r] & (c[link_l] == c[link_r])
        same |= is_space[link_l] & is_space[link_r]
        drop[link_r[same]] = True
    kept = ~drop
    return c[kept], np.flatnonzero(kept), letter, is_space


def _span_fixes(
    kidx1: np.ndarray,
    kidx3: np.ndarray,
    letter: np.ndarray,
    pe: np.ndarray,
    deleted: bool,
    spaced: _Spaced,
) -> tuple[dict[int, int], dict[int, int]]:
    """Where a canonical character's span end and letter run differ from what the index maps
    say: (end by canonical index, run decrease by canonical index)."""
    n = len(letter)
    ends_over: dict[int, int] = {}
    run_delta: dict[int, int] = {}
    if len(pe) and deleted:
        # a pattern emoji's span covers its deleted modifiers (VS16, skin tone)
        inner = pe[pe + 1 < n]
        inner = inner[kidx1[inner + 1] != kidx1[inner] + 1]  # elsewhere the span is as usual
        ends_over.update(
            zip(np.searchsorted(kidx3, inner).tolist(), (kidx1[inner + 1]).tolist(), strict=True)
        )
    gaps = spaced.gaps
    if len(gaps):
        # the separators dropped inside spaced runs are no part of a letter's run or span
        owner = np.searchsorted(kidx3, gaps, side="right") - 1
        for o in owner[letter[kidx3[owner]]].tolist():
            run_delta[o] = run_delta.get(o, 0) + 1
        after = kidx3[np.minimum(owner + 1, len(kidx3) - 1)]
        nxt_owner = np.where(owner + 1 < len(kidx3), after, n)
        last = gaps == nxt_owner - 1
        ends_over.update(
            zip(owner[last].tolist(), (kidx1[spaced.gap_left[last]] + 1).tolist(), strict=True)
        )
    return ends_over, run_delta


def _bits_map(
    kidx3: np.ndarray, is_space: np.ndarray, spaced_pos: np.ndarray, leet_pos: list[int]
) -> dict[int, int]:
    """Reason bits SPACED and LEET by canonical index (the others are read from the original)."""
    bits_map: dict[int, int] = {}
    for pos, bit in ((spaced_pos, SPACED), (np.asarray(leet_pos, dtype=np.int64), LEET)):
        if len(pos):
            pos = pos[~is_space[pos]]
            for i in (np.searchsorted(kidx3, pos, side="right") - 1).tolist():
                bits_map[i] = bits_map.get(i, 0) | bit
    return bits_map


def _as_str(k_arr: np.ndarray) -> str:
    """The canonical code points as a string, through the narrowest codec that holds them."""
    if k_arr.dtype == np.uint8:
        return k_arr.tobytes().decode("ascii")
    top = int(k_arr.max()) if len(k_arr) else 0
    if top < 256:
        return k_arr.astype(np.uint8).tobytes().decode("latin-1")
    # 16-bit code units (the tables), and canonical text has no surrogates
    return k_arr.tobytes().decode("utf-16-le")


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """`np.unique(a)`: the same, without its fixed cost of a few hundred microseconds."""
    if len(a) < 2:
        return a
    s = np.sort(a)
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]
