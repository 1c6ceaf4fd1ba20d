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
