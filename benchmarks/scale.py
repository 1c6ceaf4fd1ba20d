"""Scaling: 1 vs 2 cores, Dask LocalCluster vs the multi-process CLI, memory and start-up.

    python benchmarks/scale.py [--mb 20] [--db build/symbolenbank.db]

Prints a Markdown table; every figure is also given as a ratio to a reference measured in the
same run. Fixed seed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import make_posts  # noqa: E402

from matchers.parallel import scan_stream  # noqa: E402


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def consume(it) -> int:
    n = 0
    for _ in it:
        n += 1
    return n


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


def dask_seconds(posts: list[str], db: str, workers: int) -> float:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    import matchers.dask as mdask

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf = dd.from_pandas(pd.DataFrame({"text": posts}), npartitions=workers * 8)
        # Warm the workers: the matcher is built once per worker, outside the timing.
        client.run(mdask.worker_matcher, db)
        ddf = client.persist(ddf)
        return timed(lambda: mdask.scan_dataframe(ddf, "text", db).compute())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--db", default="build/symbolenbank.db")
    args = parser.parse_args()
    db = args.db
    posts = make_posts(int(args.mb * 1e6), seed=42)
    mb = sum(len(p.encode()) for p in posts) / 1e6
    cores = len(os.sched_getaffinity(0))

    one = timed(lambda: consume(scan_stream(posts, db, workers=1)))
    two = timed(lambda: consume(scan_stream(posts, db, workers=2, chunk_size=2000)))
    dask_two = dask_seconds(posts, db, 2)
    before, after, load_s = rss_after_load(db)

    print(f"### Scaling ({len(posts):,} posts, {mb:.1f} MB, {cores} cores)\n")
    print("| run | seconds | posts/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| 1 process (reference) | {one:.2f} | {len(posts) / one:,.0f} | 1.00× |")
    print(f"| 2 processes | {two:.2f} | {len(posts) / two:,.0f} | {one / two:.2f}× speed-up |")
    print(
        f"| Dask LocalCluster, 2 workers | {dask_two:.2f} | {len(posts) / dask_two:,.0f} "
        f"| {dask_two / two - 1:+.0%} time vs 2 processes |"
    )
    print()
    print("### Memory and start-up\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| interpreter + `import matchers` | {before:.0f} MB |")
    grew = after - before
    print(f"| after `matchers.load()` (memory per worker) | {after:.0f} MB (+{grew:.0f} MB) |")
    print(f"| `matchers.load()` start-up | {load_s:.2f} s ({load_s / 1.0:.2f}× the 1 s target) |")
    print()
    print(
        f"Targets: speed-up 1→2 cores ≥ 1.7× — **{one / two:.2f}×**; Dask overhead ≤ 30% — "
        f"**{dask_two / two - 1:+.0%}**; start-up ≤ 1 s — **{load_s:.2f} s**."
    )


if __name__ == "__main__":
    main()
