"""Process pools that scan chunks in input order, with bounded memory: the machinery under
`matchers.parallel` and `TextMatcher.scan_many(workers=N)`.

`workers` processes scan: the calling one and `workers - 1` helpers. The matcher is loaded once
before the helpers fork and shared with them copy-on-write (where forking is unsafe, each
helper loads its own, or unpickles the one it was given). The calling process keeps the helpers
fed with chunks and scans the others itself. At most `window` chunks are in flight, so memory
stays flat however long the input is. A stream that fits in one chunk is scanned in this process
alone. This module knows no matcher: a `HelperPool` subclass says where its helpers' matcher
comes from and how a chunk is scanned, so text, image and database details stay with the
modules that hold them.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Self

FEED = 3  # chunks queued per helper before the calling process scans one itself


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# A chunk's results are sparse, (size, [(index, result)]) for the items with a result: most
# posts match nothing. Sending less between processes is faster, and the empty lists are only
# made as they are yielded, so the chunks waiting in the window hold few objects that the
# garbage collector would promote and walk again and again (a full collection in the calling
# process stalls it for tens of milliseconds, and the helpers it feeds with it).
Sparse = tuple[int, list[tuple[int, Any]]]


# how a chunk is scanned: (matcher, chunk, options) -> sparse results; a module-level function,
# so that a task names it and a helper finds it
ChunkFunc = Callable[[Any, list[Any], Any], Sparse]
# how a helper gets its matcher: (source, kind) -> matcher; a module-level function too
Loader = Callable[[str, str], Any]

# the matcher a helper was started with, for pools whose helpers get no database
_HELD: Any = None


def hold(matcher: Any) -> None:
    """Start a helper with `matcher` (shared by the fork, or unpickled)."""
    global _HELD
    _HELD = matcher


def _worker_chunk(args: tuple[Loader | None, str | None, str, ChunkFunc, list[Any], Any]) -> Sparse:
    """A chunk scanned in a helper, with the matcher its loader gives for the source or, for
    no loader, the one the helper was started with."""
    loader, source, kind, func, items, options = args
    matcher = _HELD if loader is None or source is None else loader(source, kind)
    return func(matcher, items, options)


def _each(sparse: Sparse) -> Iterator[Any]:
    """Every item's result in order: a new empty list for those without one."""
    size, found = sparse
    at = 0
    for i, result in found:
        for _ in range(i - at):
            yield []
        yield result
        at = i + 1
    for _ in range(size - at):
        yield []


def _start_method() -> str:
    """`fork` where it is safe (a POSIX process with no other threads): workers start in
    milliseconds, sharing the imported modules. Otherwise `forkserver` or `spawn`."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class HelperPool:
    """Helper processes, started on first use (under a lock, never after `close()`) and kept
    until `close()` or the end of a `with` block. A scan waiting on them raises, rather than
    waiting forever, when they are closed before it ends or when one of them dies."""

    _name = "pool of helpers"  # in errors: `this ... is closed`
    _after_death = "scan again"  # in errors: what to do after a helper died

    def __init__(self, workers: int | None):
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        self._pool: Any = None
        self._pids: set[int] = set()
        self._closed = False
        self._lock = threading.Lock()

    def _source(self) -> str | None:
        """The database helpers load their matcher from; None: the one they start with."""
        raise NotImplementedError

    def _loader(self) -> Loader | None:
        """How a helper gets the matcher of `_source()`; None: the one it started with."""
        raise NotImplementedError

    def _chunk_func(self, kind: str) -> ChunkFunc:
        """How a chunk of `kind` is scanned, given the matcher, the chunk and the options."""
        raise NotImplementedError

    def _matcher(self, kind: str) -> Any:
        """This process's matcher of `kind`, loaded before the helpers fork (they share it)."""
        raise NotImplementedError

    def _start_args(self, kind: str) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """The function each helper starts with, and its arguments."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the helpers; no scan can start helpers after this."""
        with self._lock:
            self._closed = True
            if self._pool is not None:
                if _pids(self._pool) != self._pids:
                    _abandon(self._pool)
                else:
                    self._pool.terminate()
                    self._pool.join()
                self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _helpers(self, kind: str) -> Any:
        with self._lock:
            self._check_open()
            if self._pool is None:
                ctx = mp.get_context(_start_method())
                initializer, initargs = self._start_args(kind)
                self._pool = ctx.Pool(self.workers - 1, initializer=initializer,
                                      initargs=initargs)  # fmt: skip
                self._pids = _pids(self._pool)
            return self._pool

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"this {self._name} is closed")

    def _wait(self, result: Any) -> Sparse:
        """A helper's results; an error, not a hang, if the helpers close or one dies."""
        while not result.ready():
            result.wait(0.2)
            pool = self._pool
            if pool is None:
                self._check_open()
            elif not result.ready() and _pids(pool) != self._pids:
                raise RuntimeError(
                    "a helper process died while scanning (killed, or out of memory?); "
                    + self._after_death
                )
        sparse: Sparse = result.get()
        return sparse


def ordered_map(
    helpers: HelperPool,
    kind: str,
    chunks: Iterator[list[Any]],
    options: Any,
    window: int | None,
) -> Iterator[Any]:
    """Results of the items of `chunks` in order, scanned by this process and the helpers.
    This process hands chunks to the helpers while they have fewer than FEED queued each and
    scans the rest itself, so it never sits idle waiting for them, and it ships only the
    chunks it does not scan."""
    workers, source = helpers.workers, helpers._source()
    head = list(itertools.islice(chunks, 2))
    func = helpers._chunk_func(kind)
    loader = helpers._loader()
    matcher = helpers._matcher(kind)  # before any fork: forked helpers share it
    if workers == 1 or len(head) < 2:
        for chunk in itertools.chain(head, chunks):
            yield from _each(func(matcher, chunk, options))
        return
    window = max(window or workers * 4, 2)
    feed = FEED * (workers - 1)  # chunks queued across the helpers before this one scans
    pool = helpers._helpers(kind)
    pending: deque[tuple[bool, Any]] = deque()  # (scanned here, results or async result)
    for chunk, last in _mark_last(itertools.chain(head, chunks), FEED):
        while pending and (pending[0][0] or pending[0][1].ready()):
            yield from _take(helpers, pending.popleft())
        helpers._check_open()  # they may have closed while a result was being yielded
        busy = sum(1 for here, r in pending if not here and not r.ready())
        if busy < feed and not last:
            task = (loader, source, kind, func, chunk, options)
            pending.append((False, pool.apply_async(_worker_chunk, (task,))))
        else:
            pending.append((True, func(matcher, chunk, options)))
        while len(pending) >= window:
            yield from _take(helpers, pending.popleft())
    while pending:
        yield from _take(helpers, pending.popleft())


def _mark_last(chunks: Iterable[list[Any]], n: int) -> Iterator[tuple[list[Any], bool]]:
    """Each chunk with whether it is one of the last `n`. The calling process scans those
    itself while the helpers finish what they have queued, so that all end at about once."""
    ahead: deque[list[Any]] = deque()
    for chunk in chunks:
        ahead.append(chunk)
        if len(ahead) > n:
            yield ahead.popleft(), False
    for chunk in ahead:
        yield chunk, True


def _take(helpers: HelperPool, item: tuple[bool, Any]) -> Iterator[Any]:
    here, result = item
    return _each(result if here else helpers._wait(result))


def _abandon(pool: Any) -> None:
    """Stop a pool that lost a helper. `Pool.terminate()` can wait forever there: on a queue
    lock the dead helper held, or on the rest of a message it was reading. So the helpers are
    killed, the pool's threads told to stop, and its finaliser cancelled; a thread still
    waiting on the dead helper's queue stays parked (it is a daemon thread)."""
    from multiprocessing.pool import TERMINATE

    finaliser = getattr(pool, "_terminate", None)
    if finaliser is not None:
        finaliser.cancel()
    pool._state = TERMINATE
    for name in ("_worker_handler", "_task_handler", "_result_handler"):
        thread = getattr(pool, name, None)
        if thread is not None:
            thread._state = TERMINATE
    notifier = getattr(pool, "_change_notifier", None)
    if notifier is not None:
        notifier.put(None)  # wakes the thread that would start new helpers, which then ends
    for proc in getattr(pool, "_pool", ()):
        if proc.exitcode is None:
            proc.kill()
        proc.join(5)


def _pids(pool: Any) -> set[int]:
    """The helper processes of a pool (a pool replaces one that dies, losing its task)."""
    return {p.pid for p in getattr(pool, "_pool", ())}
