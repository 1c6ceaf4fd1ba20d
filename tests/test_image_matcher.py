"""ImageMatcher: plain-data and database constructors, scanning, hash lists, export."""

from __future__ import annotations

import hashlib
import io
import sqlite3

import pytest
from PIL import Image, ImageDraw, ImageOps

from matchers.errors import DatabaseError
from matchers.hashing import hash_image, pdq_available
from matchers.hashlists import HashRecord, read_hash_list
from matchers.image import DEFAULT_THRESHOLDS, KB_SOURCE, ImageMatch, ImageMatcher


def symbol(seed: int) -> Image.Image:
    img = Image.new("RGB", (240, 240), "white")
    d = ImageDraw.Draw(img)
    s = seed * 37
    d.polygon([(20 + s % 90, 30), (220, 40 + s % 120), (60, 210)], fill="black")
    d.line([(10, 200 - s % 150), (230, 20 + s % 60)], fill="black", width=16)
    d.ellipse((150 - s % 80, 120, 230 - s % 80, 200), outline="black", width=12)
    return img


def jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def rows():
    return [{"entry_id": f"entry-{i}", **hash_image(symbol(i))} for i in range(6)]


@pytest.fixture(scope="module")
def matcher(rows):
    return ImageMatcher.from_hashes(rows)


def test_scan_accepts_path_bytes_file_and_pil(tmp_path, matcher):
    data = jpeg(symbol(2))
    path = tmp_path / "upload.jpg"
    path.write_bytes(data)
    for source in (path, str(path), data, io.BytesIO(data), Image.open(io.BytesIO(data))):
        found = matcher.scan(source)
        assert found, source
        assert found[0].entry_id == "entry-2"
        assert found[0].source == KB_SOURCE
        assert found[0].distance <= found[0].threshold
    assert isinstance(found[0], ImageMatch)
    assert set(found[0].to_dict()) >= {"entry_id", "algorithm", "distance", "source"}


def test_default_scan_confirms_phash_with_dhash(matcher):
    found = matcher.scan(jpeg(symbol(3)))
    phash = [m for m in found if m.algorithm == "phash" and m.entry_id == "entry-3"]
    assert phash and phash[0].confirm_distance is not None
    assert not [m for m in found if m.algorithm == "dhash" and m.entry_id == "entry-3"]


def test_mirrored_upload_matches(matcher):
    found = matcher.scan(jpeg(ImageOps.mirror(symbol(4))))
    best = [m for m in found if m.entry_id == "entry-4"]
    assert best and best[0].mirrored


def test_unrelated_image_does_not_match(rows):
    matcher = ImageMatcher.from_hashes(rows[:3])
    assert not [m for m in matcher.scan(jpeg(symbol(5))) if m.entry_id.startswith("entry")]


def test_confirm_false_uses_single_thresholds(rows):
    loose = ImageMatcher.from_hashes(rows, confirm=False)
    found = loose.scan(jpeg(symbol(1)))
    assert {m.algorithm for m in found if m.entry_id == "entry-1"} >= {"phash", "dhash"}
    for m in found:
        assert m.distance <= DEFAULT_THRESHOLDS[m.algorithm] == m.threshold


@pytest.mark.skipif(not pdq_available(), reason="pdqhash not installed")
def test_pdq_only_reference_matches_and_low_quality_is_ignored(rows):
    pdq_rows = [{"entry_id": r["entry_id"], "pdq": r["pdq"]} for r in rows]
    pdq_rows.append({"entry_id": "weak", "pdq": rows[0]["pdq"], "pdq_quality": 20})
    m = ImageMatcher.from_hashes(pdq_rows)
    found = m.scan(jpeg(symbol(0)))
    assert [x.entry_id for x in found] == ["entry-0"]
    assert found[0].algorithm == "pdq" and found[0].threshold == 31


def test_hash_list_is_scanned_with_kb_and_labelled(tmp_path, rows, matcher):
    target = hash_image(symbol(1))
    csv_path = tmp_path / "partner.csv"
    csv_path.write_text(
        "collab,signal_type,signal_str,category,tags\n"
        f"Partner,pdq,{target['pdq'] or 'f' * 64},POSITIVE_CLASS,tag-a tag-b\n"
        "Partner,url,https://example.org/x,POSITIVE_CLASS,\n"
    )
    m = ImageMatcher.from_hashes(rows)
    added = m.add_hash_list(csv_path)
    assert added == 1
    assert m.sources == {KB_SOURCE: len(m.records()), "partner": 1}
    found = m.scan(jpeg(symbol(1)))
    sources = {x.source for x in found}
    assert KB_SOURCE in sources
    if pdq_available():
        listed = [x for x in found if x.source == "partner"]
        assert listed and listed[0].labels == ("Partner", "tag-a", "tag-b")


def test_md5_list_matches_exact_bytes(rows):
    data = jpeg(symbol(5), quality=70)
    m = ImageMatcher.from_hashes(rows[:1])
    m.add_hash_list([HashRecord("md5", hashlib.md5(data).hexdigest(), "tcap-1")], name="tcap")
    found = m.scan(data)
    assert [(x.source, x.algorithm, x.distance) for x in found] == [("tcap", "md5", 0)]


def test_export_round_trip(tmp_path, matcher, rows):
    for fmt in ("te", "tcap", "lines"):
        out = tmp_path / f"kb.{fmt}.csv"
        n = matcher.export_csv(out, format=fmt)
        assert n == len(matcher.records())
        back = read_hash_list(out)
        assert {(r.algorithm, r.value) for r in back.records} == {
            (r.algorithm, r.value) for r in matcher.records()
        }
    out = tmp_path / "simple.HASH_PDQ.te"
    n = matcher.export_csv(out, format="hma")
    back = read_hash_list(out)
    assert len(back.records) == n
    assert {r.id for r in back.records} <= {r["entry_id"] for r in rows}


def test_from_hashes_rejects_bad_rows():
    with pytest.raises(ValueError, match="entry-x: .*16 hex digits"):
        ImageMatcher.from_hashes([{"entry_id": "entry-x", "phash": "abc"}])
    with pytest.raises(ValueError, match="without entry_id"):
        ImageMatcher.from_hashes([{"phash": "0" * 16}])
    with pytest.raises(ValueError, match="unknown algorithm"):
        ImageMatcher(thresholds={"ahash": 3})


def make_db(path, rows):
    conn = sqlite3.connect(path)
    conn.executescript(
        "create table entries (id text primary key, status text, kind text, assessment text);"
        "create table patterns (id integer primary key, entry_id text);"
        "create table images (id integer primary key, entry_id text, file text, phash text,"
        " dhash text, pdq text, pdq_quality integer, note text);"
    )
    for i, r in enumerate(rows):
        status = "retired" if i == 1 else "active"
        conn.execute(
            "insert into entries values (?, ?, 'symbol', 'illegal')", (r["entry_id"], status)
        )
        conn.execute(
            "insert into images (entry_id, file, phash, dhash, pdq, pdq_quality, note)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            (
                r["entry_id"],
                f"images/{i}.png",
                r["phash"],
                r["dhash"],
                r["pdq"],
                r["pdq_quality"],
                "drawing",
            ),
        )
    conn.commit()
    conn.close()


def test_from_db_skips_retired_entries(tmp_path, rows):
    db = tmp_path / "kb.db"
    make_db(db, rows[:3])
    m = ImageMatcher.from_db(db)
    found = m.scan(jpeg(symbol(0)))
    assert found[0].entry_id == "entry-0"
    assert found[0].labels == ("illegal",)
    assert found[0].note == "drawing"
    assert not [x for x in m.scan(jpeg(symbol(1))) if x.entry_id == "entry-1"]


def test_from_db_errors(tmp_path):
    with pytest.raises(DatabaseError, match="no such database"):
        ImageMatcher.from_db(tmp_path / "missing.db")


def test_fast_scan_path_finds_what_the_reference_path_finds(monkeypatch, rows):
    """scan() hashes draft-decoded JPEGs with the numpy path; hashing the full decode with the
    reference path (imagehash, pdqhash) must give the same matches within a few bits."""
    import matchers.image as image_module
    from matchers.hashing import compute_hashes
    from matchers.imaging import open_image

    matcher = ImageMatcher.from_hashes(rows, confirm=False)
    uploads = [jpeg(symbol(i).resize((960, 960))) for i in range(6)]
    uploads += [jpeg(ImageOps.mirror(symbol(2)).resize((1024, 768)))]
    fast = [matcher.scan(data) for data in uploads]

    def full_decode(source, **options):
        options.pop("draft_size", None)
        return open_image(source, **options)

    monkeypatch.setattr(image_module, "open_image", full_decode)
    monkeypatch.setattr(
        image_module,
        "query_hashes",
        lambda decoded, algorithms: compute_hashes(decoded.image, algorithms, mirror=True),
    )
    for data, got in zip(uploads, fast, strict=True):
        ref = matcher.scan(data)
        assert got
        key = lambda found: {(m.entry_id, m.algorithm, m.mirrored) for m in found}  # noqa: E731
        assert key(got) == key(ref)
        by_key = {(m.entry_id, m.algorithm): m.distance for m in ref}
        for m in got:
            assert abs(m.distance - by_key[m.entry_id, m.algorithm]) <= 4


# -- a reference's own thresholds: pdq_confirm and pdq_threshold --------------------------------


def with_pdq_of(row: dict, other: dict) -> dict:
    """``row`` with the PDQ hash of ``other``: its pHash and dHash agree, its PDQ does not."""
    return {**row, "pdq": other["pdq"], "pdq_quality": other["pdq_quality"]}


@pytest.mark.skipif(not pdq_available(), reason="pdqhash not installed")
@pytest.mark.parametrize("confirm", [True, False])
def test_pdq_confirm_refuses_phash_and_dhash_matches_without_pdq(rows, confirm):
    own, wrong = rows[2], with_pdq_of(rows[2], rows[5])
    upload = jpeg(symbol(2))
    plain = ImageMatcher.from_hashes([wrong], confirm=confirm)
    assert {m.algorithm for m in plain.scan(upload)} & {"phash", "dhash"}
    guarded = ImageMatcher.from_hashes([{**wrong, "pdq_confirm": 48}], confirm=confirm)
    assert guarded.scan(upload) == []
    confirmed = ImageMatcher.from_hashes([{**own, "pdq_confirm": 48}], confirm=confirm)
    found = [m for m in confirmed.scan(upload) if m.algorithm in ("phash", "dhash")]
    assert found and all(m.confirm_pdq is not None and m.confirm_pdq <= 48 for m in found)
    assert all(m.confirm_pdq is None for m in plain.scan(upload))


@pytest.mark.skipif(not pdq_available(), reason="pdqhash not installed")
def test_pdq_threshold_caps_the_pdq_threshold(rows):
    upload = jpeg(symbol(0).resize((100, 100)), quality=40)
    pdq_only = {"entry_id": "e", "pdq": rows[0]["pdq"], "pdq_quality": rows[0]["pdq_quality"]}
    (match,) = ImageMatcher.from_hashes([pdq_only]).scan(upload)
    assert match.distance > 0, "the reduced, recompressed copy is a few bits off"
    capped = ImageMatcher.from_hashes([{**pdq_only, "pdq_threshold": match.distance - 1}])
    assert capped.scan(upload) == []
    (held,) = ImageMatcher.from_hashes([{**pdq_only, "pdq_threshold": match.distance}]).scan(upload)
    assert held.threshold == match.distance


def test_a_reference_without_pdq_cannot_be_confirmed(rows):
    no_pdq = {k: rows[1][k] for k in ("entry_id", "phash", "dhash")}
    assert ImageMatcher.from_hashes([no_pdq]).scan(jpeg(symbol(1)))
    guarded = ImageMatcher.from_hashes([{**no_pdq, "pdq_confirm": 48}])
    assert guarded.scan(jpeg(symbol(1))) == []


@pytest.mark.parametrize("key", ["pdq_threshold", "pdq_confirm"])
@pytest.mark.parametrize("value", [-1, "31", 3.5, True])
def test_bad_own_thresholds_are_refused(rows, key, value):
    with pytest.raises(ValueError, match=f"entry-0: {key} must be a whole number"):
        ImageMatcher.from_hashes([{**rows[0], key: value}])


def test_export_leaves_out_hashes_that_need_confirmation(tmp_path, rows):
    guarded = [{**rows[0], "pdq_confirm": 48}, {**rows[1], "pdq_threshold": 20}, rows[2]]
    matcher = ImageMatcher.from_hashes(guarded)
    standalone = {(r.id, r.algorithm) for r in matcher.records(standalone=True)}
    everything = {(r.id, r.algorithm) for r in matcher.records()}
    dropped = {("entry-0", "phash"), ("entry-0", "dhash")}
    if pdq_available():
        dropped.add(("entry-1", "pdq"))
    assert everything - standalone == dropped
    out = tmp_path / "kb.te.csv"
    assert matcher.export_csv(out) == len(standalone)
    written = {(r.algorithm, r.value) for r in read_hash_list(out).records}
    assert written == {(r.algorithm, r.value) for r in matcher.records(standalone=True)}


def test_from_db_reads_the_own_thresholds(tmp_path, rows):
    db = tmp_path / "kb.db"
    make_db(db, [with_pdq_of(rows[0], rows[4]) if pdq_available() else rows[0]])
    conn = sqlite3.connect(db)
    conn.execute("alter table images add column pdq_threshold integer")
    conn.execute("alter table images add column pdq_confirm integer")
    conn.commit()
    assert ImageMatcher.from_db(db).scan(jpeg(symbol(0))), "no thresholds of its own yet"
    conn.execute("update images set pdq_confirm = 48")
    conn.commit()
    conn.close()
    assert ImageMatcher.from_db(db).scan(jpeg(symbol(0))) == []
