"""A real `symbolenbank serve` process on a loopback port."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture(scope="module")
def server(built, start_server):
    return start_server(built.output)


def test_served_home_and_entry(server, db_path):
    import sqlite_utils

    home = httpx.get(server + "/")
    assert home.status_code == 200 and "Symbolenbank" in home.text
    entry_id = next(sqlite_utils.Database(db_path).query("select id from entries limit 1"))["id"]
    page = httpx.get(f"{server}/symbolenbank/entries/{entry_id}")
    assert page.status_code == 200 and 'class="sb-entry"' in page.text


def test_served_database_is_immutable(server):
    versions = httpx.get(server + "/-/databases.json").json()
    assert {d["name"]: d["is_mutable"] for d in versions}["symbolenbank"] is False


def test_served_facet_and_search(server):
    r = httpx.get(server + "/symbolenbank/entries.json?_facet=kind")
    assert r.status_code == 200 and "kind" in r.json()["facet_results"]


BAD_JSON = [
    b"[" * 100_000,
    b'{"text": ' * 50_000,
    b'{"text": "\xff\xfe not UTF-8"}',
    b'{"text": "\xed\xa0\x80 a lone surrogate in UTF-8 form"}',
    b'{"text": "\\ud800 a lone surrogate escaped"}',
    b'{"text": "sieg heil \\udfff"}',
    b'{"text": "sieg heil", "database": "\\ud83d"}',
    b'{"text": "unterminated',
    b"\xef\xbb\xbf" + b"[" * 100_000,
]


@pytest.mark.parametrize("body", BAD_JSON, ids=range(len(BAD_JSON)))
def test_scan_refuses_bad_json_with_400(server, body):
    response = httpx.post(
        server + "/-/scan.json",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400, response.text[:200]
    answer = response.json()
    assert answer["ok"] is False and "JSON" in answer["error"]
    assert httpx.get(server + "/-/versions.json").status_code == 200


def _pair(data, folder):
    """Build data into folder: (public, restricted)."""
    from symbolenbank.build import build_database

    result = build_database(
        data, folder / "symbolenbank.db", restricted_output=folder / "symbolenbank-restricted.db"
    )
    return result.output, result.restricted_output


def _releases(*paths):
    """The `releases` row of each file, None for a missing one."""
    import sqlite3

    rows = []
    for path in paths:
        if not path.is_file():
            rows.append(None)
            continue
        with sqlite3.connect(path) as conn:
            conn.row_factory = sqlite3.Row
            rows.append(dict(conn.execute("select * from releases").fetchone()))
    return rows


def _one_build(public, restricted) -> bool:
    first, second = _releases(public, restricted)
    return bool(first and second and first.get("build_id") == second.get("build_id") is not None)


def test_ensure_built_keeps_a_current_pair(mini_data, tmp_path, capsys):
    from symbolenbank.cli import ensure_built

    public, restricted = _pair(mini_data, tmp_path)
    before = _releases(public, restricted)
    ensure_built(mini_data, public, restricted)
    assert _releases(public, restricted) == before
    assert "Building" not in capsys.readouterr().err


def test_ensure_built_rebuilds_a_pair_a_build_left_half_replaced(mini_data, tmp_path, capsys):
    """The state a build killed between its two renames leaves: the public file of the new
    data next to the restricted file of the old."""
    import shutil

    from symbolenbank.cli import ensure_built
    from tests.helpers import edit_sample

    public, restricted = _pair(mini_data, tmp_path / "served")
    edit_sample(mini_data, "Example source", "Another source")
    newer, newer_restricted = _pair(mini_data, tmp_path / "newer")
    shutil.copy(newer, public)
    capsys.readouterr()
    ensure_built(mini_data, public, restricted)
    assert "Building" in capsys.readouterr().err
    served, wanted = _releases(restricted, newer_restricted)
    assert served["content_hash"] == wanted["content_hash"]
    assert _one_build(public, restricted)


def test_ensure_built_rebuilds_a_pair_of_two_builds_of_the_same_data(mini_data, tmp_path, capsys):
    import shutil

    from symbolenbank.cli import ensure_built

    public, restricted = _pair(mini_data, tmp_path / "served")
    other, _ = _pair(mini_data, tmp_path / "other")
    shutil.copy(other, public)
    capsys.readouterr()
    ensure_built(mini_data, public, restricted)
    assert "Building" in capsys.readouterr().err
    assert _one_build(public, restricted)


def test_ensure_built_rebuilds_a_missing_restricted_file(mini_data, tmp_path):
    from symbolenbank.cli import ensure_built

    public, restricted = _pair(mini_data, tmp_path)
    restricted.unlink()
    ensure_built(mini_data, public, restricted)
    assert restricted.is_file() and _one_build(public, restricted)
