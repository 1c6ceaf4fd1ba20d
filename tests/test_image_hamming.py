"""The Hamming index is exact: multi-index hashing agrees with brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.hamming import HammingIndex


def near(rng, base: np.ndarray, flips: int) -> np.ndarray:
    bits = np.unpackbits(base)
    bits[rng.choice(bits.size, flips, replace=False)] ^= 1
    return np.packbits(bits)


@pytest.mark.parametrize("bits,radius", [(256, 31), (256, 0), (256, 47), (64, 10), (64, 3)])
def test_mih_equals_brute_force(bits, radius):
    rng = np.random.default_rng(bits + radius)
    nbytes = bits // 8
    data = rng.integers(0, 256, (20_000, nbytes), dtype=np.uint8)
    query = rng.integers(0, 256, nbytes, dtype=np.uint8)
    for i, flips in enumerate(range(0, radius + 8, 3)):
        data[i * 97] = near(rng, query, min(flips, bits))
    mih = HammingIndex(data, bits=bits, strategy="mih")
    brute = HammingIndex(data, bits=bits, strategy="brute")
    got_pos, got_d = mih.query(query.tobytes(), radius)
    want_pos, want_d = brute.query(query.tobytes(), radius)
    assert sorted(zip(got_pos.tolist(), got_d.tolist(), strict=False)) == sorted(
        zip(want_pos.tolist(), want_d.tolist(), strict=False)
    )
    assert list(got_d) == sorted(got_d)
    assert len(got_pos) >= 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.binary(min_size=8, max_size=8), min_size=1, max_size=60),
    st.binary(min_size=8, max_size=8),
    st.integers(0, 20),
)
def test_property_mih_equals_brute_force_64_bit(hashes, query, radius):
    mih = HammingIndex(hashes, bits=64, strategy="mih")
    brute = HammingIndex(hashes, bits=64, strategy="brute")
    a = sorted(zip(*(x.tolist() for x in mih.query(query, radius)), strict=False))
    b = sorted(zip(*(x.tolist() for x in brute.query(query, radius)), strict=False))
    assert a == b


def test_empty_index_and_bad_input():
    empty = HammingIndex([], bits=256)
    pos, dist = empty.query(bytes(32), 31)
    assert len(pos) == 0 and len(dist) == 0
    with pytest.raises(ValueError, match="multiple of 64"):
        HammingIndex([], bits=60)
    with pytest.raises(ValueError, match="32 bytes"):
        HammingIndex([bytes(32)], bits=256).query(bytes(8), 3)
