"""Scan streams of posts on several processes, in input order, with bounded memory.

Each worker process loads its own matcher once (from the database path), then receives chunks of
posts. At most `window` chunks are in flight, so memory stays flat however long the input is.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .text import TextMatcher

_WORKER_MATCHER: TextMatcher | None = None


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _init_worker(db_path: str) -> None:
    global _WORKER_MATCHER
    _WORKER_MATCHER = TextMatcher.from_db(db_path)


def _scan_chunk(args: tuple[list[str], bool]) -> list[list[dict[str, Any]]]:
    texts, include_weak = args
    assert _WORKER_MATCHER is not None
    return [
        [m.to_dict() for m in found]
        for found in _WORKER_MATCHER.scan_many(texts, include_weak=include_weak)
    ]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def scan_stream(
    texts: Iterable[str],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    include_weak: bool = False,
    chunk_size: int = 500,
    window: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield, for each text in order, its matches as dicts (`TextMatch.to_dict()`)."""
    workers = workers or default_workers()
    if workers < 1:
        raise ValueError("workers must be at least 1")
    chunks = chunked(texts, chunk_size)
    head = list(itertools.islice(chunks, 2))
    if workers == 1 or len(head) < 2:
        # One chunk is not worth starting processes for.
        matcher = TextMatcher.from_db(db_path)
        for chunk in itertools.chain(head, chunks):
            for found in matcher.scan_many(chunk, include_weak=include_weak):
                yield [m.to_dict() for m in found]
        return
    window = window or workers * 4
    ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(str(Path(db_path)),)) as pool:
        pending: deque[Any] = deque()
        for chunk in itertools.chain(head, chunks):
            pending.append(pool.apply_async(_scan_chunk, ((chunk, include_weak),)))
            if len(pending) >= window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
