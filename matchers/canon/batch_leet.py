"""Rule 5 on the batch path: leetspeak token by token around its triggers, with the reference
`_unleet` (cached per token), and where digits and letters touch in canonical text."""

from __future__ import annotations

import numpy as np

from .classes import DIGIT, EXCL, LEET, LETTER, SEP, SYM
from .reference import Item, _unleet

# `_unleet` per token, by the token's canonical characters and classes: (index in the token,
# new class, new canonical code point, whether it is leetspeak) per changed character. Bound by
# count, cleared when it holds more than _UNLEET_CACHE_MAX tokens, so that a long stream of
# distinct tokens cannot grow it without end; tokens longer than _UNLEET_CACHED_MAX_LEN (random
# strings, not words, which hold kilobytes each and never come again) are not kept.
_UNLEET_CACHE: dict[tuple[bytes, bytes], tuple[tuple[int, int, int, bool], ...]] = {}
_UNLEET_CACHE_MAX = 100_000
_UNLEET_CACHED_MAX_LEN = 256


def _unleet_sparse(
    cls: np.ndarray,
    canon: np.ndarray,
    triggers: np.ndarray,
    chains: list[np.ndarray],
) -> list[int]:
    """Apply `_unleet` in place to the tokens around `triggers` and to mixed spaced chains;
    returns the positions that became leetspeak letters."""
    # keys and edits through bytes and lists: indexing numpy arrays one item at a time is slow
    width = canon.itemsize
    canonb = canon.tobytes()
    clsb = cls.tobytes()
    changed: list[int] = []
    at: list[int] = []
    new_cls: list[int] = []
    new_canon: list[int] = []
    for positions in _leet_tokens(cls, triggers, chains):
        if isinstance(positions, range):
            a, b = positions.start, positions.stop
            key = (canonb[a * width : b * width], clsb[a:b])
        else:
            key = (canon[positions].tobytes(), cls[positions].tobytes())
        edits = _UNLEET_CACHE.get(key)
        if edits is None:
            items = [Item(chr(int(canon[p])), int(cls[p]), 0, 0, 0) for p in positions]
            _unleet(items, 0, len(items))
            edits = tuple(
                (x, it.cls, ord(it.char) if it.cls != SEP else 32, bool(it.bits & LEET))
                for x, it in enumerate(items)
                if it.cls != cls[positions[x]]
            )
            if len(items) <= _UNLEET_CACHED_MAX_LEN:
                if len(_UNLEET_CACHE) > _UNLEET_CACHE_MAX:
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


def _leet_tokens(
    cls: np.ndarray, triggers: np.ndarray, chains: list[np.ndarray]
) -> list[range | list[int]]:
    """The mixed spaced chains (positions) and the tokens around `triggers` (ranges) that are
    no part of a chain, each once; a `!` trigger counts only inside its token."""
    tokcls = (LETTER, DIGIT, SYM, EXCL)
    n = len(cls)
    in_chain = {p for ch in chains for p in ch.tolist()}
    groups: list[range | list[int]] = [ch.tolist() for ch in chains]
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
    return groups


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
