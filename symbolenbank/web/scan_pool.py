"""Where the site's scans run: a few worker processes and a short queue, never the event loop.

A scan canonicalises the post in pure Python and holds the GIL for up to a second on a
100,000-character post. In a thread of the server it would still slow down every page the event
loop serves, so scans run in worker processes, each with its own matchers
(:mod:`.scan_worker`). They are started by a fork server (the server has threads, which makes
forking it unsafe) on the first scan and kept. At most `workers` scans run and `queue` more wait;
a scan past that is refused at once (:class:`ServerBusy`, answered 503 with ``Retry-After``)
instead of waiting behind the others without end, so pages and short scans stay fast.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux
    return len(affinity(0)) if affinity else os.cpu_count() or 1


WORKERS = max(1, min(4, _cores() - 1))
"""Scans that run at once: one per core but one, which stays free for the pages (measured with
benchmarks/scan_load.py on 2 cores: one worker keeps `GET /` at p99 0.4 s, two at 1 s)."""
QUEUE = 3 * WORKERS
"""Scans that may wait for a worker: at most three scans' time (about 3 s for the largest).
Both can be set with $SYMBOLENBANK_SCAN_WORKERS and $SYMBOLENBANK_SCAN_QUEUE."""
RETRY_AFTER_S = 2
"""What `Retry-After` says to a refused scan: about the time a scan takes."""


class ServerBusy(Exception):
    """Every worker is busy and the queue is full; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ScanPool:
    """`workers` processes (or threads, with ``processes=False``) and a queue of `queue`."""

    def __init__(self, workers: int = WORKERS, queue: int = QUEUE, *, processes: bool = True):
        if workers < 1 or queue < 0:
            raise ValueError("a scan pool needs at least one worker and a queue of zero or more")
        self.workers, self.queue, self.processes = workers, queue, processes
        self._executor: Executor | None = None
        self._admitted = 0
        self._lock = threading.Lock()

    @property
    def admitted(self) -> int:
        """Scans running or waiting now."""
        return self._admitted

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on a worker; ServerBusy at once if the queue is full."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise ServerBusy(
                    f"the server is busy with {self._admitted} scans; try again in"
                    f" {RETRY_AFTER_S} s"
                )
            self._admitted += 1
        executor = None
        try:
            executor = self._get_executor()
            future = executor.submit(fn, *args)
            # Released when the work is done, not when the request stops waiting for it: a
            # process cannot be stopped halfway, so the work still counts.
            future.add_done_callback(self._release)
        except BaseException as exc:
            self._release(None)
            if isinstance(exc, BrokenProcessPool) and executor is not None:
                raise self._replace(executor) from exc
            raise
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            raise self._replace(executor) from exc

    def close(self) -> None:
        """Stop the workers; the next scan starts new ones."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _get_executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.processes:
                    context = multiprocessing.get_context("forkserver")
                    context.set_forkserver_preload(["symbolenbank.web.scan_worker"])
                    pool = ProcessPoolExecutor(
                        self.workers,
                        mp_context=context,
                        initializer=_watch_server,
                        initargs=(os.getpid(),),
                    )
                    # It starts a process per task while none is idle: start them all now, so
                    # the server's memory settles with its first scans rather than under load.
                    for _ in range(self.workers - 1):
                        pool.submit(_started)
                    self._executor = pool
                else:
                    self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="scan")
            return self._executor

    def _replace(self, broken: Executor) -> ServerBusy:
        """Drop a pool that lost a worker process; the next scan starts a new one."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
        return ServerBusy("a scan worker stopped (out of memory?) and is being replaced")

    def _release(self, _: Future[Any] | None) -> None:
        with self._lock:
            self._admitted -= 1


def _started() -> None:
    """Nothing: the task that makes the pool start one more process."""


def _watch_server(server: int) -> None:
    """In a worker: end when the server process is gone. The workers are children of the fork
    server, not of the server, so a server that stops without closing its pool (killed, or
    ended by a signal) would leave them running."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid now belongs to another user's process
                os._exit(0)

    threading.Thread(target=watch, name="watch-server", daemon=True).start()


WORKERS_VAR, QUEUE_VAR = "SYMBOLENBANK_SCAN_WORKERS", "SYMBOLENBANK_SCAN_QUEUE"


def pool_from_environment() -> ScanPool:
    """The pool sized by $SYMBOLENBANK_SCAN_WORKERS and $SYMBOLENBANK_SCAN_QUEUE, if set."""
    workers = _whole_number(WORKERS_VAR, WORKERS, least=1)
    return ScanPool(workers, _whole_number(QUEUE_VAR, 3 * workers, least=0))


def _whole_number(var: str, default: int, least: int) -> int:
    value = os.environ.get(var, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise ValueError(f"${var} must be a whole number of at least {least}, not {value!r}")
    return int(value)


POOL = pool_from_environment()
atexit.register(POOL.close)  # a server that ends normally stops its workers
"""The pool of this server process."""
