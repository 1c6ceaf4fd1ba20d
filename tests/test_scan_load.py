"""One request must not stop the service: big scans against a real `symbolenbank serve` on
loopback, with the pages asked for meanwhile; and the scan pool's queue on its own.

Every load here is bounded: a fixed number of requests, each with a timeout.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

WORKERS, QUEUE = 1, 2
"""The server's pool in these tests, whatever the machine: one worker, two waiting."""
EIGHTS_40K = ("88 " * 13_334)[:40_000]
"""One (weak) match of `code-88` every three characters: 13,333 of them."""
EIGHTS_100K = ("88 " * 33_334)[:100_000]
PAGE_FAST_S = 2.0


@pytest.fixture(scope="module")
def server(built, start_server):
    """The shipped knowledge base, served with a pool of WORKERS and a queue of QUEUE."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SYMBOLENBANK_SCAN_WORKERS", str(WORKERS))
        env.setenv("SYMBOLENBANK_SCAN_QUEUE", str(QUEUE))
        base = start_server(built.output)
    httpx.post(base + "/-/scan.json", json={"text": "s1eg h.e.i.l"}, timeout=60)  # warm up
    return base


def form(text: str) -> tuple[bytes, dict[str, str]]:
    """The scan page's form, as a browser without cookies sends it (no CSRF token needed)."""
    body = (
        f'--sbload\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n--sbload--\r\n'
    ).encode()
    return body, {"content-type": "multipart/form-data; boundary=sbload"}


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run `calls` at once, each in a thread; their results (or exceptions) in order."""
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:  # reported by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def probe_home(base: str, busy: Callable[[], bool], limit: int = 20) -> list[tuple[float, bool]]:
    """GET / every 0.1 s while `busy()` (at most `limit` times): (seconds, whether the scans
    were still busy when it answered). Each is asked while the scans are busy."""
    seen = []
    with httpx.Client(timeout=PAGE_FAST_S * 5) as http:
        while busy() and len(seen) < limit:
            started = time.perf_counter()
            assert http.get(base + "/").status_code == 200
            seen.append((time.perf_counter() - started, busy()))
            time.sleep(0.1)
    return seen


def test_pages_answer_while_big_posts_are_highlighted(server):
    """Three 40,000-character posts of `88 ` on the scan page: the highlighting (13,334 matches
    each) runs off the event loop, so `/` and `/-/versions.json` answer at once meanwhile."""
    body, headers = form(EIGHTS_40K)
    pending = [3]

    def scan() -> httpx.Response:
        try:
            return httpx.post(server + "/-/scan", content=body, headers=headers, timeout=60)
        finally:
            pending[0] -= 1

    started = threading.Event()
    results: list[Any] = []
    scans = threading.Thread(target=lambda: (started.set(), results.extend(in_threads([scan] * 3))))
    scans.start()
    started.wait()
    probes = probe_home(server, lambda: pending[0] > 0)
    versions = httpx.get(server + "/-/versions.json", timeout=PAGE_FAST_S * 5)
    scans.join(timeout=120)
    assert probes, "no page was asked for during the scans"  # each probe starts while busy
    assert all(took < PAGE_FAST_S for took, _ in probes), probes
    assert versions.status_code == 200
    for response in results:
        assert isinstance(response, httpx.Response), response
        assert response.status_code == 200, response.text[:300]
        assert 'class="sb-hit sb-tier-context sb-weak"' in response.text
        assert f"Only the first 1,000 of {EIGHTS_40K.count('88'):,} matches" in response.text


def test_excess_scans_are_refused_with_retry_after(server):
    """Eight clients post 100,000 characters at once: WORKERS + QUEUE are scanned, the others
    get 503 with Retry-After at once, and `/` answers fast throughout."""
    pending = [8]

    def scan() -> httpx.Response:
        try:
            return httpx.post(server + "/-/scan.json", json={"text": EIGHTS_100K}, timeout=60)
        finally:
            pending[0] -= 1

    results: list[Any] = []
    scans = threading.Thread(target=lambda: results.extend(in_threads([scan] * 8)))
    started = time.perf_counter()
    scans.start()
    probes = probe_home(server, lambda: pending[0] > 0)
    scans.join(timeout=120)
    took = time.perf_counter() - started
    assert all(isinstance(r, httpx.Response) for r in results), results
    statuses = sorted(r.status_code for r in results)
    assert set(statuses) <= {200, 503}, statuses
    assert 1 <= statuses.count(200) <= WORKERS + QUEUE, statuses
    busy = [r for r in results if r.status_code == 503]
    assert len(busy) >= 8 - (WORKERS + QUEUE), statuses
    for r in busy:
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["ok"] is False and "busy" in r.json()["error"]
    assert probes and all(t < PAGE_FAST_S for t, _ in probes), probes
    assert took < 60
    # Once the queue has drained, a scan is answered again.
    again = httpx.post(server + "/-/scan.json", json={"text": "s1eg h.e.i.l"}, timeout=30)
    assert again.status_code == 200 and again.json()["matches"]


def test_scan_page_answers_busy_with_retry_after(server):
    """The page says the same as the API when the queue is full: 503 with Retry-After."""
    body, headers = form(EIGHTS_100K)
    results = in_threads(
        [lambda: httpx.post(server + "/-/scan", content=body, headers=headers, timeout=60)] * 6
    )
    busy = [r for r in results if isinstance(r, httpx.Response) and r.status_code == 503]
    assert busy, [getattr(r, "status_code", r) for r in results]
    assert int(busy[0].headers["retry-after"]) >= 1
    assert "busy" in busy[0].text and "<form" in busy[0].text


# ---------------------------------------------------------------------------- the pool itself


async def test_pool_queue_is_bounded():
    """One running, one waiting; a third is refused at once, and the pool is free again after."""
    from symbolenbank.web.scan_pool import ScanPool, ServerBusy

    pool = ScanPool(1, 1, processes=False)
    gate = threading.Event()
    running = [asyncio.ensure_future(pool.run(gate.wait, 10)) for _ in range(2)]
    await asyncio.sleep(0.05)
    assert pool.admitted == 2
    with pytest.raises(ServerBusy) as refused:
        await pool.run(len, "x")
    assert refused.value.retry_after >= 1
    gate.set()
    assert await asyncio.gather(*running) == [True, True]
    assert await pool.run(len, "abc") == 3
    assert pool.admitted == 0
    pool.close()


async def test_pool_replaces_a_worker_process_that_died():
    """A worker that dies (killed, out of memory) fails its scan as busy, not forever; the next
    scan gets a new worker."""
    from symbolenbank.web.scan_pool import ScanPool, ServerBusy

    pool = ScanPool(1, 0)
    try:
        assert await pool.run(os.getpid) != os.getpid()
        with pytest.raises(ServerBusy, match="worker stopped"):
            await pool.run(os._exit, 1)
        assert await pool.run(len, "abc") == 3
        assert pool.admitted == 0
    finally:
        pool.close()


def test_pool_size_from_the_environment(monkeypatch):
    from symbolenbank.web.scan_pool import pool_from_environment

    monkeypatch.setenv("SYMBOLENBANK_SCAN_WORKERS", "3")
    monkeypatch.delenv("SYMBOLENBANK_SCAN_QUEUE", raising=False)
    pool = pool_from_environment()
    assert (pool.workers, pool.queue) == (3, 9)
    monkeypatch.setenv("SYMBOLENBANK_SCAN_QUEUE", "lots")
    with pytest.raises(ValueError, match=r"\$SYMBOLENBANK_SCAN_QUEUE must be a whole number"):
        pool_from_environment()
