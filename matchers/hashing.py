"""Perceptual hashes: pHash and dHash (imagehash, 64 bits) and PDQ (pdqhash, 256 bits).

Hex strings are lowercase. pHash and dHash are exactly ``str(imagehash.phash(img))`` and
``str(imagehash.dhash(img))`` of the RGB image (hash size 8). PDQ is the value and the hex
form python-threatexchange's ``pdq_hasher`` produces (``pdqhash.compute`` on the RGB array,
bits most significant first), so hashes from ThreatExchange/HMA compare directly.

PDQ is optional: without the ``pdqhash`` package ``pdq`` and ``pdq_quality`` are None. A PDQ
hash of quality below :data:`PDQ_MIN_QUALITY` is discarded (``pdq`` None, the quality kept), as
python-threatexchange's ``PdqSignal.hash_from_bytes`` does: such images (flat, nearly empty)
match too many unrelated ones.

Mirroring: queries are also hashed mirrored left-to-right. For pHash and dHash the mirrored
hash is computed from the already reduced 32x32 (9x8) greyscale image, which is the same as
hashing the mirrored image because the resampling filter is symmetric. For PDQ it is the hash of
the mirrored pixels: the vertical pass of the downsampling is shared, the horizontal pass and the
DCT run again on the flipped columns. PDQ's own shortcut (the ``FlipY`` dihedral of
``pdqhash.compute_dihedral``, odd-frequency columns changing sign) is not used: PDQ's sampling
grid is not symmetric, and on drawings that are symmetric or nearly so, where many coefficients
sit at the median, the shortcut was 60-118 bits from hashing the mirrored drawing (2-8 bits for
the flipped pixels), so mirrored drawings went unmatched.

Two paths, on purpose:

* Reference (:func:`hash_image`, used when the database is built and for export): the image
  decoded at full resolution, ``imagehash`` and ``pdqhash.compute`` exactly as above, when a
  side is under 1024 pixels; a larger image from a copy reduced while both sides stay >=
  :data:`HASH_REDUCE_SIZE`, PDQ by :func:`pdq_from_luma` with the full size's filters. On ten
  scikit-image photos scaled up to 1500x1100 - 4096x3072 (PNG, JPEG) each hash stays within 2
  bits of hashing at full resolution (dHash within 4 on generated photos with pixel noise), and
  a 7000x7000 RGBA PNG peaks at 265 MB instead of 1.5 GB (``benchmarks/image_memory.py``).
* Scan (:func:`query_hashes`, used by ``ImageMatcher.scan``): JPEG is decoded in draft mode
  (DCT scaling, both sides >= :data:`QUERY_DRAFT_SIZE`), so a 1024x768 upload becomes
  256x192; other formats are reduced as on the reference path. pHash and dHash are
  ``imagehash`` of that greyscale image. PDQ is computed in numpy
  (:func:`pdq_from_luma`) from the same decoded RGB array: PDQ's own steps (luma, two passes
  of Jarosz box filters and decimation to 64x64, 16x16 DCT, median threshold, quality metric),
  which equal ``pdqhash.compute`` bit for bit on an image at its full size (tested). For a draft-
  decoded image the box filters are the ones pdqhash would apply at *full* resolution,
  expressed on the reduced pixel grid (each reduced pixel standing for its block), instead of
  the weaker filter pdqhash would choose for the reduced size. Measured on 1024x768 and
  2048x1536 JPEGs of the scikit-image photos and on generated photos (``quality=85``): median
  2 bits (90th percentile 8, max 10) from the full-resolution reference hash, where running
  ``pdqhash`` on the draft-decoded image gave median 16 (max 86). The mirrored PDQ hash shares
  the vertical filter pass, so the scan path computes one and a half downsamplings and two
  DCTs, not eight: hashing the 256x192 image costs about 0.13 ms (0.11 ms without the mirrored
  pass) instead of 1 ms for ``pdqhash.compute_dihedral``.

One module of just over 500 lines on purpose: the reference path (imagehash, pdqhash) and the
numpy steps the scan path replaces them with stay together, so that each deviation from the
reference sits next to what it deviates from.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any

import imagehash
import numpy as np
from PIL import Image, ImageOps

from .imaging import DEFAULT_MAX_PIXELS, DecodedImage, ImageSource, open_image

try:  # optional dependency
    import pdqhash as _pdqhash
except ImportError:  # pragma: no cover - exercised where pdqhash is absent
    _pdqhash = None

ALGORITHMS: tuple[str, ...] = ("phash", "dhash", "pdq")
HASH_BITS: dict[str, int] = {"phash": 64, "dhash": 64, "pdq": 256}
PDQ_MIN_QUALITY = 50
QUERY_DRAFT_SIZE = 128
"""JPEG queries are decoded reduced by DCT scaling while both sides stay >= 128 pixels: every
hash here works on 64x64 or smaller, and this keeps decoding within 2x of a bare draft decode."""
HASH_REDUCE_SIZE = 512
"""Both paths hash an image reduced by 2, 4 or 8 while both sides stay >= 512 pixels (JPEG by
draft decoding, others as they are converted: ``open_image(reduce_size=...)``)."""


def pdq_available() -> bool:
    """True when the optional ``pdqhash`` package is installed."""
    return _pdqhash is not None


def bits_to_hex(bits: np.ndarray) -> str:
    """A 0/1 vector, most significant bit first, as lowercase hex."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8).ravel())
    return packed.tobytes().hex()


def _imagehash_hex(h: imagehash.ImageHash) -> str:
    return bits_to_hex(h.hash.ravel())


@dataclass(frozen=True)
class ImageHashes:
    """The hashes of one image; ``*_mirror`` only when asked for (queries)."""

    phash: str | None = None
    dhash: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    phash_mirror: str | None = None
    dhash_mirror: str | None = None
    pdq_mirror: str | None = None

    def get(self, algorithm: str, mirrored: bool = False) -> str | None:
        return getattr(self, f"{algorithm}_mirror" if mirrored else algorithm)

    def as_dict(self) -> dict[str, Any]:
        """The four columns of the ``images`` table."""
        return {
            "phash": self.phash,
            "dhash": self.dhash,
            "pdq": self.pdq,
            "pdq_quality": self.pdq_quality,
        }


def compute_hashes(
    image: Image.Image,
    algorithms: tuple[str, ...] | frozenset[str] = ALGORITHMS,
    *,
    mirror: bool = False,
    full_size: tuple[int, int] | None = None,
) -> ImageHashes:
    """Hash a decoded RGB image with the given algorithms (PDQ skipped without pdqhash).
    ``full_size``: the size ``image`` was reduced from; PDQ then filters as pdqhash would at
    that size (:func:`pdq_from_luma`), not with the weaker filter of the reduced size."""
    values: dict[str, Any] = {}
    if "phash" in algorithms or "dhash" in algorithms:
        values.update(_imagehash_values(image.convert("L"), algorithms, mirror=mirror))
    if "pdq" in algorithms and _pdqhash is not None:
        array = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        if full_size is not None and full_size != image.size:
            bits, mirrored, quality = pdq_from_luma(_luma(array), full_size)
            vectors = [bits, mirrored]
        elif mirror:
            vector, quality = _pdqhash.compute(array)
            mirrored, _ = _pdqhash.compute(np.ascontiguousarray(array[:, ::-1]))
            vectors = [vector, mirrored]
        else:
            vector, quality = _pdqhash.compute(array)
            vectors = [vector]
        quality = int(quality)
        if quality >= PDQ_MIN_QUALITY:
            values["pdq"] = bits_to_hex(vectors[0])
            if mirror:
                values["pdq_mirror"] = bits_to_hex(vectors[1])
        values["pdq_quality"] = quality
    return ImageHashes(**values)


# -- PDQ in numpy, for the scan path ---------------------------------------------------------

_PDQ_SIZE = 64
_PDQ_MIN_DIM = 5  # pdqhash: smaller images hash to zero with quality 0
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_PDQ_DCT = np.array(
    [
        [math.sqrt(2 / 64) * math.cos(math.pi / 128 * (i + 1) * (2 * j + 1)) for j in range(64)]
        for i in range(16)
    ],
    dtype=np.float32,
)


@functools.lru_cache(maxsize=256)
def _pdq_axis(full: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """PDQ's downsampling of one axis of ``full`` pixels to 64 samples, on a grid of ``size``
    pixels (``size < full`` for a draft-decoded image: reduced pixel k stands for source pixels
    ``[k * full / size, (k + 1) * full / size)``).

    pdqhash filters each axis twice with a box of ``w = (full + 127) // 128`` pixels (shrunk at
    the edges) and keeps sample ``int((i + 0.5) * full / 64)``. Returns ``(index, weight)``,
    both 64 x taps: output i is ``sum(weight[i] * pixels[index[i]])``.
    """
    w = (full + 2 * _PDQ_SIZE - 1) // (2 * _PDQ_SIZE)
    half = (w + 2) // 2
    ahead, behind = half - 1, w - half  # the box of output o is [o - behind, o + ahead]
    samples = ((np.arange(_PDQ_SIZE) + 0.5) * full / _PDQ_SIZE).astype(np.int64)
    rows = []
    for o in samples.tolist():
        first = np.arange(max(0, o - behind), min(full - 1, o + ahead) + 1)
        lo = np.maximum(0, first - behind)
        hi = np.minimum(full - 1, first + ahead)
        start = int(lo[0])
        steps = np.zeros(int(hi[-1]) - start + 2)
        share = 1.0 / len(first) / (hi - lo + 1)
        np.add.at(steps, lo - start, share)
        np.add.at(steps, hi + 1 - start, -share)
        weights = np.cumsum(steps)[:-1]
        cells = np.arange(start, start + len(weights)) * size // full
        rows.append((int(cells[0]), np.bincount(cells - cells[0], weights)))
    taps = max(len(r) for _, r in rows)
    index = np.zeros((_PDQ_SIZE, taps), dtype=np.int64)
    weight = np.zeros((_PDQ_SIZE, taps), dtype=np.float32)
    for i, (first_cell, r) in enumerate(rows):
        offset = max(0, min(first_cell, size - taps))
        index[i] = np.minimum(offset + np.arange(taps), size - 1)
        weight[i, first_cell - offset : first_cell - offset + len(r)] = r
    return index, weight


def _luma(rgb: np.ndarray) -> np.ndarray:
    """PDQ's luma of an RGB array, float32 (rows x columns)."""
    r, g, b = (rgb[:, :, band] * np.float32(w) for band, w in enumerate(_LUMA.tolist()))
    return r + g + b


def pdq_from_luma(
    luma: np.ndarray, full_size: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """PDQ of a float32 luma array (rows x columns): (bits, mirrored bits, quality).

    Bits are 0/1 vectors, most significant first, as ``pdqhash.compute`` returns them; equal
    to it bit for bit when ``full_size`` is None or the array's own size, the mirrored bits to
    ``pdqhash.compute`` of the left-right flipped array. ``full_size``
    (width, height) is the size the array was reduced from (draft decoding): the filters are
    then those pdqhash would apply at that size.
    """
    rows, cols = luma.shape
    full_cols, full_rows = full_size or (cols, rows)
    if min(rows, cols) < _PDQ_MIN_DIM:
        zero = np.zeros(256, dtype=np.uint8)
        return zero, zero, 0
    r_index, r_weight = _pdq_axis(max(full_rows, rows), rows)
    c_index, c_weight = _pdq_axis(max(full_cols, cols), cols)
    tall = np.einsum("itc,it->ic", luma[r_index], r_weight)
    small = np.einsum("ijt,jt->ij", tall[:, c_index], c_weight)
    flipped = np.einsum("ijt,jt->ij", tall[:, ::-1][:, c_index], c_weight)
    quality = _pdq_quality(small)
    dct = _PDQ_DCT @ small @ _PDQ_DCT.T
    return _pdq_bits(dct), _pdq_bits(_PDQ_DCT @ flipped @ _PDQ_DCT.T), quality


def _pdq_quality(small: np.ndarray) -> int:
    """pdqhash's image-domain quality: quantised gradients of the 64x64 image, capped at 100."""
    vertical = np.trunc((small[:-1, :] - small[1:, :]) * np.float32(100) / np.float32(255))
    horizontal = np.trunc((small[:, :-1] - small[:, 1:]) * np.float32(100) / np.float32(255))
    total = int(np.abs(vertical).sum(dtype=np.int64) + np.abs(horizontal).sum(dtype=np.int64))
    return min(100, total // 90)


def _pdq_bits(dct: np.ndarray) -> np.ndarray:
    """Bit k (row-major) set when coefficient k exceeds the lower median (pdqhash's torben)."""
    flat = dct.ravel()
    median = np.partition(flat, 127)[127]
    return (flat > median)[::-1].astype(np.uint8)


# -- pHash and dHash reductions in numpy, for the scan path ---------------------------------

_PRECISION_BITS = 22  # Pillow's fixed-point resampling (Resample.c)


def _lanczos(x: np.ndarray) -> np.ndarray:
    safe = np.where(x == 0.0, 1.0, x * math.pi)
    sinc = np.where(x == 0.0, 1.0, np.sin(safe) / safe)
    safe3 = np.where(x == 0.0, 1.0, x * math.pi / 3)
    sinc3 = np.where(x == 0.0, 1.0, np.sin(safe3) / safe3)
    return np.where((x >= -3.0) & (x < 3.0), sinc * sinc3, 0.0)


def _pillow_lanczos_matrix(size: int, out: int) -> np.ndarray:
    """Pillow's LANCZOS coefficients for ``size`` -> ``out`` pixels as integers (stored in
    float64, where the sums stay exact), dense ``out x size``."""
    scale = size / out
    filterscale = max(scale, 1.0)
    support = 3.0 * filterscale
    matrix = np.zeros((out, size))
    for xx in range(out):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), size)
        k = _lanczos((np.arange(xmin, xmax) - center + 0.5) / filterscale)
        total = k.sum()
        if total != 0.0:
            k = k / total
        one = 1 << _PRECISION_BITS
        matrix[xx, xmin:xmax] = np.where(k < 0, np.trunc(k * one - 0.5), np.trunc(k * one + 0.5))
    return matrix


@functools.lru_cache(maxsize=128)
def _imagehash_plan(width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal coefficients for 32 and 9 columns side by side, vertical ones for 32 and 8."""
    horizontal = np.vstack([_pillow_lanczos_matrix(width, 32), _pillow_lanczos_matrix(width, 9)])
    return (
        np.ascontiguousarray(horizontal.T),
        _pillow_lanczos_matrix(height, 32),
        _pillow_lanczos_matrix(height, 8),
    )


def _fixed_point_to_u8(values: np.ndarray) -> np.ndarray:
    rounded = np.floor((values + (1 << (_PRECISION_BITS - 1))) / (1 << _PRECISION_BITS))
    return np.clip(rounded, 0, 255)


_BLAS_ONE_THREAD = 60_000
"""Matrix products are cut into row blocks with m * n * k below this, which OpenBLAS runs on the
calling thread (its threshold is 65536 times a build constant); larger ones wake its thread
pool, whose spinning workers cost milliseconds on a busy machine, not microseconds."""


def _matmul_one_thread(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty((a.shape[0], b.shape[1]))
    step = max(1, _BLAS_ONE_THREAD // (b.shape[0] * b.shape[1]))
    for row in range(0, a.shape[0], step):
        np.matmul(a[row : row + step], b, out=out[row : row + step])
    return out


def _grey_reductions(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``grey`` resized to 32x32 and to 9x8 exactly as Pillow's ``resize(..., LANCZOS)`` does
    it (two passes, horizontal first, 8-bit rounding in between), in one matrix product."""
    height, width = grey.shape
    horizontal, vertical32, vertical8 = _imagehash_plan(width, height)
    columns = _fixed_point_to_u8(_matmul_one_thread(grey.astype(np.float64), horizontal))
    return (
        _fixed_point_to_u8(_matmul_one_thread(vertical32, columns[:, :32])),
        _fixed_point_to_u8(_matmul_one_thread(vertical8, columns[:, 32:])),
    )


def _phash_bits(pixels: np.ndarray) -> np.ndarray:
    """imagehash.phash of a 32x32 greyscale array (its DCT, median and comparison)."""
    import scipy.fftpack  # as imagehash does; imported on first use (start-up time)

    dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
    low = dct[:8, :8]
    return low > np.median(low)


# -- caption bands and borders -----------------------------------------------------------------

BAND_MIN_FRACTION = 0.08
"""A caption band is cut when it covers at least this share of the height (and at most
:data:`BAND_MAX_FRACTION`)."""
BAND_MAX_FRACTION = 0.4
_NEAR = 32  # grey levels from the band's colour that count as its background


def _band_run(grey: np.ndarray, limit: int) -> tuple[int, bool]:
    """A caption band at the start of ``grey``: rows (at most ``limit``) that are partly in the
    colour of the first row (>= 20%, the rest text), ending with a row wholly in that colour
    (the margin the text sits in). Returns (rows, whether any of them held text)."""
    diff = np.abs(grey[: limit + 1].astype(np.int16) - int(np.median(grey[0])))
    near = (diff <= _NEAR).mean(axis=1)
    outside = np.flatnonzero(near < 0.2)
    reach = int(outside[0]) if len(outside) else len(near)
    plain = np.flatnonzero(near[:reach] >= 0.95)
    if not len(plain):
        return 0, False
    run = int(plain[-1]) + 1
    return run, bool((near[:run] < 0.95).any())


def _border_run(grey: np.ndarray) -> int:
    grey = grey[: len(grey) // 2 + 1]  # a border beyond half the side is refused anyway
    diff = np.abs(grey.astype(np.int16) - int(np.median(grey[0])))
    outside = np.flatnonzero((diff <= _NEAR).mean(axis=1) < 0.98)
    return int(outside[0]) if len(outside) else len(grey)


def trim_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box without a caption band at the top or bottom and without uniform borders, or
    None when the image has no caption band.

    A caption band (meme style) is a run of rows from the top or bottom edge in the colour of
    the edge row, with text on it (rows >= 20% that colour), that ends with a row >= 95% that
    colour, holds some text and covers 8-40% of the height. When there is one, uniform borders
    (rows and columns >= 98% one colour) on the other sides are cut too.
    """
    grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    if min(height, width) < 16:
        return None
    lo, hi = BAND_MIN_FRACTION * height, BAND_MAX_FRACTION * height
    top, top_text = _band_run(grey, int(hi))
    bottom, bottom_text = _band_run(grey[::-1], int(hi))
    top_band, bottom_band = top_text and lo <= top <= hi, bottom_text and lo <= bottom <= hi
    if not (top_band or bottom_band):
        return None
    top = top if top_band else _border_run(grey)
    bottom = bottom if bottom_band else _border_run(grey[::-1])
    bottom = height - bottom
    left = _border_run(grey.T)
    right = width - _border_run(grey.T[::-1])
    if bottom - top < height // 2 or right - left < width // 2:
        return None
    return (left, top, right, bottom)


def query_hashes(
    decoded: DecodedImage,
    algorithms: tuple[str, ...] | frozenset[str] = ALGORITHMS,
) -> ImageHashes:
    """The scan path: hashes and mirrored hashes of a decoded (possibly draft-reduced) image.

    pHash and dHash as :func:`compute_hashes`; PDQ with :func:`pdq_from_luma` (see the module
    docstring for how this differs from the reference path and by how much).
    """
    values: dict[str, Any] = {}
    image = decoded.image
    if "phash" in algorithms or "dhash" in algorithms:
        grey = np.asarray(image.convert("L"))
        if min(grey.shape) < 2:  # too small for the matrices; Pillow handles the edge cases
            values.update(_imagehash_values(image.convert("L"), algorithms, mirror=True))
        else:
            small, tiny = _grey_reductions(grey)
            small = small.astype(np.uint8)
            if "phash" in algorithms:
                values["phash"] = bits_to_hex(_phash_bits(small))
                values["phash_mirror"] = bits_to_hex(_phash_bits(small[:, ::-1]))
            if "dhash" in algorithms:
                values["dhash"] = bits_to_hex(tiny[:, 1:] > tiny[:, :-1])
                mirrored = tiny[:, ::-1]
                values["dhash_mirror"] = bits_to_hex(mirrored[:, 1:] > mirrored[:, :-1])
    if "pdq" in algorithms and _pdqhash is not None:
        luma = _luma(np.asarray(image))
        bits, mirrored, quality = pdq_from_luma(luma, decoded.full_size or image.size)
        if quality >= PDQ_MIN_QUALITY:
            values["pdq"] = bits_to_hex(bits)
            values["pdq_mirror"] = bits_to_hex(mirrored)
        values["pdq_quality"] = quality
    return ImageHashes(**values)


def query_variants(
    decoded: DecodedImage,
    algorithms: tuple[str, ...] | frozenset[str] = ALGORITHMS,
) -> list[ImageHashes]:
    """:func:`query_hashes` of the image, then of the image without its caption band and
    borders when :func:`trim_box` finds one (never instead of the image itself)."""
    variants = [query_hashes(decoded, algorithms)]
    box = trim_box(decoded.image)
    if box is not None:
        width, height = decoded.image.size
        full_width, full_height = decoded.full_size or (width, height)
        left, top, right, bottom = box
        full = (
            max(1, round((right - left) * full_width / width)),
            max(1, round((bottom - top) * full_height / height)),
        )
        trimmed = replace(decoded, image=decoded.image.crop(box), full_size=full, data=None)
        variants.append(query_hashes(trimmed, algorithms))
    return variants


def _imagehash_values(
    grey: Image.Image, algorithms: tuple[str, ...] | frozenset[str], *, mirror: bool
) -> dict[str, str]:
    values = {}
    if "phash" in algorithms:
        # Same reduction imagehash.phash makes; a 32x32 input is then used as is.
        small = grey.resize((32, 32), Image.Resampling.LANCZOS)
        values["phash"] = _imagehash_hex(imagehash.phash(small))
        if mirror:
            values["phash_mirror"] = _imagehash_hex(imagehash.phash(ImageOps.mirror(small)))
    if "dhash" in algorithms:
        small = grey.resize((9, 8), Image.Resampling.LANCZOS)
        values["dhash"] = _imagehash_hex(imagehash.dhash(small))
        if mirror:
            values["dhash_mirror"] = _imagehash_hex(imagehash.dhash(ImageOps.mirror(small)))
    return values


def hash_image(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[str, Any]:
    """Hash a reference image for the ``images`` table (at full resolution below 1024 pixels a
    side, else reduced: :data:`HASH_REDUCE_SIZE`).

    Returns ``{"phash": hex, "dhash": hex, "pdq": hex | None, "pdq_quality": int | None}``.
    ``pdq`` is None without pdqhash (then ``pdq_quality`` is None too) or when the quality is
    below 50. Raises :class:`~matchers.errors.ImageError` naming the file and the reason.
    SVG is not decoded: rasterise drawings to PNG first.
    """
    decoded = open_image(
        source, max_pixels=max_pixels, draft_size=HASH_REDUCE_SIZE, reduce_size=HASH_REDUCE_SIZE
    )
    return compute_hashes(decoded.image, full_size=decoded.full_size).as_dict()


def hash_query(
    source: ImageSource,
    algorithms: tuple[str, ...] | frozenset[str] = ALGORITHMS,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageHashes:
    """Hash an image to look it up as ``ImageMatcher.scan`` does: JPEG draft decode, the scan
    path of :func:`query_hashes`, mirrored hashes included."""
    decoded = open_image(
        source, max_pixels=max_pixels, draft_size=QUERY_DRAFT_SIZE, reduce_size=HASH_REDUCE_SIZE
    )
    return query_hashes(decoded, algorithms)


def hex_to_bytes(value: str, algorithm: str) -> bytes:
    """Validate a hex hash of the algorithm's width and return its bytes; ValueError if bad."""
    text = value.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    width = HASH_BITS[algorithm] // 4
    if len(text) != width:
        raise ValueError(f"{algorithm} hash must have {width} hex digits, got {len(text)}")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{algorithm} hash is not hexadecimal: {value!r}") from None


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes of equal length."""
    if len(a) != len(b):
        raise ValueError("hashes of different length")
    return (int(a, 16) ^ int(b, 16)).bit_count()
