"""Scan PySpark DataFrames with `mapInPandas` (optional extra `symbolenbank[spark]`).

    import matchers.spark
    df = spark.read.parquet("posts/")
    scanned = matchers.spark.scan_dataframe(df, "text")  # adds a JSON `matches` column

Each Python worker process builds the matcher once, from the database path, and reuses it for
every partition it scans afterwards (Spark reuses its Python workers by default). The path must
be readable on the executors (the shipped knowledge base is, wherever the package is installed).
For a custom pipeline, use the pieces directly:

    df.mapInPandas(matchers.spark.scan_batches, schema=matchers.spark.matches_schema(df.schema))
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .workercache import db_path, scan_texts

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType


def scan_batches(
    batches: Iterable[pd.DataFrame],
    column: str = "text",
    db: str | os.PathLike[str] | None = None,
    *,
    include_weak: bool = False,
) -> Iterator[pd.DataFrame]:
    """The `mapInPandas` function: each batch with a `matches` column of JSON match lists.

    A row's `matches` is `json.dumps` of its `TextMatch.to_dict()` list; None or NaN scans as "".
    With no `db`, the worker uses `$SYMBOLENBANK_DB`, else the shipped knowledge base."""
    path = db_path(db)
    for batch in batches:
        found = scan_texts(batch[column].tolist(), path, include_weak)
        yield batch.assign(matches=[json.dumps(ms, ensure_ascii=False) for ms in found])


def matches_schema(schema: StructType) -> StructType:
    """`schema` plus a string `matches` field, as a new StructType (`schema` is left alone)."""
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([*schema.fields, StructField("matches", StringType())])


def scan_dataframe(
    df: DataFrame,
    column: str = "text",
    db: str | os.PathLike[str] | None = None,
    *,
    include_weak: bool = False,
) -> DataFrame:
    """`df` with a `matches` column: for each row, a JSON list of match dicts.

    The database path is resolved here, on the driver, and sent to the executors as it is."""
    if column not in df.columns:
        raise KeyError(f"no column {column!r} in the DataFrame (columns: {list(df.columns)})")
    scan = functools.partial(scan_batches, column=column, db=db_path(db), include_weak=include_weak)
    return df.mapInPandas(scan, schema=matches_schema(df.schema))
