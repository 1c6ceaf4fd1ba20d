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


def readme_recipe() -> str:
    """The python code block of README.md that calls `mapInPandas`."""
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)
    recipes = [block for block in blocks if "mapInPandas" in block]
    assert len(recipes) == 1, "README.md should have one python block with mapInPandas"
    return recipes[0]


def run_recipe(code: str, df):
    """Run `code` with `df` defined; return the value of its last statement."""
    tree = ast.parse(code)
    last = tree.body[-1]
    assert isinstance(last, ast.Assign | ast.Expr), "the recipe should end with mapInPandas"
    result = ast.copy_location(ast.Name("__result__", ast.Store()), last)
    tree.body[-1] = ast.copy_location(ast.Assign(targets=[result], value=last.value), last)
    ast.fix_missing_locations(tree)
    # A module name no worker can import, as in a notebook: the function must pickle by value.
    namespace = {"__name__": "readme_recipe", "df": df}
    exec(compile(tree, "README.md", "exec"), namespace)
    return namespace["__result__"]


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


def test_readme_map_in_pandas_recipe_matches_scan_many(spark, db_path):
    import matchers

    texts = posts(200)
    expected = [
        json.dumps([m.to_dict() for m in found])
        for found in matchers.load(db_path).text.scan_many([t or "" for t in texts])
    ]
    assert sum(e != "[]" for e in expected) >= 20  # the posts do carry signs

    workers_db = (
        spark.sparkContext.parallelize([0], 1)
        .map(lambda _: os.environ.get("SYMBOLENBANK_DB"))
        .collect()
    )
    assert workers_db == [str(db_path)]

    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    scanned = run_recipe(readme_recipe(), df)

    assert df.columns == ["id", "text"]  # the recipe leaves the input's schema alone
    assert scanned.columns == ["id", "text", "matches"]
    rows = sorted(scanned.collect(), key=lambda row: row.id)
    assert [row.id for row in rows] == list(range(len(texts)))
    assert [row.text for row in rows] == texts
    assert [row.matches for row in rows] == expected
