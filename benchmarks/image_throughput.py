"""Image hashing and Hamming-index throughput (fixed seeds; prints Markdown tables).

    python benchmarks/image_throughput.py [--sizes 1000000] [--with-10m] [--queries 200]

1. Hash and match one 1024x768 JPEG (ImageMatcher.scan over a 500-image KB) next to Pillow's
   draft decode of the same file (``draft("RGB", (128, 128))`` + ``load()``), the target
   being at most 2x.
2. Exact radius-31 queries over random 256-bit PDQ hashes: our multi-index HammingIndex,
   brute-force numpy, and python-threatexchange's PDQ index (faiss) when importable. Each
   query set holds 10% planted neighbours at distance 0-31 so results are non-trivial; every
   method's results are checked against brute force. ``--with-10m`` adds 10M hashes (~1 GB for
   ours, more for faiss).
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchers.hamming import HammingIndex  # noqa: E402
from matchers.hashing import hash_image, pdq_available  # noqa: E402
from matchers.image import ImageMatcher  # noqa: E402


def photo_like(seed: int, size=(1024, 768)) -> Image.Image:
    """A deterministic 'photo': smooth gradients, shapes and noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack(
        [
            127 + 100 * np.sin(x / (40 + 30 * rng.random()) + rng.random() * 6),
            127 + 100 * np.cos(y / (50 + 30 * rng.random()) + rng.random() * 6),
            127 + 80 * np.sin((x + y) / (70 + 20 * rng.random())),
        ],
        axis=2,
    )
    base += rng.normal(0, 12, base.shape)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, w - 100)), int(rng.integers(0, h - 100))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        d.ellipse(
            (x0, y0, x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 300))), fill=color
        )
    return img.filter(ImageFilter.GaussianBlur(1.2))


def timeit(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.2f}"


def bench_hashing(repeat: int) -> None:
    img = photo_like(1)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    data = buf.getvalue()
    kb_rows = [
        {"entry_id": f"e{i}", **hash_image(photo_like(100 + i, (320, 240)))} for i in range(500)
    ]
    matchers = {
        "scan, pHash+dHash KB (confirm)": ImageMatcher.from_hashes(
            [{k: r[k] for k in ("entry_id", "phash", "dhash")} for r in kb_rows]
        ),
        "scan, pHash+dHash+PDQ KB": ImageMatcher.from_hashes(kb_rows),
    }

    def draft():
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", (128, 128))
        im.load()

    def full():
        Image.open(io.BytesIO(data)).load()

    steps = {"Pillow draft decode (baseline)": draft, "Pillow full decode": full}
    for name, m in matchers.items():
        m.scan(data)  # build indexes
        steps[name] = lambda m=m: m.scan(data)
    # Round robin, so that load from elsewhere on the machine affects every step alike.
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            times[name] += timeit(fn, 1)
    rows = list(times.items())
    base = statistics.median(rows[0][1])
    print(f"## Hash and match a 1024x768 JPEG ({len(data) // 1024} KB), median of {repeat}\n")
    print(f"pdqhash installed: {pdq_available()}\n")
    print("| step | ms | x draft decode |")
    print("| --- | --- | --- |")
    for name, times in rows:
        print(f"| {name} | {ms(times)} | {statistics.median(times) / base:.2f} |")
    print()


def random_hashes(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32), dtype=np.uint8)


def make_queries(data: np.ndarray, count: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        if i % 10 == 0:  # planted neighbour
            bits = np.unpackbits(data[rng.integers(0, len(data))])
            bits[rng.choice(256, int(rng.integers(0, 32)), replace=False)] ^= 1
            out.append(np.packbits(bits).tobytes())
        else:
            out.append(rng.integers(0, 256, 32, dtype=np.uint8).tobytes())
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_index(n: int, queries: int) -> list[tuple]:
    data = random_hashes(n, seed=n)
    qs = make_queries(data, queries, seed=7)
    rows = []
    before = rss_mb()
    t = time.perf_counter()
    ours = HammingIndex(data, bits=256, strategy="mih")
    build = time.perf_counter() - t
    expected = [set(ours.query(q, 31)[0].tolist()) for q in qs[:20]]
    times = timeit_each(lambda q: ours.query(q, 31), qs)
    rows.append(
        (
            n,
            "HammingIndex (multi-index, numpy)",
            build,
            times,
            ours.nbytes_used / 2**20,
            rss_mb() - before,
            sum(len(e) for e in expected),
        )
    )
    brute = HammingIndex(data, bits=256, strategy="brute")
    bq = qs[: max(5, queries // 20)]
    btimes = timeit_each(lambda q: brute.query(q, 31), bq)
    assert expected == [set(brute.query(q, 31)[0].tolist()) for q in qs[:20]]
    rows.append((n, "brute-force numpy", 0.0, btimes, brute.nbytes_used / 2**20, 0.0, None))
    try:
        from threatexchange.signal_type.pdq.pdq_index2 import PDQIndex2
    except Exception as exc:  # noqa: BLE001 - optional comparison
        print(f"(python-threatexchange PDQ index not importable: {exc})")
        return rows
    hexes = [row.tobytes().hex() for row in data]
    before = rss_mb()
    t = time.perf_counter()
    te = PDQIndex2.build((h, i) for i, h in enumerate(hexes))
    te_build = time.perf_counter() - t
    del hexes
    te_mem = rss_mb() - before
    qhex = [q.hex() for q in qs]
    te_times = timeit_each(lambda q: te.query(q), qhex)
    got = [{m.metadata for m in te.query(q)} for q in qhex[:20]]
    agree = got == expected
    rows.append(
        (
            n,
            f"python-threatexchange PDQIndex2 (faiss){'' if agree else ' *'}",
            te_build,
            te_times,
            None,
            te_mem,
            None,
        )
    )
    return rows


def timeit_each(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000000", help="comma-separated index sizes")
    ap.add_argument("--with-10m", action="store_true", help="also 10M hashes")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    bench_hashing(args.repeat)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_10m:
        sizes.append(10_000_000)
    print(f"## Exact radius-31 PDQ queries ({args.queries} queries, 10% planted neighbours)\n")
    print("| hashes | method | build s | median ms/query | p99 ms | index MiB | RSS growth MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in sizes:
        for size, name, build, times, mem, rss, _ in bench_index(n, args.queries):
            p99 = np.percentile(times, 99) * 1e3
            mem_s = f"{mem:.0f}" if mem is not None else "-"
            cells = [f"{size:,}", name, f"{build:.1f}", ms(times), f"{p99:.2f}", mem_s]
            print("| " + " | ".join([*cells, f"{rss:.0f}"]) + " |")
    print("\n(* = results differ from brute force on the first 20 queries)")


if __name__ == "__main__":
    main()
