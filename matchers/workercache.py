"""One matcher per process and database, shared by `parallel`, Dask and Spark.

Work reaches long-lived processes: pool helpers, cluster workers. `worker_matcher(db)` builds
the matcher for a database on first use and keeps it, so a process builds it once, however many
chunks, partitions and tasks it runs afterwards; a rebuilt database file is loaded again.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any

from .knowledge import default_db_path
from .text import TextMatcher

# (kind, path) -> ((mtime, size) of the file when loaded, matcher)
_MATCHERS: dict[tuple[str, str], tuple[tuple[int, int] | None, Any]] = {}
_LOCK = threading.Lock()
#: How many matchers this process has built; a worker builds one per database.
BUILDS = 0

#: The largest allocation glibc serves from its heap rather than a fresh mmap, in workers.
MMAP_THRESHOLD = 16 << 20


def _reuse_heap_memory() -> bool:
    """Let glibc reuse freed heap memory for the scan's arrays, in a worker process.

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_ set, and a fixed trim threshold
    also freezes glibc's mmap threshold at 128 KiB. Batch canonicalisation makes arrays of a
    few hundred KiB to a few MiB per batch of posts; each would then be a fresh mmap, page-faulted
    in and unmapped again, which makes a scan about 2.5 times slower. A higher mmap threshold
    keeps them on the heap; memory above the trim threshold still goes back to the system.
    Without MALLOC_TRIM_THRESHOLD_ (or with MALLOC_MMAP_THRESHOLD_ set) this does nothing."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    m_mmap_threshold = -3
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD))


def db_path(db: str | os.PathLike[str] | None) -> str:
    """`db` as a string; by default `$SYMBOLENBANK_DB`, else the shipped knowledge base."""
    return str(Path(db) if db is not None else default_db_path())


def _stamp(db: str) -> tuple[int, int] | None:
    try:
        st = os.stat(db)
    except OSError:
        return None  # the load reports the missing file
    return st.st_mtime_ns, st.st_size


def _load(kind: str, db: str) -> Any:
    if kind == "text":
        return TextMatcher.from_db(db)
    from .image import ImageMatcher

    return ImageMatcher.from_db(db)


def worker_matcher(db: str, kind: str = "text") -> Any:
    """The matcher of `kind` (`text` or `image`) for `db` in this process, built on first use
    and again when the file has changed since (a rebuild)."""
    global BUILDS
    key, stamp = (kind, db), _stamp(db)
    got = _MATCHERS.get(key)
    if got is None or got[0] != stamp:
        with _LOCK:
            got = _MATCHERS.get(key)
            if got is None or got[0] != stamp:
                _reuse_heap_memory()
                got = _MATCHERS[key] = (stamp, _load(kind, db))
                BUILDS += 1
    return got[1]


def forget_matchers() -> None:
    """Drop this process's matchers; the next task builds them again (after a rebuild)."""
    with _LOCK:
        _MATCHERS.clear()


def scan_texts(texts: list[Any], db: str, include_weak: bool) -> list[list[dict[str, Any]]]:
    """Match dicts for each text, with this process's matcher; a non-string scans as ""."""
    matcher = worker_matcher(db)
    strings = [t if isinstance(t, str) else "" for t in texts]
    return [
        [m.to_dict() for m in found]
        for found in matcher.scan_many(strings, include_weak=include_weak)
    ]
