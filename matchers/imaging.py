"""Safe image decoding for hashing.

Everything that turns untrusted input into pixels goes through :func:`open_image`:

* Only JPEG, PNG, GIF, WebP and BMP are decoded (:data:`ALLOWED_FORMATS`); anything else,
  including SVG, raises :class:`~matchers.errors.ImageError`.
* The decompression-bomb limit is a per-call argument (``max_pixels``) and always an error.
  The image is opened through the format plugin directly, so the size in the header is checked
  *before* any pixel is decoded and Pillow's global ``Image.MAX_IMAGE_PIXELS`` is neither read
  nor changed (no process-wide side effect, no ``DecompressionBombWarning``). One corner case
  stays with Pillow: a GIF whose first frame lies outside the logical screen is re-checked by
  the GIF plugin against the global limit; that check's error is reported as an ImageError too.
* Memory is bounded by ``max_pixels`` (four bytes a pixel at most) plus ``max_bytes`` of input.
  JPEG is decoded in draft mode (DCT scaling by 1/2, 1/4 or 1/8) when the caller asks for a
  reduced size, which is what hashing needs.
* Truncated, empty, non-image and unsupported input raises ImageError naming the file and the
  reason; Pillow's ``LOAD_TRUNCATED_IMAGES`` is not consulted: a decoder error is an error.
* EXIF orientation is applied. Animated GIF and WebP give their first frame. Transparency is
  flattened onto white, because the project's drawings have transparent backgrounds while
  screenshots of the same symbol are usually on white.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from PIL import Image, ImageFile, ImageOps

from .errors import ImageError

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes] | Image.Image
"""Anything :func:`open_image` accepts: a path, the encoded bytes, a binary file object or a PIL
image (already decoded; used as it is, only checked against the pixel limit)."""

ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP")
DEFAULT_MAX_PIXELS = 50_000_000
"""50 Mpixel: above every phone camera in common use (48 Mpixel), well below Pillow's own
89 Mpixel warning; decoded that is at most 200 MB (RGBA)."""
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"<svg", "SVG is not supported; rasterise it to PNG first"),
    (b"<?xml", "XML/SVG is not supported; rasterise it to PNG first"),
    (b"II*\x00", "TIFF is not an allowed format"),
    (b"MM\x00*", "TIFF is not an allowed format"),
    (b"%PDF", "PDF is not an image format"),
    (b"\x00\x00\x00\x0cjP", "JPEG 2000 is not an allowed format"),
    (b"\x00\x00\x01\x00", "ICO is not an allowed format"),
)


@dataclass(frozen=True)
class DecodedImage:
    """A decoded RGB image with what is needed to report on it."""

    image: Image.Image
    """RGB, orientation applied, transparency flattened onto white, first frame only."""
    name: str
    """How the input is named in messages: the path, or ``<bytes>`` / ``<file>`` / ``<image>``."""
    format: str | None
    """Pillow's format name (``JPEG`` …); None for an image that was passed in decoded."""
    original_size: tuple[int, int]
    """Width and height stored in the file, before draft reduction and orientation."""
    data: bytes | None = None
    """The encoded bytes, when they were read (used for exact MD5 matching)."""
    full_size: tuple[int, int] | None = None
    """Width and height at full resolution in the orientation of ``image``: differs from
    ``image.size`` when JPEG draft mode decoded a reduced image (None means ``image.size``)."""


def describe(source: object) -> str:
    """Name an input for an error message."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source) if isinstance(source, str) else str(Path(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "<bytes>"
    if isinstance(source, Image.Image):
        return "<image>"
    name = getattr(source, "name", None)
    if isinstance(name, str):
        return name
    return "<file>"


def read_source(source: ImageSource, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """Read the encoded bytes of a path, bytes-like or binary file object (at most max_bytes)."""
    name = describe(source)
    try:
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if path.is_dir():
                raise ImageError(f"{name}: is a directory, not an image file")
            size = path.stat().st_size
            if size > max_bytes:
                raise ImageError(f"{name}: file of {size} bytes exceeds the {max_bytes} limit")
            data = path.read_bytes()
        elif isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
        elif hasattr(source, "read"):
            data = source.read(max_bytes + 1)
            if not isinstance(data, bytes):
                raise ImageError(f"{name}: file object must be opened in binary mode")
        else:
            raise ImageError(f"{name}: unsupported input type {type(source).__name__}")
    except FileNotFoundError:
        raise ImageError(f"{name}: no such file") from None
    except OSError as exc:
        raise ImageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise ImageError(f"{name}: input exceeds the {max_bytes}-byte limit")
    if not data:
        raise ImageError(f"{name}: empty file")
    return name, data


def _sniff_unsupported(head: bytes) -> str | None:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for signature, reason in _SIGNATURES:
        if stripped.startswith(signature.lower()):
            return reason
    if b"<svg" in head[:1024].lower():
        return "SVG is not supported; rasterise it to PNG first"
    return None


def _open_allowed(name: str, data: bytes, formats: Iterable[str]) -> ImageFile.ImageFile:
    """Open with the first allowed plugin that accepts the header, without a global bomb check."""
    Image.init()
    head = data[:16]
    for fmt in formats:
        entry = Image.OPEN.get(fmt)
        if entry is None:
            continue
        factory, accept = entry
        if accept is not None:
            verdict = accept(head)
            if not verdict or isinstance(verdict, str):
                continue
        try:
            return factory(io.BytesIO(data), name)
        except (SyntaxError, IndexError, TypeError, ValueError, EOFError, OSError) as exc:
            what = "truncated" if "truncated" in str(exc).lower() else "not a valid"
            raise ImageError(f"{name}: {what} {fmt} file ({exc})") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError(f"{name}: {exc}") from None
    reason = _sniff_unsupported(data[:1024])
    if reason is None:
        if data[:2] == b"\xff\xd8" or data[:8] == b"\x89PNG\r\n\x1a\n":
            reason = "corrupt header"
        else:
            allowed = ", ".join(ALLOWED_FORMATS)
            reason = f"not an image in an allowed format ({allowed})"
    raise ImageError(f"{name}: {reason}")


def check_pixels(name: str, size: tuple[int, int], max_pixels: int) -> None:
    """Raise ImageError if size is empty or above the pixel limit."""
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError(f"{name}: image has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise ImageError(
            f"{name}: {width}x{height} = {width * height} pixels exceeds the limit of "
            f"{max_pixels} (possible decompression bomb)"
        )


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB, flattening transparency onto white."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # Wide greyscale: scale to 8 bits instead of clipping at 255.
        image = image.convert("F")
        lo, hi = cast("tuple[float, float]", image.getextrema())  # one band: (min, max)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        return image.point(lambda v: (v - lo) * scale).convert("L").convert("RGB")
    has_alpha = image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def open_image(
    source: ImageSource,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    draft_size: int | None = None,
    keep_bytes: bool = False,
) -> DecodedImage:
    """Decode one image safely; raise ImageError naming the input and the reason.

    ``draft_size`` lets the JPEG decoder scale down by a power of two while both sides stay at
    least that many pixels (hashing uses 128); other formats are decoded at full size.
    """
    if isinstance(source, Image.Image):
        name = describe(source)
        check_pixels(name, source.size, max_pixels)
        try:
            source.load()
            frame = ImageOps.exif_transpose(source)
            return DecodedImage(to_rgb(frame), name, None, source.size)
        except (OSError, ValueError) as exc:
            raise ImageError(f"{name}: cannot use this image ({exc})") from None
    name, data = read_source(source, max_bytes=max_bytes)
    image = _open_allowed(name, data, ALLOWED_FORMATS)
    fmt = image.format
    original_size = image.size
    try:
        check_pixels(name, original_size, max_pixels)
        if draft_size and fmt == "JPEG":
            image.draft("RGB", (draft_size, draft_size))
        # First frame of an animation: the plugin is positioned there after opening.
        image.load()
        try:
            rotated = ImageOps.exif_transpose(image)
        except (SyntaxError, ValueError, KeyError, TypeError, OSError):
            rotated = image  # unreadable EXIF: keep the pixels as stored
        rgb = to_rgb(rotated)
        full_size = original_size
        if rotated.size != image.size:  # a quarter turn swapped the sides
            full_size = (original_size[1], original_size[0])
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"{name}: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        text = str(exc)
        if "truncated" in text.lower() or isinstance(exc, EOFError):
            reason = f"truncated {fmt} data ({text})"
        else:
            reason = f"cannot decode {fmt} data ({text})"
        raise ImageError(f"{name}: {reason}") from None
    finally:
        image.close()
    return DecodedImage(rgb, name, fmt, original_size, data if keep_bytes else None, full_size)
