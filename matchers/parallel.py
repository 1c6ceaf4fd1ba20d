"""Scan streams of posts or images on several processes, in input order, with bounded memory.

`workers` processes scan: the calling one and `workers - 1` helpers. The matcher is loaded once
(`workercache`) before the helpers fork and shared with them copy-on-write (where forking is
unsafe, each helper loads its own). The calling process keeps the helpers fed with chunks and
scans the others itself. At most `window` chunks are in flight, so memory stays flat however
long the input is. A stream that fits in one chunk is scanned in this process alone.
`scan_stream` and `scan_image_stream` start the helpers for one stream; a `Scanner` keeps them
for many.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import ImageError
from .image import ImageMatcher
from .text import TextMatcher
from .workercache import worker_matcher

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


def _text_chunk(matcher: TextMatcher, texts: list[str], include_weak: bool) -> Sparse:
    found = matcher.scan_many(texts, include_weak=include_weak)
    return len(texts), [
        (i, [m.to_dict() for m in matches]) for i, matches in enumerate(found) if matches
    ]


def _image_chunk(matcher: ImageMatcher, paths: list[str], _: bool) -> Sparse:
    results: list[tuple[int, Any]] = []
    for i, path in enumerate(paths):
        try:
            found = matcher.scan(path)
        except ImageError as exc:
            results.append((i, exc))
        else:
            if found:
                results.append((i, [m.to_dict() for m in found]))
    return len(paths), results


_CHUNK_FUNCS: dict[str, Callable[[Any, list[Any], bool], Sparse]] = {
    "text": _text_chunk,
    "image": _image_chunk,
}


def _worker_chunk(args: tuple[str, str, list[Any], bool]) -> Sparse:
    db, kind, items, flag = args
    return _CHUNK_FUNCS[kind](worker_matcher(db, kind), items, flag)


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


class Scanner:
    """Helper processes kept for many scans, for a service that scans batch after batch.

    `scan_stream` starts its helpers for one stream and stops them after it; a `Scanner` starts
    them on its first scan and keeps them until `close()` (or the end of a `with` block), so
    later scans pay neither the fork nor the copy-on-write faults that follow it. The first
    scan loads the matcher here before the helpers fork, so they share it. `workers=None` means
    all cores. A scan raises, rather than waiting forever, when its Scanner is closed before it
    ends or when a helper process dies (a Scanner that lost a helper must be replaced).

        with Scanner("build/symbolenbank.db", workers=2) as scanner:
            for batch in batches:
                for matches in scanner.scan(batch):
                    ...
    """

    def __init__(self, db_path: str | os.PathLike[str], *, workers: int | None = None):
        self.db = str(Path(db_path))
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        self._pool: Any = None
        self._pids: set[int] = set()
        self._closed = False
        self._lock = threading.Lock()

    def scan(
        self,
        texts: Iterable[str],
        *,
        include_weak: bool = False,
        chunk_size: int = 2000,
        window: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield, for each text in order, its matches as dicts (`TextMatch.to_dict()`)."""
        return self._map("text", texts, include_weak, chunk_size, window)

    def scan_images(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        chunk_size: int = 16,
        window: int | None = None,
    ) -> Iterator[list[dict[str, Any]] | ImageError]:
        """Yield, for each image path in order, its matches as dicts, or its ImageError."""
        return self._map("image", (str(p) for p in paths), False, chunk_size, window)

    def close(self) -> None:
        """Stop the helpers; the Scanner cannot scan after this."""
        with self._lock:
            self._closed = True
            if self._pool is not None:
                if _pids(self._pool) != self._pids:
                    _abandon(self._pool)
                else:
                    self._pool.terminate()
                    self._pool.join()
                self._pool = None

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _helpers(self, kind: str) -> Any:
        with self._lock:
            self._check_open()
            if self._pool is None:
                ctx = mp.get_context(_start_method())
                self._pool = ctx.Pool(self.workers - 1, initializer=worker_matcher,
                                      initargs=(self.db, kind))  # fmt: skip
                self._pids = _pids(self._pool)
            return self._pool

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("this Scanner is closed")

    def _wait(self, result: Any) -> Sparse:
        """A helper's results; an error, not a hang, if the Scanner closes or a helper dies."""
        while not result.ready():
            result.wait(0.2)
            pool = self._pool
            if pool is None:
                self._check_open()
            elif not result.ready() and _pids(pool) != self._pids:
                raise RuntimeError(
                    "a helper process died while scanning (killed, or out of memory?); "
                    "close this Scanner and start a new one"
                )
        return result.get()

    def _map(
        self, kind: str, items: Iterable[Any], flag: bool, chunk_size: int, window: int | None
    ) -> Iterator[Any]:
        self._check_open()
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        return _ordered_map(self, kind, items, flag, chunk_size, window)


def _ordered_map(
    scanner: Scanner,
    kind: str,
    items: Iterable[Any],
    flag: bool,
    chunk_size: int,
    window: int | None,
) -> Iterator[Any]:
    """Results of `items` in order, scanned by this process and the scanner's helpers. This
    process hands chunks to the helpers while they have fewer than FEED queued each and scans
    the rest itself, so it never sits idle waiting for them, and it ships only the chunks it
    does not scan."""
    workers, db = scanner.workers, scanner.db
    chunks = chunked(items, chunk_size)
    head = list(itertools.islice(chunks, 2))
    func = _CHUNK_FUNCS[kind]
    matcher = worker_matcher(db, kind)  # before any fork: forked helpers share it
    if workers == 1 or len(head) < 2:
        for chunk in itertools.chain(head, chunks):
            yield from _each(func(matcher, chunk, flag))
        return
    window = max(window or workers * 4, 2)
    feed = FEED * (workers - 1)  # chunks queued across the helpers before this one scans
    pool = scanner._helpers(kind)
    pending: deque[tuple[bool, Any]] = deque()  # (scanned here, results or async result)
    for chunk, last in _mark_last(itertools.chain(head, chunks), FEED):
        while pending and (pending[0][0] or pending[0][1].ready()):
            yield from _take(scanner, pending.popleft())
        scanner._check_open()  # it may have closed while a result was being yielded
        busy = sum(1 for here, r in pending if not here and not r.ready())
        if busy < feed and not last:
            pending.append((False, pool.apply_async(_worker_chunk, ((db, kind, chunk, flag),))))
        else:
            pending.append((True, func(matcher, chunk, flag)))
        while len(pending) >= window:
            yield from _take(scanner, pending.popleft())
    while pending:
        yield from _take(scanner, pending.popleft())


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


def _take(scanner: Scanner, item: tuple[bool, Any]) -> Iterator[Any]:
    here, result = item
    return _each(result if here else scanner._wait(result))


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


def scan_stream(
    texts: Iterable[str],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    include_weak: bool = False,
    chunk_size: int = 2000,
    window: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield, for each text in order, its matches as dicts (`TextMatch.to_dict()`); the
    helpers start with the stream and stop after it (see `Scanner` to keep them)."""
    with Scanner(db_path, workers=workers) as scanner:
        yield from scanner.scan(
            texts, include_weak=include_weak, chunk_size=chunk_size, window=window
        )


def scan_image_stream(
    paths: Iterable[str | os.PathLike[str]],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    chunk_size: int = 16,
    window: int | None = None,
) -> Iterator[list[dict[str, Any]] | ImageError]:
    """Yield, for each image path in order, its matches as dicts, or the ImageError it raised."""
    with Scanner(db_path, workers=workers) as scanner:
        yield from scanner.scan_images(paths, chunk_size=chunk_size, window=window)
