"""The scan service under load: do the pages stay fast while big posts are scanned?

    python benchmarks/scan_load.py [--db build/symbolenbank.db] [--clients 8] [--scans 6]
                                   [--chars 100000] [--seed 20261125] [--time-limit 180]

Starts its own `symbolenbank serve` on a free loopback port (on the shipped knowledge base,
built into a temporary folder unless --db is given). `--clients` threads each send `--scans`
posts of `--chars` characters, half of them to `/-/scan.json`, half as the scan page's form;
every fourth post is `88 ` repeated (one match every three characters), the others mix the
entries' own examples with neutral filler (fixed seed). A client answered 503 waits as long as
`Retry-After` says (at most 2 s) and goes on with its next post. Meanwhile a probe asks for
`GET /` every 100 ms, and the RSS of the server (its process and every process it started) is
sampled every 50 ms. All counts are fixed, and the run stops at `--time-limit` seconds.

Prints a Markdown table: p50 and p99 of `GET /` (target p99 <= 1 s), scans answered per second,
503s, response sizes, and the server's RSS when idle, at the peak and 10 s after the load
(target: within 50 MB of idle).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from scan_endpoint import make_posts, pct  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """RSS of `pid` and all its descendants, in MB (shared pages counted in each process)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "symbolenbank", "serve", "--db", str(db)]
    command += ["--data", str(ROOT / "data"), "--host", "127.0.0.1", "--port", str(port)]
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    with open(log, "wb") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text()}")
        try:
            if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"serve did not answer in 60 s: {log.read_text()}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # stuck in a request that holds the event loop
        proc.kill()
        proc.wait(timeout=20)


@dataclass
class Load:
    """What the clients, the probe and the RSS sampler saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    scan_seconds: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    home_seconds: list[float] = field(default_factory=list)
    home_failures: int = 0
    peak_rss: float = 0.0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----scanloadboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return "".join(parts + [f"--{boundary}--\r\n"]).encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def form_token(http: httpx.Client) -> str:
    """The scan form's CSRF token; its cookie stays in `http`, as in a browser."""
    page = http.get("/-/scan").text
    return page.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]


def client(base: str, posts: list[str], as_page: bool, load: Load, deadline: float) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        token = form_token(http) if as_page else ""
        for text in posts:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                if as_page:
                    body, content_type = multipart({"csrftoken": token, "text": text})
                    r = http.post("/-/scan", content=body, headers={"content-type": content_type})
                else:
                    r = http.post("/-/scan.json", json={"text": text})
            except httpx.HTTPError as exc:
                with load.lock:
                    load.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            took = time.perf_counter() - started
            with load.lock:
                load.statuses[r.status_code] += 1
                if r.status_code == 200:
                    load.scan_seconds.append(took)
                    load.sizes.append(len(r.content))
            if r.status_code == 503:
                time.sleep(min(2.0, float(r.headers.get("retry-after", "1"))))


def probe(base: str, load: Load, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = http.get("/").status_code == 200
            except httpx.HTTPError:
                ok = False
            with load.lock:
                if ok:
                    load.home_seconds.append(time.perf_counter() - started)
                else:
                    load.home_failures += 1
            stop.wait(0.1)


def sample_rss(pid: int, load: Load, stop: threading.Event) -> None:
    while not stop.is_set():
        load.peak_rss = max(load.peak_rss, tree_rss_mb(pid))
        stop.wait(0.05)


def run(db: Path, args: argparse.Namespace) -> None:
    mixed = make_posts(db, args.clients * args.scans, args.chars, args.seed)
    eights = ("88 " * (args.chars // 3 + 1))[: args.chars]
    # Client c's k-th post: every fourth is `88 ` repeated, on the JSON and the form clients alike.
    posts = [
        [eights if (c + k) % 4 == 0 else mixed[c * args.scans + k] for k in range(args.scans)]
        for c in range(args.clients)
    ]
    log = Path(tempfile.mkdtemp()) / "serve.log"
    proc, base = start_server(db, log)
    try:
        # Warm up: load the matchers and start whatever the server starts for scanning.
        httpx.post(base + "/-/scan.json", json={"text": "s1eg h.e.i.l"}, timeout=60)
        time.sleep(2)
        idle = tree_rss_mb(proc.pid)
        load, stop = Load(), threading.Event()
        background = [
            threading.Thread(target=probe, args=(base, load, stop)),
            threading.Thread(target=sample_rss, args=(proc.pid, load, stop)),
        ]
        for t in background:
            t.start()
        time.sleep(1)  # a few probes of the idle server
        deadline = time.monotonic() + args.time_limit
        clients = [
            threading.Thread(
                target=client,
                args=(base, posts[c], c % 2 == 1, load, deadline),
            )
            for c in range(args.clients)
        ]
        started = time.perf_counter()
        for t in clients:
            t.start()
        for t in clients:
            t.join(timeout=max(1.0, deadline - time.monotonic() + 130))
        wall = time.perf_counter() - started
        stop.set()
        for t in background:
            t.join()
        time.sleep(10)
        after = tree_rss_mb(proc.pid)
    finally:
        stop_server(proc)
    report(args, load, wall, idle, after)


def report(args: argparse.Namespace, load: Load, wall: float, idle: float, after: float) -> None:
    home = load.home_seconds or [float("nan")]
    scans = len(load.scan_seconds)
    mb = sum(load.sizes) / 1e6
    from symbolenbank.web.scan_pool import pool_from_environment

    pool = pool_from_environment()
    print(
        f"{args.clients} clients x {args.scans} posts of {args.chars:,} characters (half JSON,"
        f" half the form; every fourth `88 ` repeated), seed {args.seed}, on loopback; the"
        f" server scans on {pool.workers} worker process(es) with a queue of {pool.queue}\n"
    )
    print("| measure | value | target |")
    print("|---|---:|---|")
    p99 = pct(home, 0.99)
    rows = [
        ("GET / p50 (s)", f"{statistics.median(home):.3f}", ""),
        ("GET / p99 (s)", f"{p99:.3f}", f"<= 1 s: {'met' if p99 <= 1 else 'MISSED'}"),
        ("GET / max (s)", f"{max(home):.3f}", ""),
        ("GET / probes (failed)", f"{len(load.home_seconds)} ({load.home_failures})", ""),
        ("scans answered 200", f"{scans}", ""),
        ("scan throughput (scans/s)", f"{scans / wall:.2f}", ""),
        ("scan latency p50 / max (s)", _latency(load.scan_seconds), ""),
        ("503 (busy) answers", f"{load.statuses.get(503, 0)}", ""),
        ("other statuses", _others(load.statuses) or "none", ""),
        ("client errors", f"{len(load.errors)}", ""),
        ("response MB (total / largest)", f"{mb:.1f} / {max(load.sizes or [0]) / 1e6:.2f}", ""),
        ("load wall time (s)", f"{wall:.1f}", f"limit {args.time_limit} s"),
        ("server RSS idle (MB)", f"{idle:.0f}", ""),
        ("server RSS peak (MB)", f"{load.peak_rss:.0f}", ""),
        (
            "server RSS 10 s after (MB)",
            f"{after:.0f}",
            f"<= idle + 50: {'met' if after <= idle + 50 else 'MISSED'}",
        ),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if load.errors:
        print(f"\nFirst client error: {load.errors[0]}")


def _latency(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {max(values):.2f}" if values else "-"


def _others(statuses: Counter[int]) -> str:
    return ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if s not in (200, 503))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--scans", type=int, default=6, help="posts per client")
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--time-limit", type=float, default=180.0)
    args = parser.parse_args()
    db = args.db
    if db is None:
        from symbolenbank.build import build_database

        db = Path(tempfile.mkdtemp()) / "symbolenbank.db"
        build_database(ROOT / "data", db)
    run(db, args)


if __name__ == "__main__":
    main()
