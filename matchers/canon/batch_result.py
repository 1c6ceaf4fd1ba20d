"""`Batch`: the canonical text of many posts, with spans, runs and bits computed on demand."""

from __future__ import annotations

import numpy as np

from .slow import SlowPosts


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
        slow_posts: SlowPosts,
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
        self._slow_posts = slow_posts
        self.slow = slow_posts.flags()  # bool per post: use `canonicalize` instead

    @property
    def slow_reasons(self) -> dict[str, int]:
        """Per reason of `SLOW_REASONS`, how many posts of the batch it marked slow."""
        return self._slow_posts.counts()

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
