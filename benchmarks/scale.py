"""Scaling: 1 vs 2 cores, Dask LocalCluster vs the multi-process CLI, memory and start-up.

    python benchmarks/scale.py [--mb 20] [--db build/symbolenbank.db] [--repeat 3]

Every figure is given as a ratio to a reference measured in the same run, on the same posts
(fixed seed), each timed best of `--repeat` runs.

- Scaling: posts in memory scanned by 1 and by 2 processes, interleaved. The reference is
  `matchers.parallel.scan_stream` with 1 process, which keeps its matcher between calls
  (start-up is measured on its own below). With 2 processes: a `Scanner`, which keeps its helper
  between scans as its process keeps its matcher (a service scanning batch after batch), and
  `scan_stream`, which forks a helper for each call. Two forked processes that each scan half
  of the posts already in their memory, with nothing sent between them, show what the machine
  gives the scan on a second core.
- Dask against the CLI, the same job end to end: posts in a file, matches written to files.
  The CLI is `symbolenbank scan --workers 2 --format jsonl posts.txt > out.jsonl`, a new process
  each run (interpreter start and matcher load included). Dask runs on a LocalCluster of two
  worker processes with one thread each, started once and warmed up with one untimed run of
  each job, as a running cluster is; before every timed run the workers drop their matchers, so
  that each builds its matcher inside the job, as the CLI loads its own. The jobs: a Bag read
  from the same text file and written as JSON lines, and a DataFrame read from the same posts
  in Parquet and written to Parquet with the matches as JSON.
- For comparison, a DataFrame held in worker memory and `compute()`d back to the client, text
  column included, against `scan_stream` with 2 processes in memory (matchers built).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import make_posts  # noqa: E402

from matchers.parallel import Scanner, scan_stream  # noqa: E402
from matchers.text import TextMatcher  # noqa: E402

WORKERS = 2


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def consume(it) -> int:
    return sum(1 for _ in it)


def rss_after_load(db: str) -> tuple[float, float, float]:
    """(MB before load, MB after load, seconds to load) in a fresh interpreter."""
    code = (
        "import time, sys\n"
        "def rss():\n"
        "    for l in open('/proc/self/status'):\n"
        "        if l.startswith('VmRSS'): return int(l.split()[1]) / 1024\n"
        "import matchers\n"
        "before = rss(); t0 = time.perf_counter(); kb = matchers.load(sys.argv[1])\n"
        "print(before, rss(), time.perf_counter() - t0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, db], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("symbolenbank")
    return [str(script)] if script.exists() else [sys.executable, "-m", "symbolenbank"]


def run_cli(posts_txt: Path, db: str, out: Path) -> None:
    cmd = [*cli_command(), "scan", "--db", db, "--workers", str(WORKERS), "--format", "jsonl"]
    with open(out, "w", encoding="utf-8") as sink:
        subprocess.run([*cmd, "-s", str(posts_txt)], stdout=sink, check=True)


def dask_runs(posts: list[str], tmp: Path, db: str, repeat: int, n_parts: int) -> dict[str, float]:
    """Best seconds per Dask job on one two-worker LocalCluster; each run builds the matchers."""
    import dask.bag as dbag
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster, wait

    import matchers.dask as mdask

    posts_txt = tmp / "posts.txt"
    parquet_in = tmp / "posts.parquet"
    blocksize = posts_txt.stat().st_size // n_parts + 1

    def bag_job() -> None:
        out = tmp / "bag-out"
        shutil.rmtree(out, ignore_errors=True)
        bag = dbag.read_text(str(posts_txt), blocksize=blocksize)
        mdask.scan_bag(bag, db).map(json.dumps).to_textfiles(str(out / "*.jsonl"))

    def frame_job() -> None:
        out = tmp / "frame-out"
        shutil.rmtree(out, ignore_errors=True)
        ddf = mdask.scan_dataframe(dd.read_parquet(str(parquet_in)), "text", db)
        ddf = ddf[["id", "matches"]].map_partitions(
            lambda f: f.assign(matches=f["matches"].map(json.dumps)),
            meta={"id": "int64", "matches": "string"},
        )
        ddf.to_parquet(str(out))

    frame = pd.DataFrame({"id": range(len(posts)), "text": posts})
    dd.from_pandas(frame, npartitions=n_parts).to_parquet(str(parquet_in))  # a file a part
    best: dict[str, float] = {}
    with (
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf_mem = client.persist(dd.from_pandas(frame, npartitions=n_parts))
        wait(ddf_mem)
        jobs: dict[str, Callable[[], object]] = {
            "bag": bag_job,
            "frame": frame_job,
            "memory": lambda: mdask.scan_dataframe(ddf_mem, "text", db).compute(),
        }
        for name, job in jobs.items():
            job()  # warm-up: the workers import what the job needs, as a running cluster has
            for _ in range(repeat):
                if name != "memory":  # file jobs build their matchers, as the CLI loads its own
                    client.run(mdask.forget_matchers)
                t0 = time.perf_counter()
                job()
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    return best


def forked_halves(posts: list[str], matcher: TextMatcher) -> None:
    """The ideal for 2 processes: a fork scans one half of the posts already in its memory,
    this process the other; no chunks or results cross between them."""
    from matchers.parallel import _text_chunk

    def scan(part: list[str]) -> None:
        for i in range(0, len(part), 2000):
            _text_chunk(matcher, part[i : i + 2000], (False, None))

    half = len(posts) // 2
    pid = os.fork()
    if pid == 0:
        scan(posts[half:])
        os._exit(0)
    scan(posts[:half])
    os.waitpid(pid, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--db", default="build/symbolenbank.db")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    db = str(Path(args.db).resolve())
    posts = [p.replace("\n", " ") for p in make_posts(int(args.mb * 1e6), seed=42)]
    mb = sum(len(p.encode()) for p in posts) / 1e6
    cores = len(os.sched_getaffinity(0))
    n_parts = WORKERS * 4

    # interleaved with the ideal, so that a busy spell of the machine hits all alike
    one = two = kept = ideal = float("inf")
    matcher = TextMatcher.from_db(db)
    matcher.scan("warm up")
    for _ in range(args.repeat):
        one = min(one, best_of(lambda: consume(scan_stream(posts, db, workers=1)), 1))
        # a Scanner's second scan: its helper started on the first; the Scanner is closed
        # before the other runs, whose forks would otherwise see its pool's threads
        with Scanner(db, workers=WORKERS) as scanner:
            consume(scanner.scan(posts))
            kept = min(kept, best_of(lambda: consume(scanner.scan(posts)), 1))
        two = min(two, best_of(lambda: consume(scan_stream(posts, db, workers=WORKERS)), 1))
        ideal = min(ideal, best_of(lambda: forked_halves(posts, matcher), 1))
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        posts_txt = tmp / "posts.txt"
        posts_txt.write_text("".join(p + "\n" for p in posts), encoding="utf-8")
        cli = best_of(lambda: run_cli(posts_txt, db, tmp / "cli.jsonl"), args.repeat)
        dask = dask_runs(posts, tmp, db, args.repeat, n_parts)
    before, after, load_s = rss_after_load(db)

    n = len(posts)
    print(f"### Scaling ({n:,} posts, {mb:.1f} MB, {cores} cores, best of {args.repeat})\n")
    print("| run | seconds | posts/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| `scan_stream`, 1 process (reference) | {one:.2f} | {n / one:,.0f} | 1.00× |")
    print(
        f"| `Scanner`, 2 processes, helper kept between scans | {kept:.2f} | {n / kept:,.0f} "
        f"| {one / kept:.2f}× speed-up |"
    )
    print(
        f"| `scan_stream`, 2 processes, helper forked for the call | {two:.2f} | {n / two:,.0f} "
        f"| {one / two:.2f}× speed-up |"
    )
    print()
    print(
        f"| ideal: a fork scans half the posts in its own memory, no chunks or results cross "
        f"| {ideal:.2f} | {n / ideal:,.0f} | {one / ideal:.2f}× speed-up |"
    )
    print()
    print(
        f"The ideal row is what this machine gives the scan on a second core in the same run; "
        f"the `Scanner` reached {ideal / kept:.0%} of it, `scan_stream` {ideal / two:.0%} "
        f"(it also pays the fork of a process holding all the posts, and the copy-on-write "
        f"faults after it).\n"
    )
    print(f"### Dask against the CLI, file to file ({WORKERS} processes each)\n")
    print("| job | seconds | posts/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| CLI `scan --workers 2`, text → JSON lines (reference) | {cli:.2f} | {n / cli:,.0f} "
          f"| 1.00× |")  # fmt: skip
    for key, label in (
        ("bag", "Dask Bag, text → JSON lines"),
        ("frame", "Dask DataFrame, Parquet → Parquet"),
    ):
        print(f"| {label} | {dask[key]:.2f} | {n / dask[key]:,.0f} "
              f"| {dask[key] / cli - 1:+.0%} time vs the CLI |")  # fmt: skip
    mem = dask["memory"]
    vs_two = f"{mem / two - 1:+.0%} time vs `scan_stream`, 2 processes"
    print(f"| Dask DataFrame in worker memory, `compute()` to the client | {mem:.2f} "
          f"| {n / mem:,.0f} | {vs_two} |")  # fmt: skip
    print()
    print(
        "The last row moves every post's text back into the client process as well as the "
        "matches; a job that writes its results from the workers, as in the rows above it, "
        "does not.\n"
    )
    print("### Memory and start-up\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| interpreter + `import matchers` | {before:.0f} MB |")
    grew = after - before
    print(f"| after `matchers.load()` (memory per worker) | {after:.0f} MB (+{grew:.0f} MB) |")
    print(f"| `matchers.load()` start-up | {load_s:.2f} s ({load_s / 1.0:.2f}× the 1 s target) |")
    print()
    overhead = max(dask["bag"], dask["frame"]) / cli - 1
    print(
        f"Targets: speed-up 1→2 cores ≥ 1.7× — **{one / kept:.2f}×** with helpers kept, "
        f"{one / two:.2f}× forked per call; Dask overhead against the "
        f"CLI ≤ 30% — **{overhead:+.0%}** (the slower of Bag and DataFrame); start-up ≤ 1 s — "
        f"**{load_s:.2f} s**."
    )


if __name__ == "__main__":
    main()
