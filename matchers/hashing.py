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
hashing the mirrored image because the resampling filter is symmetric; for PDQ the mirrored hash
comes from the same DCT (``pdqhash.compute_dihedral``), within a few bits of hashing the
mirrored image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import imagehash
import numpy as np
from PIL import Image, ImageOps

from .imaging import DEFAULT_MAX_PIXELS, ImageSource, open_image

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

# pdqhash.compute_dihedral order: original, rot90, rot180, rot270, flipX, flipY, flip+1, flip-1.
# Index 5 is the left-right mirror (measured against hashing np.fliplr of the image).
_PDQ_MIRROR_INDEX = 5


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
) -> ImageHashes:
    """Hash a decoded RGB image with the given algorithms (PDQ skipped without pdqhash)."""
    values: dict[str, Any] = {}
    if "phash" in algorithms or "dhash" in algorithms:
        grey = image.convert("L")
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
    if "pdq" in algorithms and _pdqhash is not None:
        array = np.asarray(image.convert("RGB"))
        if mirror:
            vectors, quality = _pdqhash.compute_dihedral(array)
            quality = int(quality)
            if quality >= PDQ_MIN_QUALITY:
                values["pdq"] = bits_to_hex(vectors[0])
                values["pdq_mirror"] = bits_to_hex(vectors[_PDQ_MIRROR_INDEX])
        else:
            vector, quality = _pdqhash.compute(array)
            quality = int(quality)
            if quality >= PDQ_MIN_QUALITY:
                values["pdq"] = bits_to_hex(vector)
        values["pdq_quality"] = quality
    return ImageHashes(**values)


def hash_image(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[str, Any]:
    """Hash a reference image at full resolution for the ``images`` table.

    Returns ``{"phash": hex, "dhash": hex, "pdq": hex | None, "pdq_quality": int | None}``.
    ``pdq`` is None without pdqhash (then ``pdq_quality`` is None too) or when the quality is
    below 50. Raises :class:`~matchers.errors.ImageError` naming the file and the reason.
    SVG is not decoded: rasterise drawings to PNG first.
    """
    decoded = open_image(source, max_pixels=max_pixels)
    return compute_hashes(decoded.image).as_dict()


def hash_query(
    source: ImageSource,
    algorithms: tuple[str, ...] | frozenset[str] = ALGORITHMS,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageHashes:
    """Hash an image to look it up: JPEG draft decode, mirrored hashes included."""
    decoded = open_image(source, max_pixels=max_pixels, draft_size=QUERY_DRAFT_SIZE)
    return compute_hashes(decoded.image, algorithms, mirror=True)


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
