"""Scan Dask DataFrames and Bags on a cluster (optional extra `symbolenbank[dask]`).

    import dask.dataframe as dd, matchers.dask
    ddf = dd.read_parquet("posts/")
    ddf = matchers.dask.scan_dataframe(ddf, "text")        # adds a `matches` column

Each worker process builds the matcher once, from the database path, and keeps it for every task
and partition it runs afterwards. The path must be readable on the workers (the shipped knowledge
base is, wherever the package is installed).
"""

from __future__ import annotations

import os
from typing import Any

from . import workercache
from .workercache import db_path as _db
from .workercache import forget_matchers as forget_matchers
from .workercache import scan_texts
from .workercache import worker_matcher as worker_matcher


def __getattr__(name: str) -> Any:
    # The per-process cache is shared with Spark: `BUILDS` reads its current count.
    if name == "BUILDS":
        return workercache.BUILDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _scan_partition(frame: Any, column: str, db: str, include_weak: bool) -> Any:
    import pandas as pd

    results = scan_texts(frame[column].tolist(), db, include_weak)
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
    return bag.map_partitions(scan_texts, _db(db), include_weak)
