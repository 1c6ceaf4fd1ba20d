"""Safe decoding: bad input gives a clear ImageError (or no match) fast and in little memory."""

from __future__ import annotations

import io
import resource
import struct
import time
import zlib

import pytest
from PIL import Image

from matchers.errors import ImageError
from matchers.image import ImageMatcher
from matchers.imaging import DEFAULT_MAX_PIXELS, open_image


def jpeg_bytes(size=(320, 240), color="red") -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, color)
    img.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), "blue"), (10, 10))
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_of_size(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height, built row by row so it stays a few KB in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    return png_of_size(12_000, 12_000)  # 144 Mpixel


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


BAD_INPUTS = {
    "empty.jpg": (b"", "empty file"),
    "text.jpg": (b"just some text renamed to .jpg\n", "not an image in an allowed format"),
    "truncated.jpg": (jpeg_bytes()[:300], "truncated"),
    "noise.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not a valid PNG"),
    "drawing.svg": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "SVG is not supported",
    ),
    "bare.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG is not supported"),
    "scan.tif": (b"II*\x00" + b"\x00" * 64, "TIFF is not an allowed format"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_files_raise_image_error_naming_file_and_reason(tmp_path, name):
    data, reason = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(ImageError) as info:
        open_image(path)
    assert time.perf_counter() - started < 1.0
    message = str(info.value)
    assert str(path) in message
    assert reason in message


def test_truncated_image_data_is_an_error(tmp_path):
    data = jpeg_bytes((800, 600))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageError, match=r"cut\.jpg: .*(truncated|cannot decode)"):
        open_image(path)


def test_decompression_bomb_is_an_error_fast_and_small(tmp_path, bomb_png):
    assert len(bomb_png) < 300_000
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb_png)
    rss_before = max_rss_mb()
    started = time.perf_counter()
    with pytest.raises(ImageError, match=r"bomb\.png: 12000x12000 = 144000000 pixels exceeds"):
        ImageMatcher.from_hashes([{"entry_id": "x", "phash": "0" * 16}]).scan(path)
    assert time.perf_counter() - started < 1.0
    assert max_rss_mb() - rss_before < 50


def test_pixel_limit_is_per_call_and_leaves_pillow_global_alone(bomb_png):
    before = Image.MAX_IMAGE_PIXELS
    small = png_of_size(100, 100)
    with pytest.raises(ImageError, match="exceeds the limit of 5000"):
        open_image(small, max_pixels=5000)
    assert open_image(small).image.size == (100, 100)
    with pytest.raises(ImageError, match="exceeds the limit"):
        open_image(bomb_png)
    assert before == Image.MAX_IMAGE_PIXELS
    assert DEFAULT_MAX_PIXELS < 144_000_000


def test_one_pixel_image_gives_no_matches():
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, "PNG")
    matcher = ImageMatcher.from_hashes(
        [{"entry_id": "flat", "phash": "8000000000000000", "dhash": "0" * 16}]
    )
    assert matcher.scan(buf.getvalue()) == []


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ImageError, match=r"nope\.png: no such file"):
        open_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a directory"):
        open_image(tmp_path)


def test_byte_limit(tmp_path):
    with pytest.raises(ImageError, match="exceeds the 100-byte limit"):
        open_image(jpeg_bytes(), max_bytes=100)


def test_allowed_formats_decode():
    base = Image.new("RGB", (40, 30), "green")
    for fmt in ("JPEG", "PNG", "GIF", "WEBP", "BMP"):
        buf = io.BytesIO()
        base.save(buf, fmt)
        decoded = open_image(buf.getvalue())
        assert decoded.format == fmt
        assert decoded.image.mode == "RGB"
        assert decoded.image.size == (40, 30)


def test_animated_gif_uses_first_frame():
    frames = [Image.new("RGB", (32, 32), c) for c in ("white", "black", "black")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    img = open_image(buf.getvalue()).image
    assert img.getpixel((5, 5)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (60, 20), "white")
    img.paste(Image.new("RGB", (20, 20), "black"), (0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    out = open_image(buf.getvalue()).image
    assert out.size == (20, 60)


def test_jpeg_draft_decodes_reduced():
    data = jpeg_bytes((1024, 768))
    assert open_image(data).image.size == (1024, 768)
    assert open_image(data, draft_size=128).image.size == (256, 192)
    assert open_image(data, draft_size=128).original_size == (1024, 768)


def test_sixteen_bit_png_is_scaled_not_clipped():
    img = Image.new("I;16", (16, 16), 0)
    img.paste(60000, (0, 0, 8, 16))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    out = open_image(buf.getvalue()).image
    assert out.getpixel((2, 2))[0] > 200 and out.getpixel((12, 2))[0] < 50


def test_pil_image_and_file_object_inputs():
    data = jpeg_bytes()
    assert open_image(io.BytesIO(data)).image.size == (320, 240)
    assert open_image(Image.open(io.BytesIO(data))).name == "<image>"
    with pytest.raises(ImageError, match="<bytes>: empty file"):
        open_image(b"")
