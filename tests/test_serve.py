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
