"""Scanning at scale: parallel CLI output, JSONL ids, flat memory, Dask on a real cluster."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbolenbank.cli import cli
from tests.helpers import scale_posts


def run_scan(db_path, text: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["scan", "--db", str(db_path), "-s", *args], input=text)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_two_workers_give_identical_output(db_path):
    text = "\n".join(scale_posts(3000)) + "\n"
    one = run_scan(db_path, text, "--format", "jsonl", "--workers", "1")
    two = run_scan(db_path, text, "--format", "jsonl", "--workers", "2")
    assert one == two
    records = [json.loads(line) for line in one.splitlines()]
    assert [r["line"] for r in records] == list(range(1, 3001))
    assert sum(bool(r["matches"]) for r in records) > 100


def test_jsonl_ids_are_carried_through(db_path):
    lines = [json.dumps({"post_id": f"p{i}", "body": t}) for i, t in enumerate(scale_posts(50))]
    lines.append(json.dumps({"post_id": 99, "body": "Sieg Heil"}))
    out = run_scan(
        db_path,
        "\n".join(lines) + "\n",
        "--format",
        "jsonl",
        "--input-format",
        "jsonl",
        "--id-field",
        "post_id",
        "--text-field",
        "body",
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [f"p{i}" for i in range(50)] + [99]
    assert records[-1]["matches"]


def test_bad_jsonl_line_is_a_clear_error(db_path):
    result = CliRunner().invoke(
        cli,
        ["scan", "--db", str(db_path), "--input-format", "jsonl"],
        input='{"text": "ok"}\nnot json\n',
    )
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.output


PEAK_RSS = """
import resource, sys
from symbolenbank.cli import cli
try:
    cli(["scan", "--db", sys.argv[1], "--workers", "1", "-s", "--format", "jsonl"],
        standalone_mode=False)
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_rss_kb(db_path, n_lines: int) -> int:
    block = "\n".join(scale_posts(1000)) + "\n"
    with subprocess.Popen(
        [sys.executable, "-c", PEAK_RSS, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stderr is not None
        for _ in range(n_lines // 1000):
            proc.stdin.write(block)
        proc.stdin.close()
        err = proc.stderr.read()
        assert proc.wait() == 0, err
    return int(err.strip().splitlines()[-1])


@pytest.mark.slow
def test_memory_stays_flat_on_large_input(db_path):
    small = peak_rss_kb(db_path, 5_000)
    large = peak_rss_kb(db_path, 100_000)
    # Twenty times the input may not cost more than a little extra memory.
    assert large < small * 1.25 + 20_000, (small, large)


def test_dask_local_cluster_matches_scan_many(db_path):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import pandas as pd

    import matchers
    import matchers.dask as mdask

    texts = scale_posts(400, seed=11)
    expected = [
        [m.to_dict() for m in found]
        for found in matchers.TextMatcher.from_db(db_path).scan_many(texts)
    ]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
        ddf = dd.from_pandas(frame, npartitions=8)
        got = mdask.scan_dataframe(ddf, "text", db_path).compute()
        assert list(got["id"]) == list(range(len(texts)))
        assert list(got["matches"]) == expected

        import dask.bag as db

        bag = db.from_sequence(texts, npartitions=6)
        assert mdask.scan_bag(bag, db_path).compute() == expected

        builds = client.run(lambda: __import__("matchers.dask").dask.BUILDS)
        assert len(builds) == 2
        assert all(count <= 1 for count in builds.values()), builds
        assert sum(builds.values()) >= 1, builds  # the counter counts


@pytest.mark.parametrize("workers, chunk_size", [(2, 7), (3, 50), (2, 5000), (1, 10)])
def test_scan_stream_keeps_order_and_equals_one_process(db_path, workers, chunk_size):
    from matchers.parallel import scan_stream
    from matchers.text import TextMatcher

    texts = scale_posts(600, seed=3)
    expected = [
        [m.to_dict() for m in found] for found in TextMatcher.from_db(db_path).scan_many(texts)
    ]
    got = list(scan_stream(iter(texts), db_path, workers=workers, chunk_size=chunk_size))
    assert got == expected
    assert sum(bool(r) for r in got) > 20


def test_scanner_keeps_its_helpers_for_many_scans(db_path, tmp_path):
    import sqlite_utils

    from matchers.errors import ImageError
    from matchers.parallel import Scanner, scan_image_stream
    from matchers.text import TextMatcher
    from tests.helpers import DATA

    texts = scale_posts(900, seed=5)
    matcher = TextMatcher.from_db(db_path)
    expected = [[m.to_dict() for m in found] for found in matcher.scan_many(texts)]
    files = [
        DATA / row["file"]
        for row in sqlite_utils.Database(db_path).query(
            "select file from images where file is not null order by file limit 12"
        )
    ]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG truncated")
    images = [*files, broken]
    with Scanner(db_path, workers=2) as scanner:
        assert list(scanner.scan(texts, chunk_size=50)) == expected
        helpers = scanner._pool
        pids = {p.pid for p in helpers._pool}
        assert list(scanner.scan(iter(texts[:300]), chunk_size=40)) == expected[:300]
        got = list(scanner.scan_images(images, chunk_size=2))
        assert scanner._pool is helpers and {p.pid for p in helpers._pool} == pids
    assert isinstance(got[-1], ImageError)
    assert got[:-1] == list(scan_image_stream(files, db_path, workers=1))
    assert all(got[:-1])
    with pytest.raises(ValueError, match="closed"):
        scanner.scan(texts)
    assert all(not p.is_alive() for p in helpers._pool)
    with pytest.raises(ValueError, match="workers"):
        Scanner(db_path, workers=0)


def _consume_within(it, seconds: float = 60.0):
    """list(it) in a thread: the error it raised, or a failure if it hangs."""
    import threading

    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = list(it)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the scan hung"
    return out


def test_a_scanner_closed_or_broken_mid_scan_raises_instead_of_hanging(db_path):
    from matchers.parallel import Scanner

    texts = scale_posts(30000, seed=9)
    scanner = Scanner(db_path, workers=2)
    it = scanner.scan(texts, chunk_size=500)
    next(it)
    scanner.close()
    got = _consume_within(it)
    assert isinstance(got.get("error"), ValueError) and "closed" in str(got["error"])

    with Scanner(db_path, workers=2) as scanner:
        later = scanner.scan(texts, chunk_size=500)
        scanner.close()
        got = _consume_within(later)  # made before the close, consumed after it
        assert isinstance(got.get("error"), ValueError)

    # a helper killed mid-scan: an error, and the Scanner still closes. In a process of its
    # own: the stopped pool leaves a parked thread behind, and later pools of that process
    # would start their helpers by forkserver
    code = f"""
import os, signal, sys
sys.path[:0] = {[str(Path(__file__).parent.parent)]!r}

def main():
    from matchers.parallel import Scanner
    from tests.helpers import scale_posts

    with Scanner({str(db_path)!r}, workers=2) as scanner:
        it = scanner.scan(scale_posts(30000, seed=9), chunk_size=500)
        next(it)  # the helper has chunks queued
        for pid in list(scanner._pids):
            os.kill(pid, signal.SIGKILL)
        try:
            list(it)
        except RuntimeError as exc:
            print(exc)
    print("closed")

if __name__ == "__main__":
    main()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "helper process died" in done.stdout and done.stdout.endswith("closed\n")


def test_scan_stream_loads_a_rebuilt_database_again(tmp_path, db_path):
    import shutil

    from matchers.parallel import scan_stream

    db = tmp_path / "kb.db"
    shutil.copy(db_path, db)
    assert list(scan_stream(["sieg heil"], db))[0]
    with sqlite3.connect(db) as conn:  # the same file, rebuilt without its patterns
        conn.execute("DELETE FROM patterns")
    os.utime(db, ns=(time.time_ns() + 10**9,) * 2)
    assert list(scan_stream(["sieg heil"], db)) == [[]]
