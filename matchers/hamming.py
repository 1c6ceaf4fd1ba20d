"""Exact Hamming-radius search over fixed-width binary hashes, with numpy only.

Two strategies, chosen per index by size:

* Brute force: XOR against every stored hash and count bits (``np.bitwise_count``). Best for
  small sets (the knowledge base itself holds hundreds of hashes).
* Multi-index hashing (Norouzi, Punjani & Fleet, "Fast search in Hamming space with multi-index
  hashing", CVPR 2012): the hash is cut into ``m`` chunks of 16 bits. If two hashes differ in at
  most ``r`` bits, at least one chunk differs in at most ``r // m`` bits (pigeonhole), so looking
  up every 16-bit value within ``r // m`` of each query chunk finds every true neighbour; the
  candidates are then verified exactly. For 256-bit PDQ and radius 31, m = 16 and each chunk is
  probed at distance 0 and 1 (17 values), i.e. 272 bucket reads. With 1M random hashes a bucket
  holds ~15 ids, so ~4k candidates are verified instead of 1M.

Results are exact for both strategies (a property test compares them). Memory for multi-index
hashing: the hashes (n x 32 bytes for PDQ) plus one int32 id per hash and chunk (n x 64 bytes
for PDQ) plus 16 x 65537 offsets; about 100 bytes per PDQ hash.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

CHUNK_BITS = 16
_CHUNK_VALUES = 1 << CHUNK_BITS
BRUTE_FORCE_MAX = 50_000
"""Below this many hashes brute force is as fast as the index and needs no build step."""


def _chunk_masks(max_flips: int) -> np.ndarray:
    """All 16-bit masks with at most ``max_flips`` bits set (distance-0 mask first)."""
    masks = [0]
    for k in range(1, max_flips + 1):
        for bits in combinations(range(CHUNK_BITS), k):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.uint16)


def hashes_to_array(hashes: list[bytes] | np.ndarray, nbytes: int) -> np.ndarray:
    """Turn a list of equal-length byte strings into an (n, nbytes) uint8 array."""
    if isinstance(hashes, np.ndarray):
        array = np.ascontiguousarray(hashes, dtype=np.uint8)
        if array.ndim != 2 or array.shape[1] != nbytes:
            raise ValueError(f"expected an (n, {nbytes}) uint8 array, got {array.shape}")
        return array
    if not hashes:
        return np.zeros((0, nbytes), dtype=np.uint8)
    joined = b"".join(hashes)
    if len(joined) != nbytes * len(hashes):
        raise ValueError(f"every hash must have {nbytes} bytes")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(hashes), nbytes).copy()


class HammingIndex:
    """Exact radius search over ``bits``-wide hashes (a multiple of 64).

    ``HammingIndex(array_or_list, bits=256).query(hash_bytes, radius)`` returns the positions of
    the stored hashes within ``radius`` bits and their distances, nearest first.
    """

    def __init__(
        self,
        hashes: list[bytes] | np.ndarray,
        *,
        bits: int,
        strategy: str = "auto",
    ) -> None:
        if bits % 64:
            raise ValueError("bits must be a multiple of 64")
        if strategy not in ("auto", "brute", "mih"):
            raise ValueError("strategy must be auto, brute or mih")
        self.bits = bits
        self.nbytes = bits // 8
        array = hashes_to_array(hashes, self.nbytes)
        self._words = array.view(">u8") if len(array) else np.zeros((0, bits // 64), ">u8")
        self._words = self._words.astype(np.uint64)  # native order for fast XOR
        if strategy == "auto":
            strategy = "mih" if len(array) > BRUTE_FORCE_MAX else "brute"
        self.strategy = strategy
        self._buckets: list[tuple[np.ndarray, np.ndarray]] = []
        if strategy == "mih":
            chunks = array.view(">u2").astype(np.uint16)  # (n, bits // 16) big-endian chunks
            for j in range(chunks.shape[1]):
                column = chunks[:, j]
                order = np.argsort(column, kind="stable").astype(np.int32)
                counts = np.bincount(column, minlength=_CHUNK_VALUES)
                offsets = np.zeros(_CHUNK_VALUES + 1, dtype=np.int64)
                np.cumsum(counts, out=offsets[1:])
                self._buckets.append((order, offsets))
        self._mask_cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._words)

    @property
    def nbytes_used(self) -> int:
        """Memory held by the index arrays, in bytes."""
        total = self._words.nbytes
        for order, offsets in self._buckets:
            total += order.nbytes + offsets.nbytes
        return total

    def _query_words(self, query: bytes) -> np.ndarray:
        if len(query) != self.nbytes:
            raise ValueError(f"query must have {self.nbytes} bytes, got {len(query)}")
        return np.frombuffer(query, dtype=">u8").astype(np.uint64)

    def distances(self, query: bytes, positions: np.ndarray | None = None) -> np.ndarray:
        """Hamming distance from query to every stored hash (or to those at positions)."""
        words = self._words if positions is None else self._words[positions]
        q = self._query_words(query)
        return np.bitwise_count(words ^ q).sum(axis=1, dtype=np.int32)

    def _candidates(self, query: bytes, radius: int) -> np.ndarray:
        m = len(self._buckets)
        flips = radius // m
        masks = self._mask_cache.get(flips)
        if masks is None:
            masks = self._mask_cache.setdefault(flips, _chunk_masks(flips))
        qchunks = np.frombuffer(query, dtype=">u2").astype(np.uint16)
        found = []
        for j, (order, offsets) in enumerate(self._buckets):
            values = (qchunks[j] ^ masks).astype(np.int64)
            starts = offsets[values]
            ends = offsets[values + 1]
            lengths = ends - starts
            total = int(lengths.sum())
            if total == 0:
                continue
            nonempty = lengths > 0
            starts, lengths = starts[nonempty], lengths[nonempty]
            # Concatenate the ranges [start, start + length) without a Python loop.
            steps = np.ones(total, dtype=np.int64)
            heads = np.cumsum(lengths[:-1])
            steps[0] = starts[0]
            steps[heads] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
            found.append(order[np.cumsum(steps)])
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def query(self, query: bytes, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and distances of stored hashes within ``radius`` bits, nearest first."""
        if radius < 0:
            raise ValueError("radius must be >= 0")
        if not len(self._words):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if self.strategy == "brute" or radius // len(self._buckets) > 2:
            dist = self.distances(query)
            positions = np.flatnonzero(dist <= radius)
            dist = dist[positions]
        else:
            positions = self._candidates(query, radius)
            dist = self.distances(query, positions)
            keep = dist <= radius
            positions, dist = positions[keep], dist[keep]
        order = np.argsort(dist, kind="stable")
        return positions[order], dist[order]
