"""Scan Dask DataFrames and Bags on a cluster (optional extra `symbolenbank[dask]`).

    import dask.dataframe as dd, matchers.dask
    ddf = dd.read_parquet("posts/")
    ddf = matchers.dask.scan_dataframe(ddf, "text")        # adds a `matches` column

Each worker process builds the matcher once, from the database path, and keeps it for every task
and partition it runs afterwards. The path must be readable on the workers (the shipped knowledge
base is, wherever the package is installed).
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any

from .knowledge import default_db_path
from .text import TextMatcher

_MATCHERS: dict[str, TextMatcher] = {}
_LOCK = threading.Lock()
#: How many matchers this process has built; a worker builds one per database.
BUILDS = 0


#: The largest allocation glibc serves from its heap rather than a fresh mmap, in workers.
MMAP_THRESHOLD = 16 << 20


def _reuse_heap_memory() -> bool:
    """Let glibc reuse freed heap memory for the scan's arrays, in a Dask worker process.

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_ set, and a fixed trim threshold
    also freezes glibc's mmap threshold at 128 KiB. Batch canonicalisation makes arrays of a
    few hundred KiB to a few MiB per 1,024 posts; each would then be a fresh mmap, page-faulted
    in and unmapped again, which makes a scan about 2.5 times slower. A higher mmap threshold
    keeps them on the heap; memory above the trim threshold still goes back to the system."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    m_mmap_threshold = -3
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD))


def worker_matcher(db: str) -> TextMatcher:
    """The matcher for `db` in this process, built on first use."""
    global BUILDS
    matcher = _MATCHERS.get(db)
    if matcher is None:
        with _LOCK:
            matcher = _MATCHERS.get(db)
            if matcher is None:
                _reuse_heap_memory()
                matcher = _MATCHERS[db] = TextMatcher.from_db(db)
                BUILDS += 1
    return matcher


def forget_matchers() -> None:
    """Drop this process's matchers; the next task builds them again (after a rebuild)."""
    with _LOCK:
        _MATCHERS.clear()


def _db(db: str | os.PathLike[str] | None) -> str:
    return str(Path(db) if db is not None else default_db_path())


def _scan_texts(texts: list[Any], db: str, include_weak: bool) -> list[list[dict[str, Any]]]:
    matcher = worker_matcher(db)
    strings = [t if isinstance(t, str) else "" for t in texts]
    return [
        [m.to_dict() for m in found]
        for found in matcher.scan_many(strings, include_weak=include_weak)
    ]


def _scan_partition(frame: Any, column: str, db: str, include_weak: bool) -> Any:
    import pandas as pd

    results = _scan_texts(frame[column].tolist(), db, include_weak)
    return frame.assign(matches=pd.Series(results, index=frame.index, dtype=object))


def scan_dataframe(
    ddf: Any, column: str, db: str | os.PathLike[str] | None = None, *, include_weak: bool = False
) -> Any:
    """`ddf` with a `matches` column: for each row, a list of match dicts."""
    import pandas as pd

    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the DataFrame (columns: {list(ddf.columns)})")
    meta = ddf._meta.copy()
    meta["matches"] = pd.Series([], dtype=object)
    return ddf.map_partitions(
        _scan_partition, column, _db(db), include_weak, meta=meta, align_dataframes=False
    )


def scan_bag(
    bag: Any, db: str | os.PathLike[str] | None = None, *, include_weak: bool = False
) -> Any:
    """A Bag of match lists, one per text in `bag`, in the same order."""
    return bag.map_partitions(_scan_texts, _db(db), include_weak)
