"""No reference drawing of the built knowledge base matches a common shape or an everyday emoji,
and every drawing still matches its usual copies (so the guard is not "match nothing")."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image, ImageEnhance, ImageOps

from matchers.bundle import materialize
from matchers.hashing import hash_image, pdq_available
from matchers.image import DEFAULT_THRESHOLDS, PDQ_CONFIRM_THRESHOLD, ImageMatcher
from symbolenbank import common_shapes as calibration
from symbolenbank.snapshot import read_db
from tests.common_shapes import EMOJI, common_shapes, emoji_available
from tests.helpers import DATA

pytestmark = pytest.mark.skipif(not pdq_available(), reason="the guard needs PDQ (pdqhash)")

REQUIRED = (
    "plus", "first-aid-cross", "latin-cross", "greek-cross", "star-5", "star-6", "sun", "circle",
    "square", "triangle", "lightning", "heart", "check-mark", "arrow-up", "arrow-down",
    "arrow-left", "arrow-right", "arrow-up-right", "rectangle-cross",
)  # fmt: skip


@pytest.fixture(scope="module")
def shapes() -> list[tuple[str, bytes]]:
    return common_shapes()


@pytest.fixture(scope="module")
def drawings(db_path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    rows = conn.execute("select entry_id, file from images where file is not null").fetchall()
    conn.close()
    return rows


def test_the_set_holds_what_it_promises(shapes):
    names = [name for name, _ in shapes]
    figures = {name.split("/")[0] for name in names}
    assert set(REQUIRED) <= figures
    assert any("first-aid-cross" in n and "red-on-white" in n for n in names)
    assert any("first-aid-cross" in n and "white-on-red" in n for n in names)
    labels = " ".join(names)
    for variant in ("64x64", "400x400", "pad0-", "crisp", "jpeg50", "jpeg85", "png", "blue-on"):
        assert variant in labels, variant
    if emoji_available():
        assert len(EMOJI) >= 40
        assert len({n.split("/")[0] for n in names if n.startswith("emoji")}) == len(EMOJI)
    for _, data in shapes[:: len(shapes) // 50]:  # a sample decodes
        Image.open(io.BytesIO(data)).verify()


@pytest.mark.parametrize("confirm", [True, False], ids=["pair-rule", "single-thresholds"])
def test_no_common_shape_matches_a_reference_drawing(db_path, shapes, confirm):
    matcher = ImageMatcher.from_db(db_path, confirm=confirm)
    found = [
        (name, m.entry_id, m.algorithm, m.distance)
        for name, data in shapes
        for m in matcher.scan(data)
    ]
    assert found == []


def _copies(img: Image.Image) -> dict[str, bytes]:
    """The edits every drawing must survive (``tests/test_image_robustness.py`` bounds them)."""

    def jpeg(im: Image.Image, quality: int = 85) -> bytes:
        buf = io.BytesIO()
        im.convert("RGB").save(buf, "JPEG", quality=quality)
        return buf.getvalue()

    png = io.BytesIO()
    img.save(png, "PNG")
    return {
        "png": png.getvalue(),
        "jpeg 85": jpeg(img),
        "resize 50%": jpeg(img.resize((img.width // 2, img.height // 2))),
        "jpeg 40": jpeg(img, 40),
        "mirror": jpeg(ImageOps.mirror(img)),
        "grayscale": jpeg(ImageOps.grayscale(img)),
        "brightness +20%": jpeg(ImageEnhance.Brightness(img).enhance(1.2)),
    }


def test_every_drawing_still_matches_its_copies(db_path, drawings):
    matcher = ImageMatcher.from_db(db_path)
    missed = []
    for entry_id, file in drawings:
        img = Image.open(DATA / file).convert("RGB")
        for edit, data in _copies(img).items():
            if entry_id not in {m.entry_id for m in matcher.scan(data)}:
                missed.append((entry_id, edit))
    assert len(drawings) >= 30
    assert missed == []


def test_the_build_guards_every_drawing(db_path):
    """Every drawing's thresholds sit below its nearest calibration figure by the margin."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("select * from images where pdq is not null")]
    conn.close()
    assert rows
    shapes = calibration.calibration_hashes()
    for row in rows:
        near, _ = calibration.nearest(row, shapes).pdq
        room = near - 1 - calibration.PDQ_MARGIN
        assert row["pdq_threshold"] == max(0, min(DEFAULT_THRESHOLDS["pdq"], room)), row
        assert row["pdq_confirm"] == max(0, min(PDQ_CONFIRM_THRESHOLD, room)), row


def _bundle_matcher(entries: list[dict]) -> ImageMatcher:
    doc = {"format": "symbolenbank-bundle", "format_version": 1, "entries": entries}
    path, tmp = materialize("bundle", doc)
    try:
        return ImageMatcher.from_db(path)
    finally:
        tmp.cleanup()


def test_the_bundle_carries_the_thresholds(db_path, shapes):
    snap = read_db(db_path)  # what a release writes into symbolenbank.json
    entries = [
        {k: v for k, v in e.items() if k in ("id", "status", "assessment", "images")}
        for e in snap.entries.values()
    ]
    images = [img for e in entries for img in e["images"] if img.get("pdq")]
    assert images and all(img["pdq_confirm"] is not None for img in images)
    guarded = _bundle_matcher(entries)
    unguarded = _bundle_matcher([_without_guard(e) for e in entries])  # a bundle from before
    crosses_and_stars = [
        data for name, data in shapes if name.startswith(("plus/", "star-5", "rectangle-cross"))
    ]
    before = [data for data in crosses_and_stars if unguarded.scan(data)]
    assert before, "without the thresholds some plus signs and stars match drawings"
    assert [guarded.scan(data) for data in before] == [[] for _ in before]


def _without_guard(entry: dict) -> dict:
    images = [
        {k: v for k, v in img.items() if k not in ("pdq_threshold", "pdq_confirm")}
        for img in entry["images"]
    ]
    return {**entry, "images": images}


# -- the guard itself, on hashes made here -----------------------------------------------------


def test_a_common_shape_itself_gets_no_room():
    figure = calibration.render("crosshair", "medium", calibration.CALIBRATION[0])
    guard = calibration.guard(hash_image(figure))
    assert guard == {"pdq_threshold": 0, "pdq_confirm": 0}


def test_an_image_far_from_every_shape_keeps_the_defaults():
    skimage = pytest.importorskip("skimage", reason="scikit-image ships the test photo")

    photo = Path(skimage.__file__).parent / "data" / "astronaut.png"
    guard = calibration.guard(hash_image(photo))
    assert guard == {
        "pdq_threshold": DEFAULT_THRESHOLDS["pdq"],
        "pdq_confirm": PDQ_CONFIRM_THRESHOLD,
    }


def test_a_hash_without_pdq_near_a_shape_needs_a_pdq_it_lacks():
    plus = hash_image(calibration.render("plus", "medium", calibration.CALIBRATION[0]))
    near = {"phash": plus["phash"], "dhash": plus["dhash"]}
    assert calibration.guard(near)["pdq_confirm"] == PDQ_CONFIRM_THRESHOLD
    matcher = ImageMatcher.from_hashes([{"entry_id": "x", **near, **calibration.guard(near)}])
    buf = io.BytesIO()
    calibration.render("plus", "medium", calibration.CALIBRATION[0]).save(buf, "PNG")
    assert matcher.scan(buf.getvalue()) == []
    far = {"phash": "f0e1d2c3b4a59687"}  # the hash-only row of the release tests
    assert calibration.guard(far) == {"pdq_threshold": None, "pdq_confirm": None}
