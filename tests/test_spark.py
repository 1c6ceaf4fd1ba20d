"""The README's PySpark recipe, run as written on a local Spark session."""

from __future__ import annotations

import ast
import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "de het een en van ik je dat die in is niet op te zijn met voor er maar om ook als dan bij "
    "the a and of to is in it you that was for on are with as be at this have from or one had"
).split()
SIGNS = ["Sieg Heil", "s1eg h.e.i.l", "1488", "14/88", "omvolking", "#ZwarteZon", "baqiya"]


def java_found() -> bool:
    if shutil.which("java"):
        return True
    java_home = os.environ.get("JAVA_HOME")
    return bool(java_home) and Path(java_home, "bin", "java").is_file()


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not java_found(), reason="Spark needs Java: none on PATH or in $JAVA_HOME"),
    # Spark 4 runs on pandas 3 but says it is not fully supported yet.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def readme_recipes() -> list[str]:
    """The README's Spark code: its python block that imports `matchers.spark`, then the
    `df.mapInPandas(...)` line it gives for a pipeline of your own."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.M | re.S)
    recipes = [block for block in blocks if "import matchers.spark" in block]
    assert len(recipes) == 1, "README.md should have one python block importing matchers.spark"
    inline = re.findall(r"`(df\.mapInPandas\(.*?\))`", readme, re.S)
    assert len(inline) == 1, "README.md should show one df.mapInPandas(...) call"
    return [recipes[0], "import matchers.spark\n" + " ".join(inline[0].split())]


def run_recipe(code: str, df):
    """Run `code` with `df` defined; return the value of its last statement."""
    tree = ast.parse(code)
    last = tree.body[-1]
    assert isinstance(last, ast.Assign | ast.Expr), "the recipe should end with the DataFrame"
    result = ast.copy_location(ast.Name("__result__", ast.Store()), last)
    tree.body[-1] = ast.copy_location(ast.Assign(targets=[result], value=last.value), last)
    ast.fix_missing_locations(tree)
    # A module name no worker can import, as in a notebook.
    namespace = {"__name__": "readme_recipe", "df": df}
    exec(compile(tree, "README.md", "exec"), namespace)
    return namespace["__result__"]


def expected_matches(db_path, texts: list[str | None], include_weak: bool = False) -> list[str]:
    """The `matches` column for `texts`, from `scan_many` in this process."""
    import matchers

    found = matchers.load(db_path).text.scan_many(
        [t or "" for t in texts], include_weak=include_weak
    )
    return [json.dumps([m.to_dict() for m in ms], ensure_ascii=False) for ms in found]


def posts(n: int, seed: int = 5) -> list[str | None]:
    rng = random.Random(seed)
    out: list[str | None] = []
    for i in range(n):
        if i % 25 == 3:
            out.append(None)
            continue
        if i % 25 == 7:
            out.append("")
            continue
        words = rng.choices(WORDS, k=rng.randint(3, 30))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(SIGNS))
        out.append(" ".join(words))
    return out


@pytest.fixture(scope="module")
def spark(db_path):
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as env:
        # Local-mode workers inherit this environment: the test's database and this Python.
        env.setenv("SYMBOLENBANK_DB", str(db_path))
        env.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("symbolenbank-test")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.executorEnv.SYMBOLENBANK_DB", str(db_path))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


@pytest.fixture(scope="module")
def texts() -> list[str | None]:
    return posts(200)


@pytest.fixture
def df(spark, texts):
    return spark.createDataFrame(list(enumerate(texts)), "id long, text string")


def sorted_rows(scanned) -> list:
    return sorted(scanned.collect(), key=lambda row: row.id)


@pytest.mark.parametrize("recipe", [0, 1], ids=["scan_dataframe", "mapInPandas"])
def test_readme_recipes_match_scan_many(spark, db_path, texts, df, recipe):
    expected = expected_matches(db_path, texts)
    assert sum(e != "[]" for e in expected) >= 20  # the posts do carry signs

    workers_db = (
        spark.sparkContext.parallelize([0], 1)
        .map(lambda _: os.environ.get("SYMBOLENBANK_DB"))
        .collect()
    )
    assert workers_db == [str(db_path)]

    scanned = run_recipe(readme_recipes()[recipe], df)

    assert df.columns == ["id", "text"]  # the recipe leaves the input's schema alone
    assert scanned.columns == ["id", "text", "matches"]
    rows = sorted_rows(scanned)
    assert [row.id for row in rows] == list(range(len(texts)))
    assert [row.text for row in rows] == texts
    assert [row.matches for row in rows] == expected


def test_matcher_is_built_once_per_python_worker(db_path, df):
    import pandas as pd

    def scan_and_count(batches):
        import matchers.spark
        import matchers.workercache

        for batch in matchers.spark.scan_batches(batches, db=str(db_path)):
            yield pd.DataFrame(
                {
                    "pid": [os.getpid()],
                    "builds": [matchers.workercache.BUILDS],
                    "rows": [len(batch)],
                }
            )

    reports = (
        df.repartition(6).mapInPandas(scan_and_count, "pid long, builds long, rows long").collect()
    )
    assert sum(r.rows for r in reports) == 200
    assert len({r.pid for r in reports}) < 6, "Spark should reuse its Python workers"
    assert all(r.builds == 1 for r in reports), reports


def test_include_weak_reaches_the_workers(db_path, texts, df):
    import matchers.spark

    strong = expected_matches(db_path, texts)
    weak = expected_matches(db_path, texts, include_weak=True)
    assert weak != strong  # the posts carry weak matches too
    scanned = matchers.spark.scan_dataframe(df, "text", db_path, include_weak=True)
    assert [row.matches for row in sorted_rows(scanned)] == weak


def test_missing_column_is_a_key_error_on_the_driver(df):
    import matchers.spark

    with pytest.raises(KeyError, match="no column 'body'"):
        matchers.spark.scan_dataframe(df, "body")
