"""`matchers` loads from a release bundle (JSON) exactly as from the SQLite it was exported from."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import matchers
from matchers.bundle import BundleError, read_bundle, to_sqlite
from symbolenbank.release import make_release
from tests.helpers import PHASH, add_entry, add_hash

POSTS = [
    "Sieg Heil kameraden!",
    "s1eg h.e.i.l",
    "Een heilige zege voor het team",
    "blut und boden, #BlutUndBoden",
    "niets aan de hand",
]


@pytest.fixture
def release_dir(mini_data: Path, tmp_path: Path) -> Path:
    add_hash(mini_data)
    add_entry(mini_data, "blut-und-boden", "blut und boden")
    add_entry(mini_data, "retired-entry", "alte parole")
    path = mini_data / "entries" / "retired-entry.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: retired"))
    result = make_release(
        mini_data, tmp_path / "release", changelog=None, date=dt.date(2026, 11, 25)
    )
    return result.directory


def _found(kb: matchers.KnowledgeBase) -> list[list[tuple[str, int, int, str]]]:
    return [[(m.entry_id, m.start, m.end, m.pattern) for m in kb.scan(p)] for p in POSTS]


@pytest.mark.parametrize("which", ["json", "dir"])
def test_bundle_scans_like_the_database(release_dir, which):
    from_db = matchers.load(release_dir / "symbolenbank.db")
    target = release_dir / "symbolenbank.json" if which == "json" else release_dir
    from_bundle = matchers.load(target)
    assert _found(from_bundle) == _found(from_db)
    assert [e for e, *_ in _found(from_bundle)[0]] == ["sample-sieg-heil"]
    assert {m.entry_id for m in from_bundle.scan("blut und boden")} == {"blut-und-boden"}
    assert from_bundle.scan("alte parole") == [], "retired entries never match"
    assert from_bundle.release["version"] == from_db.release["version"] == "2026.11.0"


def test_bundle_carries_the_image_hashes(release_dir):
    kb = matchers.load(str(release_dir / "symbolenbank.json"))
    assert len(kb.image) == len(matchers.load(release_dir / "symbolenbank.db").image) == 1
    assert [r.value for r in kb.image.records()] == [PHASH]


def test_bundle_tables_match_the_build(release_dir):
    conn = to_sqlite(read_bundle(release_dir))
    row = conn.execute(
        "select exceptions, status from entries where id='sample-sieg-heil'"
    ).fetchone()
    assert json.loads(row[0]) == ["sieg heilig"] and row[1] == "active"
    assert conn.execute("select count(*) from patterns").fetchone()[0] == 3


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not JSON"),
        ('{"entries": []}', "not a Symbolenbank bundle"),
        ('{"format": "symbolenbank-bundle", "format_version": 99, "entries": []}', "upgrade"),
    ],
)
def test_bad_bundles_raise_a_named_error(tmp_path, content, message):
    path = tmp_path / "symbolenbank.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BundleError, match=message):
        matchers.load(path)
    assert issubclass(BundleError, matchers.MatcherError)


def test_matchers_bundle_imports_nothing_from_the_build_side():
    code = (
        "import sys, matchers, matchers.bundle; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('symbolenbank', 'yaml', 'pydantic', 'sqlite_utils', 'datasette')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
