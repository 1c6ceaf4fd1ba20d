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
* Memory: the decoder holds the image at full size in its stored mode, at most four bytes a
  pixel (200 MB at the default ``max_pixels``), beside ``max_bytes`` of input. Formats whose
  decoder holds more count their pixels that many times against ``max_pixels``: WebP four times,
  progressive JPEG by its DCT coefficients (:func:`decode_cost`). Conversion to RGB (flattening,
  scaling wide greyscale) goes strip by strip, never through a second full-size copy. With
  ``reduce_size`` (both hashing paths) the image is reduced in that same pass to at most
  :data:`MAX_REDUCED_PIXELS` and the full-size one is freed before anything else is allocated,
  so decoding an image costs at most ``max_pixels`` four-byte pixels plus its input plus about
  20 MB (the reduced result and one strip's conversions). With ``draft_size`` (both hashing
  paths) JPEG is decoded in draft mode (DCT scaling by 1/2, 1/4 or 1/8), so a large one is
  never held at full size. Without ``reduce_size`` the full-size RGB result adds four bytes a
  pixel.
* Truncated, empty, non-image and unsupported input raises ImageError naming the file and the
  reason; Pillow's ``LOAD_TRUNCATED_IMAGES`` is not consulted: a decoder error is an error.
* EXIF orientation is applied. Animated GIF and WebP give their first frame. Transparency is
  flattened onto white, because the project's drawings have transparent backgrounds while
  screenshots of the same symbol are usually on white.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from PIL import Image, ImageFile

from .errors import ImageError

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes] | Image.Image
"""Anything :func:`open_image` accepts: a path, the encoded bytes, a binary file object or a PIL
image (already decoded; used as it is, only checked against the pixel limit and not changed)."""

ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP")
_JPEG_FORMATS = ("JPEG", "MPO")  # MPO: a JPEG with more pictures appended, opened as JPEG
DEFAULT_MAX_PIXELS = 50_000_000
"""50 Mpixel: above every phone camera in common use (48 Mpixel), well below Pillow's own
89 Mpixel warning; decoded that is at most 200 MB (RGBA)."""
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
MAX_REDUCED_PIXELS = 4_000_000
"""A reduced image (``reduce_size``) holds at most this many pixels, 16 MB in RGB."""

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


_WEBP_BYTES_A_PIXEL = 16
"""Pillow decodes every WebP with libwebp's animation decoder, which holds the first frame four
times in RGBA (two canvases, the frame's bytes, the image): 16.2 B/pixel measured with Pillow 13
for lossy, lossless, transparent and animated files alike."""


def decode_cost(image: ImageFile.ImageFile, original_size: tuple[int, int]) -> float:
    """Bytes a pixel (of ``original_size``) that decoding ``image`` holds at its peak, when that
    is more than the four of the decoded image: WebP, and progressive JPEG, whose decoder keeps
    every DCT coefficient (2 bytes a sample) even when it scales the output down."""
    if image.format == "WEBP":
        return _WEBP_BYTES_A_PIXEL
    if image.format in _JPEG_FORMATS and image.info.get("progressive"):
        layers = cast("list[tuple[int, int, int, int]]", getattr(image, "layer", []))
        h_max = max((h for _, h, _, _ in layers), default=1) or 1
        v_max = max((v for _, _, v, _ in layers), default=1) or 1
        samples = sum(h * v for _, h, v, _ in layers) / (h_max * v_max)
        output = 4 * image.size[0] * image.size[1] / (original_size[0] * original_size[1])
        return 2 * samples + output
    return 4


def check_decode_cost(
    name: str, image: ImageFile.ImageFile, original_size: tuple[int, int], max_pixels: int
) -> None:
    """Raise ImageError when decoding would hold more than ``max_pixels`` four-byte pixels."""
    cost = decode_cost(image, original_size)
    width, height = original_size
    counted = math.ceil(width * height * cost / 4)
    if counted > max_pixels:
        what = "progressive JPEG" if image.format in _JPEG_FORMATS else image.format
        raise ImageError(
            f"{name}: {width}x{height} {what} holds {cost:.3g} bytes a pixel while decoding, so its"
            f" {width * height} pixels count as {counted}, above the limit of {max_pixels}"
            " (four bytes a pixel); pass a higher max_pixels to accept it"
        )


_WIDE_GREY = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_ALPHA_MODES = ("RGBA", "LA", "La", "RGBa", "PA")
_STRIP_PIXELS = 1 << 18
"""Conversion to RGB works on strips of rows of about this many pixels (1 MB in RGBA), so that
flattening a large image never holds a second full-size copy of it."""
_QUARTER_TURNS = (
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
)
_ORIENTATIONS = {  # EXIF orientation -> transposition, as ImageOps.exif_transpose applies it
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in _ALPHA_MODES or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )


def _rgb_converter(image: Image.Image) -> Callable[[Image.Image], Image.Image]:
    """The conversion :func:`to_rgb` applies to ``image``, as a function of any strip of it
    (wide greyscale is scaled by the extrema of the whole image, measured strip by strip)."""
    if image.mode in _WIDE_GREY:
        lo, hi = math.inf, -math.inf
        for strip in _strips(image, 1):
            low, high = cast("tuple[float, float]", strip.convert("F").getextrema())
            lo, hi = min(lo, low), max(hi, high)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0

        def scaled(strip: Image.Image) -> Image.Image:
            # Wide greyscale: scale to 8 bits instead of clipping at 255.
            return strip.convert("F").point(lambda v: (v - lo) * scale).convert("L").convert("RGB")

        return scaled
    if _has_alpha(image):

        def flattened(strip: Image.Image) -> Image.Image:
            # Pasting through its own alpha onto white equals alpha_composite onto opaque white
            # bit for bit (all 256 x 256 colour and alpha values checked), with fewer copies.
            rgba = strip if strip.mode == "RGBA" else strip.convert("RGBA")
            white = Image.new("RGB", rgba.size, (255, 255, 255))
            white.paste(rgba, mask=rgba)
            return white

        return flattened
    return lambda strip: strip.convert("RGB")


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB, flattening transparency onto white."""
    if image.mode == "RGB":
        return image
    return _rgb_converter(image)(image)


def _strips(image: Image.Image, factor: int) -> Iterator[Image.Image]:
    """Copies of consecutive strips of rows, each a multiple of ``factor`` rows high."""
    width, height = image.size
    rows = max(1, _STRIP_PIXELS // (width * factor)) * factor
    for top in range(0, height, rows):
        yield image.crop((0, top, width, min(height, top + rows)))


def reduction_factor(size: tuple[int, int], min_side: int) -> int:
    """How many times to shrink an image of ``size`` for hashing: by 2, 4 or 8 while both sides
    stay at least ``min_side`` (the choice JPEG draft decoding makes), then further while the
    result would hold more than :data:`MAX_REDUCED_PIXELS` (a long, thin image)."""
    width, height = size
    factor = next((f for f in (8, 4, 2) if min(width, height) // f >= min_side), 1)
    factor = max(factor, math.isqrt(width * height // MAX_REDUCED_PIXELS))
    while -(-width // factor) * -(-height // factor) > MAX_REDUCED_PIXELS:
        factor += 1
    return factor


def reduced_rgb(image: Image.Image, factor: int = 1) -> Image.Image:
    """A new RGB image of ``image`` (any mode, loaded) shrunk ``factor`` times by averaging
    blocks of pixels (``Image.reduce``; sides rounded up), transparency flattened onto white.

    Works strip by strip: besides ``image`` only the result and one strip's conversions are in
    memory, where converting the whole image would hold up to four more full-size copies.
    Flattening before averaging equals averaging premultiplied colours and then flattening.
    """
    if factor == 1 and image.mode == "RGB":
        return image.copy()
    convert = _rgb_converter(image)
    width, height = image.size
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    top = 0
    for strip in _strips(image, factor):
        part = convert(strip)
        if factor > 1:
            part = part.reduce(factor)
        out.paste(part, (0, top))
        top += part.height
    return out


def _orientation(image: Image.Image) -> Image.Transpose | None:
    """The transposition the image's EXIF orientation asks for (None: as stored)."""
    return _ORIENTATIONS.get(image.getexif().get(0x0112, 1))


def _oriented(size: tuple[int, int], method: Image.Transpose | None) -> tuple[int, int]:
    return (size[1], size[0]) if method in _QUARTER_TURNS else size


def _from_pil(
    source: Image.Image, name: str, max_pixels: int, reduce_size: int | None
) -> DecodedImage:
    """:func:`open_image` of an image that was passed in decoded (it is not changed)."""
    check_pixels(name, source.size, max_pixels)
    try:
        source.load()
        method = _orientation(source)
        factor = reduction_factor(source.size, reduce_size) if reduce_size else 1
        rgb = reduced_rgb(source, factor)
        if method is not None:
            rgb = rgb.transpose(method)
    except (OSError, ValueError) as exc:
        raise ImageError(f"{name}: cannot use this image ({exc})") from None
    full_size = _oriented(source.size, method) if factor > 1 else None
    return DecodedImage(rgb, name, None, source.size, full_size=full_size)


def open_image(
    source: ImageSource,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    draft_size: int | None = None,
    reduce_size: int | None = None,
    keep_bytes: bool = False,
) -> DecodedImage:
    """Decode one image safely; raise ImageError naming the input and the reason.

    ``draft_size`` lets the JPEG decoder scale down by a power of two while both sides stay at
    least that many pixels (the scan path uses 128). ``reduce_size`` shrinks the decoded image
    of any format by :func:`reduction_factor` (both sides kept >= ``reduce_size``) before it is
    converted, and frees the full-size one; without it the result has the full size.
    """
    if isinstance(source, Image.Image):
        return _from_pil(source, describe(source), max_pixels, reduce_size)
    name, data = read_source(source, max_bytes=max_bytes)
    image = _open_allowed(name, data, ALLOWED_FORMATS)
    fmt = image.format
    original_size = image.size
    try:
        check_pixels(name, original_size, max_pixels)
        if draft_size and fmt in _JPEG_FORMATS:
            image.draft("RGB", (draft_size, draft_size))
        check_decode_cost(name, image, original_size, max_pixels)
        # First frame of an animation: the plugin is positioned there after opening.
        image.load()
        try:
            method = _orientation(image)
        except (SyntaxError, ValueError, KeyError, TypeError, OSError):
            method = None  # unreadable EXIF: keep the pixels as stored
        factor = reduction_factor(image.size, reduce_size) if reduce_size else 1
        rgb = reduced_rgb(image, factor)
        image.close()  # the full-size pixels go before anything else is allocated
        if method is not None:
            rgb = rgb.transpose(method)
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
    full_size = _oriented(original_size, method)
    return DecodedImage(rgb, name, fmt, original_size, data if keep_bytes else None, full_size)
