"""Run every benchmark and write benchmarks/REPORT.md.

    python benchmarks/run_all.py [--quick]

Each script prints Markdown with its own reference measured in the same run; this collects them
with the machine and commit they were measured on. Benchmarks never gate the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(script: str, *args: str) -> str:
    path = HERE / script
    if not path.exists():
        return f"_{script} is missing._\n"
    proc = subprocess.run(
        [sys.executable, str(path), *args], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        return f"_{script} failed:_\n\n```\n{proc.stderr[-3000:]}\n```\n"
    return proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smaller inputs, for a smoke run.")
    parser.add_argument("--output", type=Path, default=HERE / "REPORT.md")
    args = parser.parse_args()
    db = ROOT / "build" / "symbolenbank.db"
    subprocess.run([sys.executable, "-m", "symbolenbank", "build"], cwd=ROOT, check=True)
    mb = "2" if args.quick else "20"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    sections = [
        "# Benchmark report\n",
        f"Measured {dt.date.today().isoformat()} on {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}, "
        f"commit `{commit}`. Figures are ratios to a reference measured in the same run.\n",
        "## Text matching\n",
        run("text_throughput.py", "--mb", mb, *(["--sample", "20"] if args.quick else [])),
        "## Text matching accuracy\n",
        run("text_accuracy.py"),
        "## Text precision on everyday text\n",
        run("text_precision.py", "--db", str(db), "--no-excerpts"),
        "## Images\n",
        run("image_throughput.py", *(["--queries", "50", "--repeat", "50"] if args.quick else [])),
        run("image_memory.py", *(["--repeat", "1"] if args.quick else [])),
        "## Scaling, Dask, memory and start-up\n",
        run("scale.py", "--mb", mb, "--db", str(db)),
        "## Scan endpoint\n",
        run("scan_endpoint.py"),
        "### Under load: 8 clients posting 100,000 characters\n",
        run("scan_load.py", "--db", str(db), *(["--scans", "2"] if args.quick else [])),
    ]
    args.output.write_text("\n".join(sections), encoding="utf-8")
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
