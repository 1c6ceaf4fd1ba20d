"""Latency of POST /-/scan.json on a 5,000-character post, measured in process (server side).

    python benchmarks/scan_endpoint.py [--db build/symbolenbank.db] [--runs 200] [--chars 5000]

Builds the knowledge base into a temporary folder unless --db is given, then posts posts made
of the entries' own examples and neutral filler (fixed seed) through Datasette's ASGI client.
Prints median and p95 of the wall time per request and of the plugin's Server-Timing (the scan
itself, without HTTP parsing). Target: a 5,000-character post answered in <= 200 ms (p95).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILLER = (
    "De gemeenteraad vergaderde gisteren over het nieuwe fietspad langs de rivier. "
    "The weather was fine and the market was busy with people buying bread and cheese. "
    "Volgende week begint de zomervakantie en de treinen zijn dan extra druk. "
)


def make_posts(db: Path, n: int, chars: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    examples = [r[0] for r in conn.execute("select text from examples order by id")]
    posts = []
    for _ in range(n):
        parts: list[str] = []
        size = 0
        while size < chars:
            piece = rng.choice(examples) if rng.random() < 0.3 else FILLER
            parts.append(piece)
            size += len(piece) + 1
        posts.append(" ".join(parts)[:chars])
    return posts


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(db: Path, runs: int, chars: int, seed: int) -> None:
    from symbolenbank.publish import make_datasette

    ds = make_datasette(db)
    posts = make_posts(db, runs, chars, seed)
    warm = await ds.client.post("/-/scan.json", json={"text": posts[0]})
    assert warm.status_code == 200, warm.text
    wall: list[float] = []
    server: list[float] = []
    matches = 0
    for post in posts:
        started = time.perf_counter()
        response = await ds.client.post("/-/scan.json", json={"text": post})
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
        matches += len(response.json()["matches"])
    print(f"POST /-/scan.json, {runs} posts of {chars:,} characters, seed {seed}")
    print(f"{'measure':<28} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
    for name, values in (("request (in-process ASGI)", wall), ("Server-Timing scan", server)):
        print(
            f"{name:<28} {statistics.median(values):>10.1f} {pct(values, 0.95):>10.1f}"
            f" {max(values):>10.1f}"
        )
    print(f"matches per post (mean): {matches / runs:.1f}")
    verdict = "met" if pct(wall, 0.95) <= 200 else "MISSED"
    print(f"target (p95 of the request <= 200 ms): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--no-examples", action="store_true", help="build without example checks")
    args = parser.parse_args()
    db = args.db
    if db is None:
        from symbolenbank.build import build_database

        out = Path(tempfile.mkdtemp()) / "symbolenbank.db"
        build_database(ROOT / "data", out, check_examples=not args.no_examples)
        db = out
    asyncio.run(run(db, args.runs, args.chars, args.seed))


if __name__ == "__main__":
    main()
