"""A real `symbolenbank serve` process on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "symbolenbank",
            "serve",
            "--db",
            str(built.output),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(log_path.read_text())
    else:
        proc.kill()
        proc.wait()
        log.close()
        raise RuntimeError("server did not start in 30 s: " + log_path.read_text())
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


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
