"""Hit geometry: from canonical positions of one post back to its original string.

`resolve` and `readings` see a post through one of two views with the same methods: a post
canonicalised on its own by the reference path (`ListView`, over a `Canon`), or a post inside a
batch canonicalised at once (`BatchView`, over a `Batch`, whose offsets are computed on demand).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import ClassVar

import numpy as np

from .. import canon as nz

__all__ = ["BatchView", "ListView", "View"]


class ListView:
    """Hit geometry of one post canonicalised by the reference path."""

    __slots__ = ("c", "k", "base", "klo", "khi")
    one_to_one: ClassVar[bool] = False  # `ß` is one character of the original and a run of two

    def __init__(self, c: nz.Canon):
        self.c = c
        self.k = c.k
        self.base = 0
        self.klo, self.khi = 0, len(c.k)

    def ostart(self, i: int) -> int:
        return self.c.start[i]

    def oend(self, i: int) -> int:
        return self.c.end[i]

    def runs(self, a: int, b: int) -> list[int]:
        return self.c.run[a:b]

    def run_at(self, i: int) -> int:
        return self.c.run[i]

    def kindex(self, o: int) -> int:
        """The canonical character whose original span holds offset `o`."""
        return max(bisect_right(self.c.start, o) - 1, 0)

    def arrays(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Original start, end, letter run and reason bits of every canonical character."""
        c = self.c
        return c.start, c.end, c.run, c.bits

    def bits(self, a: int, b: int) -> int:
        out = 0
        for x in self.c.bits[a:b]:
            out |= x
        return out


class BatchView:
    """Hit geometry of one post inside a canonicalised batch."""

    __slots__ = ("b", "k", "base", "klo", "khi")
    # every canonical character of a letter run comes from its own original character, so a
    # span as long as its canonical text has no runs (posts with expansions are `slow`)
    one_to_one: ClassVar[bool] = True

    def __init__(self, b: nz.Batch, base: int, klo: int, khi: int):
        self.b = b
        self.k = b.k
        self.base = base
        self.klo, self.khi = klo, khi

    def ostart(self, i: int) -> int:
        return self.b.ostart(i) - self.base

    def oend(self, i: int) -> int:
        return self.b.oend(i) - self.base

    def runs(self, a: int, b: int) -> list[int]:
        run_at = self.b.run_at
        return [run_at(i) for i in range(a, b)]

    def run_at(self, i: int) -> int:
        return self.b.run_at(i)

    def bits(self, a: int, b: int) -> int:
        pos = self.b.bits_pos
        i = bisect_left(pos, a)
        out = 0
        while i < len(pos) and pos[i] < b:
            out |= self.b.bits_at(pos[i])
            i += 1
        return out

    def kindex(self, o: int) -> int:
        """The canonical character whose original span holds offset `o`."""
        starts = self.b.arrays(self.klo, self.khi)[0]
        return max(int(np.searchsorted(starts, o + self.base, side="right")) - 1, 0) + self.klo

    def arrays(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Original start, end, letter run and reason bits of the post's canonical characters."""
        starts, ends, run, bits = self.b.arrays(self.klo, self.khi)
        return (
            (starts - self.base).tolist(),
            (ends - self.base).tolist(),
            run.tolist(),
            bits.tolist(),
        )


View = ListView | BatchView
