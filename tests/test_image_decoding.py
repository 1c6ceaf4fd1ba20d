"""Safe decoding: bad input gives a clear ImageError (or no match) fast and in little memory."""

from __future__ import annotations

import io
import json
import math
import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from matchers.errors import ImageError
from matchers.hashing import HASH_REDUCE_SIZE, distance, hash_image
from matchers.image import ImageMatcher
from matchers.imaging import (
    DEFAULT_MAX_PIXELS,
    MAX_REDUCED_PIXELS,
    open_image,
    reduced_rgb,
    reduction_factor,
)

ROOT = Path(__file__).resolve().parent.parent


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


# -- memory and reduction of large images ----------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def drawing_row(size: int, y: int, variant: int = 0) -> np.ndarray:
    """Row ``y`` of a drawing on a transparent background (RGBA, size x 4), drawn from the same
    shapes at any size: a disc, a bar, a ring and a half-transparent stroke, not symmetric."""
    u = (np.arange(size) + 0.5) / size
    v = (y + 0.5) / size
    if variant:
        u, v = 1 - v, u  # the other drawing: the same shapes turned
    row = np.zeros((size, 4), dtype=np.uint8)  # transparent black: white once flattened
    row[(u - 0.36) ** 2 + (v - 0.40) ** 2 < 0.2**2] = (0, 0, 0, 255)
    row[(u > 0.58) & (u < 0.92) & (v > 0.12) & (v < 0.30)] = (200, 30, 30, 255)
    ring = (u - 0.68) ** 2 + (v - 0.72) ** 2
    row[(ring > 0.10**2) & (ring < 0.16**2)] = (30, 60, 200, 255)
    row[(np.abs(u - 0.15 - 0.5 * v) < 0.025) & (v > 0.55)] = (0, 0, 0, 160)
    return row


def write_drawing_png(path: Path, size: int, variant: int = 0) -> None:
    """An RGBA PNG written row by row: a few MB of memory and a small file at any size."""
    comp = zlib.compressobj(6)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)))
        parts = []
        for y in range(size):
            parts.append(comp.compress(b"\x00" + drawing_row(size, y, variant).tobytes()))
            if len(parts) > 512:
                out.write(png_chunk(b"IDAT", b"".join(parts)))
                parts = []
        out.write(png_chunk(b"IDAT", b"".join(parts) + comp.flush()))
        out.write(png_chunk(b"IEND", b""))


HASH_IN_A_FRESH_PROCESS = """
import json, sys
from matchers.hashing import hash_image
from matchers.image import ImageMatcher

matcher = ImageMatcher.from_hashes(json.loads(sys.argv[2]))
found = sorted((m.entry_id, m.algorithm) for m in matcher.scan(sys.argv[1]))
hashes = hash_image(sys.argv[1])
with open("/proc/self/status") as f:
    peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(json.dumps({"peak_mb": peak_kb / 1024, "found": found, "hashes": hashes}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_large_transparent_png_hashes_in_bounded_memory(tmp_path):
    big, small, other = tmp_path / "big.png", tmp_path / "small.png", tmp_path / "other.png"
    write_drawing_png(big, 7000)
    write_drawing_png(small, 1000)
    write_drawing_png(other, 1000, variant=1)
    assert big.stat().st_size < 2_000_000  # 49 Mpixel, 196 MB decoded
    rows = [
        {"entry_id": "drawing", **hash_image(small)},
        {"entry_id": "other", **hash_image(other)},
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-c", HASH_IN_A_FRESH_PROCESS, str(big), json.dumps(rows)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["peak_mb"] < 300, got["peak_mb"]  # the whole process, imports included
    expected = sorted((m.entry_id, m.algorithm) for m in ImageMatcher.from_hashes(rows).scan(small))
    assert ("drawing", "phash") in [tuple(f) for f in got["found"]]
    assert [tuple(f) for f in got["found"]] == expected
    for algorithm in ("phash", "dhash", "pdq"):
        if rows[0][algorithm]:
            assert distance(got["hashes"][algorithm], rows[0][algorithm]) <= 8, algorithm


def whole_image_rgb(image: Image.Image) -> Image.Image:
    """RGB conversion of the whole image in one go, as open_image did it before converting in
    strips: the reference the strip-wise conversion has to equal."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I", "F"):
        image = image.convert("F")
        lo, hi = image.getextrema()
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        return image.point(lambda v: (v - lo) * scale).convert("L").convert("RGB")
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def images_of_every_mode(width: int = 300, height: int = 2000) -> dict[str, Image.Image]:
    """Noise in each mode open_image can meet, tall enough for several conversion strips."""
    rng = np.random.default_rng(7)
    rgba = Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), "RGBA")
    grey = Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8), "L")
    wide = rng.integers(300, 40_000, (height, width)).astype(np.uint16)
    wide[5, 5], wide[-5, -5] = 17, 65_000  # the extrema in the first and the last strip
    palette = rgba.convert("RGB").quantize(64)
    keyed = {
        "P+transparency": palette.copy(),
        "L+transparency": grey.copy(),
        "RGB+transparency": rgba.convert("RGB"),
    }
    keyed["P+transparency"].info["transparency"] = 3
    keyed["L+transparency"].info["transparency"] = 128
    keyed["RGB+transparency"].info["transparency"] = (0, 0, 0)
    big_ints = wide.astype(np.int32) * 40_000 - 2**30  # beyond float32's exact integers
    return {
        "RGB": rgba.convert("RGB"),
        "RGBA": rgba,
        "LA": rgba.convert("LA"),
        "RGBa": rgba.convert("RGBa"),
        "PA": palette.convert("PA"),
        "P": palette,
        "L": grey,
        "1": grey.convert("1"),
        "CMYK": rgba.convert("CMYK"),
        "I;16": Image.fromarray(wide),
        "I": Image.fromarray(big_ints),
        "F": Image.fromarray(big_ints.astype(np.float32) / 3),
        **keyed,
    }


@pytest.mark.parametrize("factor", [1, 2, 3, 8])
def test_strip_conversion_equals_converting_the_whole_image(factor):
    for label, image in images_of_every_mode().items():
        expected = whole_image_rgb(image)
        if factor > 1:
            expected = expected.reduce(factor)
        got = reduced_rgb(image, factor)
        assert got.mode == "RGB" and got is not image, label
        assert got.size == expected.size, label
        assert np.array_equal(np.asarray(got), np.asarray(expected)), label


def test_reduction_factor():
    assert reduction_factor((1023, 1023), 512) == 1
    assert reduction_factor((2048, 1536), 512) == 2
    assert reduction_factor((7000, 7000), 512) == 8
    assert reduction_factor((7000, 7000), 128) == 8  # at most 8, as JPEG draft decoding
    assert reduction_factor((9000, 5000), 512) == 8

    def pixels(size, factor):
        return math.ceil(size[0] / factor) * math.ceil(size[1] / factor)

    # Long, thin images are reduced further, to the least factor that fits the budget.
    for size in [(1000, 5000), (1023, 48_876), (1, 50_000_000), (20_000, 2_500)]:
        factor = reduction_factor(size, 512)
        assert pixels(size, factor) <= MAX_REDUCED_PIXELS < pixels(size, factor - 1), size


def test_reduce_size_shrinks_any_format_and_keeps_the_full_size():
    img = Image.new("RGBA", (2100, 1100), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (0, 0, 1050, 550))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    for source in (buf.getvalue(), img):
        decoded = open_image(source, reduce_size=HASH_REDUCE_SIZE)
        assert decoded.image.size == (1050, 550)
        assert decoded.full_size == (2100, 1100)
        assert decoded.original_size == (2100, 1100)
        assert decoded.image.getpixel((10, 10)) == (0, 0, 0)
        assert decoded.image.getpixel((1000, 500)) == (255, 255, 255)
    assert img.mode == "RGBA" and img.size == (2100, 1100)  # a PIL input is left as it was
    assert open_image(buf.getvalue()).image.size == (2100, 1100)
    assert open_image(img).full_size is None


def test_reduced_image_is_turned_by_its_exif_orientation():
    img = Image.new("RGB", (2400, 1200), "white")
    img.paste((0, 0, 0), (0, 0, 1200, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    buf = io.BytesIO()
    img.save(buf, "PNG", exif=exif.tobytes())
    decoded = open_image(buf.getvalue(), reduce_size=HASH_REDUCE_SIZE)
    assert decoded.image.size == (600, 1200)
    assert decoded.full_size == (1200, 2400)
    assert decoded.image.getpixel((300, 100)) == (0, 0, 0)  # the black half is on top now
    assert decoded.image.getpixel((300, 1100)) == (255, 255, 255)


def test_animated_gif_first_frame_is_reduced():
    frames = [Image.new("RGB", (1100, 1100), c) for c in ("white", "black", "black")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    decoded = open_image(buf.getvalue(), reduce_size=HASH_REDUCE_SIZE)
    assert decoded.image.size == (550, 550)
    assert decoded.image.getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_png_is_scaled_across_strips_when_reduced():
    wide = np.full((2400, 1200), 30_000, dtype=np.uint16)
    wide[:8, :8], wide[-8:, -8:] = 1_000, 61_000
    buf = io.BytesIO()
    Image.fromarray(wide).save(buf, "PNG")
    out = open_image(buf.getvalue(), reduce_size=HASH_REDUCE_SIZE).image
    assert out.size == (600, 1200)
    assert out.getpixel((0, 0))[0] == 0 and out.getpixel((599, 1199))[0] == 255
    assert out.getpixel((300, 600))[0] == round((30_000 - 1_000) * 255 / 60_000)


def test_webp_counts_its_decoder_copies_against_the_pixel_limit():
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "green").save(buf, "WEBP")
    with pytest.raises(ImageError, match=r"200x200 WEBP holds 16 bytes a pixel.*count as 160000"):
        open_image(buf.getvalue(), max_pixels=100_000)
    assert open_image(buf.getvalue(), max_pixels=160_000).image.size == (200, 200)


def test_progressive_jpeg_counts_its_coefficients_against_the_pixel_limit():
    img = Image.new("RGB", (400, 400), "red")
    progressive, baseline = io.BytesIO(), io.BytesIO()
    img.save(progressive, "JPEG", progressive=True, subsampling=0)
    img.save(baseline, "JPEG", subsampling=0)
    # 4:4:4: three samples of 2 bytes a pixel, plus the 4-byte output when not draft-reduced
    with pytest.raises(ImageError, match=r"400x400 progressive JPEG holds 10 bytes a pixel"):
        open_image(progressive.getvalue(), max_pixels=200_000)
    assert open_image(baseline.getvalue(), max_pixels=200_000).image.size == (400, 400)
    with pytest.raises(ImageError, match=r"holds 7 bytes a pixel"):  # drafted to 200x200
        open_image(progressive.getvalue(), max_pixels=200_000, draft_size=128)
    assert open_image(progressive.getvalue(), max_pixels=280_000, draft_size=128)
