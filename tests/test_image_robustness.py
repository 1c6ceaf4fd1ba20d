"""Distance bounds under common edits, on real photos, emoji glyphs and generated drawings.

Photos come from scikit-image's bundled data (pip: scikit-image), glyphs from Noto Color Emoji
(Debian: fonts-noto-color-emoji); tests needing them skip when they are missing.
Distances are the best of the query as is and mirrored, as ImageMatcher.scan computes them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from matchers.hashing import QUERY_DRAFT_SIZE, compute_hashes, distance, hash_image, trim_box
from matchers.image import CONFIRM_THRESHOLDS, ImageMatcher
from matchers.imaging import open_image

EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")
EMOJI = ("\U0001f3f4", "\U0001f680", "\U0001f308", "\U0001f52a")


def photo(name: str) -> Image.Image:
    skimage = pytest.importorskip("skimage", reason="scikit-image ships the test photos")
    return open_image(Path(skimage.__file__).parent / "data" / name).image


def emoji(char: str) -> Image.Image:
    if not EMOJI_FONT.exists():
        pytest.skip("fonts-noto-color-emoji not installed")
    font = ImageFont.truetype(str(EMOJI_FONT), 109)
    canvas = Image.new("RGBA", (160, 160), (255, 255, 255, 0))
    ImageDraw.Draw(canvas).text((10, 10), char, font=font, embedded_color=True)
    glyph = canvas.crop(canvas.getbbox())
    white = Image.new("RGBA", glyph.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, glyph).convert("RGB")


def drawing(seed: int) -> Image.Image:
    img = Image.new("RGB", (256, 256), "white")
    d = ImageDraw.Draw(img)
    s = seed * 53
    d.polygon([(30 + s % 70, 24), (230, 60 + s % 100), (40, 220)], fill="black")
    d.line([(16, 190 - s % 120), (240, 30 + s % 90)], fill="black", width=18)
    d.ellipse((120 - s % 60, 110, 220 - s % 60, 210), outline="black", width=14)
    return img


def corpus_item(kind: str, key) -> Image.Image:
    return {"photo": photo, "emoji": emoji, "drawing": drawing}[kind](key)


ITEMS = [("photo", p) for p in PHOTOS] + [("emoji", e) for e in EMOJI]
ITEMS += [("drawing", i) for i in (1, 2)]


def as_uploaded(img: Image.Image, quality: int = 85) -> dict:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    h = compute_hashes(open_image(buf.getvalue(), draft_size=128).image, mirror=True)
    return {
        alg: (h.get(alg), h.get(alg, mirrored=True))
        for alg in ("phash", "dhash", "pdq")
        if h.get(alg)
    }


def best(ref: dict, query: dict, alg: str) -> int:
    return min(distance(ref[alg], q) for q in query[alg])


def caption(img: Image.Image, frac: float) -> Image.Image:
    band = max(6, int(img.height * frac))
    out = Image.new("RGB", (img.width, img.height + band), "white")
    out.paste(img, (0, 0))
    ImageDraw.Draw(out).text((4, img.height + 1), "caption text", fill="black")
    return out


def crop(img: Image.Image, frac: float) -> Image.Image:
    dx, dy = int(img.width * frac), int(img.height * frac)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


# transformation -> (edit, pHash, dHash, PDQ bounds): the largest distance measured over the
# ten items, rounded up. Matched by default when pHash and dHash are both <= 10 (or PDQ <= 31):
# resize, recompression, mirroring, greyscale and brightness always are; a 2% crop, a 2-degree
# rotation and a 5% caption band sometimes exceed that (see benchmarks/image_robustness.py).
EDITS = {
    "resize 50%": (lambda im: im.resize((im.width // 2, im.height // 2)), 2, 4, 24),
    "JPEG quality 40": (lambda im: Image.open(io.BytesIO(jpeg(im, 40))).convert("RGB"), 4, 6, 24),
    "mirror": (ImageOps.mirror, 2, 6, 31),
    "grayscale": (lambda im: ImageOps.grayscale(im).convert("RGB"), 2, 4, 24),
    "brightness +20%": (lambda im: ImageEnhance.Brightness(im).enhance(1.2), 6, 18, 31),
    "crop 2% each side": (lambda im: crop(im, 0.02), 10, 10, 64),
    "caption band 5%": (lambda im: caption(im, 0.05), 22, 12, 112),
    "rotate 2 degrees": (lambda im: im.rotate(2, fillcolor="white"), 18, 10, 64),
}


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def references():
    cache = {}

    def get(kind, key):
        if (kind, key) not in cache:
            cache[kind, key] = hash_image(corpus_item(kind, key))
        return cache[kind, key]

    return get


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("kind,key", ITEMS, ids=[f"{k}-{v!r}" for k, v in ITEMS])
def test_distance_bounds_under_edits(references, kind, key, edit):
    fn, phash_bound, dhash_bound, pdq_bound = EDITS[edit]
    img = corpus_item(kind, key)
    ref = references(kind, key)
    query = as_uploaded(fn(img))
    assert best(ref, query, "phash") <= phash_bound
    assert best(ref, query, "dhash") <= dhash_bound
    if "pdq" in query and ref["pdq"]:
        assert best(ref, query, "pdq") <= pdq_bound


@pytest.mark.parametrize("kind,key", ITEMS, ids=[f"{k}-{v!r}" for k, v in ITEMS])
def test_quarter_turn_is_not_the_same_image(references, kind, key):
    query = as_uploaded(corpus_item(kind, key).rotate(90, expand=True))
    assert best(references(kind, key), query, "phash") > CONFIRM_THRESHOLDS["phash"]


def test_unrelated_images_are_far_apart(references):
    refs = []
    for kind, key in ITEMS:
        try:
            refs.append(((kind, key), references(kind, key)))
        except pytest.skip.Exception:
            continue
    assert len(refs) >= 2
    for i, (name_a, a) in enumerate(refs):
        for name_b, b in refs[i + 1 :]:
            p, d = distance(a["phash"], b["phash"]), distance(a["dhash"], b["dhash"])
            assert not (p <= 10 and d <= 10), (name_a, name_b, p, d)
            assert p > 12, (name_a, name_b, p)
            if a["pdq"] and b["pdq"]:
                assert distance(a["pdq"], b["pdq"]) > 62, (name_a, name_b)


def meme(img: Image.Image, frac: float = 0.15) -> Image.Image:
    """A white caption band with large black text below the image."""
    band = max(12, int(img.height * frac))
    out = Image.new("RGB", (img.width, img.height + band), "white")
    out.paste(img, (0, 0))
    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    size = max(8, band * 6 // 10)
    font = ImageFont.truetype(str(font_path), size) if font_path.exists() else None
    ImageDraw.Draw(out).text((4, img.height + band // 8), "when they see it", "black", font=font)
    return out


# rocket.jpg: its flat sky at the top sits at the band detector's threshold, so it is taken for a
# second band and cut too, and the scan misses the photo (a known gap, kept visible as xfail).
CAPTION_CASES = [
    pytest.param(name, marks=pytest.mark.xfail(reason="flat sky taken for a band", strict=True))
    if name == "rocket.jpg"
    else name
    for name in PHOTOS
]


@pytest.mark.parametrize("name", CAPTION_CASES)
def test_caption_band_is_found_and_scan_matches_the_photo(name):
    img = photo(name)
    ref = hash_image(img)
    matcher = ImageMatcher.from_hashes([{"entry_id": name, **ref}])
    buf = io.BytesIO()
    meme(img).save(buf, "JPEG", quality=85)
    decoded = open_image(buf.getvalue(), draft_size=QUERY_DRAFT_SIZE)
    box = trim_box(decoded.image)
    assert box is not None
    assert abs(box[3] - decoded.image.height * img.height / meme(img).height) <= 3
    assert trim_box(open_image(img).image) is None, "the photo alone has no band"
    found = [m.entry_id for m in matcher.scan(buf.getvalue())]
    assert found == [name]
