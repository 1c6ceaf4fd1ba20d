"""`symbolenbank release`: CalVer, bundle files, reproducibility, hash lists, changelog, delta."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchers.hashlists import read_hash_list
from symbolenbank.cli import cli
from symbolenbank.release import ReleaseError, make_release, next_version
from tests.helpers import PHASH, add_entry, add_hash, edit_sample

DAY = dt.date(2026, 11, 25)


@pytest.fixture
def two_releases(mini_data: Path, tmp_path: Path):
    root, changelog = tmp_path / "release", tmp_path / "CHANGELOG.md"
    add_hash(mini_data)
    add_entry(mini_data, "to-be-retired", "alte parole")
    first = make_release(mini_data, root, changelog=changelog, date=DAY)
    add_entry(mini_data, "blut-und-boden", "blut und boden")
    edit_sample(mini_data, "assessment: illegal", "assessment: terrorist")
    retired = mini_data / "entries" / "to-be-retired.yaml"
    retired.write_text(
        retired.read_text(encoding="utf-8").replace("status: active", "status: retired"),
        encoding="utf-8",
    )
    second = make_release(mini_data, root, changelog=changelog, date=DAY + dt.timedelta(days=1))
    return first, second, changelog


def test_versions_are_calver(two_releases):
    first, second, _ = two_releases
    assert (first.version, second.version) == ("2026.11.0", "2026.11.1")
    assert second.since == "2026.11.0" and first.since is None
    assert next_version(["2026.11.0", "2026.11.1"], dt.date(2026, 12, 1)) == "2026.12.0"


def test_bundle_files(two_releases):
    _, second, _ = two_releases
    d = second.directory
    names = {p.name for p in d.iterdir()}
    assert {
        "symbolenbank.db", "symbolenbank.json", "entries.csv", "patterns.csv", "hashes.te.csv",
        "simple.HASH_PHASH.te", "delta.json", "SHA256SUMS", "release.json",
    } <= names  # fmt: skip
    for line in (d / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((d / name).read_bytes()).hexdigest() == digest
    bundle = json.loads((d / "symbolenbank.json").read_text(encoding="utf-8"))
    assert bundle["version"] == "2026.11.1" and bundle["release"]["version"] == "2026.11.1"
    assert bundle["release"]["built_at"] == "2026-11-26"
    ids = [e["id"] for e in bundle["entries"]]
    assert ids == sorted(ids) and "blut-und-boden" in ids
    with (d / "patterns.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"entry_id": "blut-und-boden", "text": "blut und boden"}.items() <= rows[0].items()
    manifest = json.loads((d / "release.json").read_text(encoding="utf-8"))
    assert manifest["bundle_hash"] == second.bundle_hash


def test_image_hashes_in_threatexchange_and_hma_form(two_releases):
    _, second, _ = two_releases
    te = read_hash_list(second.directory / "hashes.te.csv")
    assert [(r.algorithm, r.value) for r in te.records] == [("phash", PHASH)]
    assert "sample-sieg-heil" in te.records[0].labels
    hma = read_hash_list(second.directory / "simple.HASH_PHASH.te")
    assert [r.value for r in hma.records] == [PHASH]


def test_delta_feed_between_two_versions(two_releases):
    _, second, _ = two_releases
    delta = json.loads((second.directory / "delta.json").read_text(encoding="utf-8"))
    assert (delta["from"], delta["to"]) == ("2026.11.0", "2026.11.1")
    changes = {c["id"]: c for c in delta["changes"]}
    assert changes["blut-und-boden"]["change"] == "added"
    assert changes["blut-und-boden"]["entry"]["patterns"][0]["text"] == "blut und boden"
    assert changes["sample-sieg-heil"]["change"] == "changed"
    assert changes["sample-sieg-heil"]["fields"] == ["assessment"]
    assert changes["to-be-retired"]["change"] == "retired"
    assert changes["to-be-retired"]["entry"]["status"] == "retired"
    assert len(changes) == 3


def test_delta_since_an_older_version(two_releases, mini_data, tmp_path):
    first, second, _ = two_releases
    root = second.directory.parent
    third = make_release(mini_data, root, since=first.version, changelog=None, date=DAY)
    delta = json.loads((third.directory / "delta.json").read_text(encoding="utf-8"))
    assert delta["from"] == "2026.11.0" and third.version == "2026.11.2"
    assert {c["id"] for c in delta["changes"]} == {
        "blut-und-boden",
        "sample-sieg-heil",
        "to-be-retired",
    }


def test_changelog_sections_newest_first(two_releases):
    _, _, changelog = two_releases
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith("# Changelog")
    assert text.index("## 2026.11.1 — 2026-11-26") < text.index("## 2026.11.0 — 2026-11-25")
    newest = text.split("## 2026.11.0")[0]
    assert "### Added\n\n- `blut-und-boden`" in newest
    assert "`sample-sieg-heil` — Sieg Heil (testitem) (terrorist): assessment" in newest
    assert "### Retired\n\n- `to-be-retired`" in newest


def test_same_data_same_bundle(mini_data, tmp_path):
    add_hash(mini_data)
    a = make_release(mini_data, tmp_path / "a", version="2026.11.0", changelog=None, date=DAY)
    b = make_release(mini_data, tmp_path / "b", version="2026.11.0", changelog=None, date=DAY)
    assert (a.directory / "SHA256SUMS").read_bytes() == (b.directory / "SHA256SUMS").read_bytes()
    assert a.bundle_hash == b.bundle_hash and a.content_hash == b.content_hash


def test_restricted_entries_stay_out_of_the_bundle(mini_data, tmp_path):
    add_entry(mini_data, "secret-entry", "geheime parole")
    path = mini_data / "entries" / "secret-entry.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "status: active", "status: active\nvisibility: restricted"
    )
    path.write_text(text, encoding="utf-8")
    result = make_release(mini_data, tmp_path / "r", changelog=None, date=DAY)
    for name in ("symbolenbank.json", "entries.csv", "patterns.csv", "delta.json"):
        assert "secret-entry" not in (result.directory / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"version": "26.11"}, "not CalVer"),
        ({"version": "2026.13.0"}, "not CalVer"),
        ({"since": "2020.1.0"}, "no release 2020.1.0"),
    ],
)
def test_release_errors_say_what_to_do(mini_data, tmp_path, kwargs, message):
    with pytest.raises(ReleaseError, match=message):
        make_release(mini_data, tmp_path / "r", changelog=None, date=DAY, **kwargs)


def test_a_version_is_released_once(mini_data, tmp_path):
    make_release(mini_data, tmp_path / "r", version="2026.11.0", changelog=None, date=DAY)
    with pytest.raises(ReleaseError, match="immutable"):
        make_release(mini_data, tmp_path / "r", version="2026.11.0", changelog=None, date=DAY)


def test_cli_release(mini_data, tmp_path):
    out, changelog = tmp_path / "release", tmp_path / "CHANGELOG.md"
    args = ["release", "--data", str(mini_data), "--output-dir", str(out)]
    args += ["--changelog", str(changelog), "--date", "2026-11-25"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Released 2026.11.0" in result.output
    assert (out / "2026.11.0" / "delta.json").is_file() and changelog.is_file()
    edit_sample(mini_data, "kind: slogan", "kind: slogann")
    result = CliRunner().invoke(cli, [*args[:-2], "--date", "2026-11-26"])
    assert result.exit_code == 1 and "sample-sieg-heil.yaml:" in result.output
    assert not (out / "2026.11.1").exists()


def test_diff_between_two_release_bundles(two_releases, tmp_path):
    from symbolenbank.diff import diff_report

    first, second, _ = two_releases
    corpus = tmp_path / "de_benign.txt"
    corpus.write_text("Een gewone zin over de bodem van de tuin.\n", encoding="utf-8")
    diff, report = diff_report(str(first.directory), str(second.directory), corpus=[corpus])
    assert diff.added == ["blut-und-boden"] and diff.retired == ["to-be-retired"]
    row = next(line for line in report.splitlines() if line.startswith("| `blut-und-boden`"))
    assert "0 (0.0 per 10k de lines)" in row, "the matcher is loaded from the bundle"
