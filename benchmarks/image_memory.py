"""Peak memory and time of hashing large images (fixed seed; prints a Markdown table).

    python benchmarks/image_memory.py [--repeat 3] [--keep DIR]

Every measurement runs in a fresh Python process and reads its peak RSS (``VmHWM`` in
/proc/self/status): the whole process, interpreter and imports included, so that figures compare
with a memory limit on a worker. Inputs (generated, small on disk):

* a 7000x7000 RGBA PNG drawing on a transparent background (49 Mpixel, under the default
  limit of 50 Mpixel),
* a 7000x7000 RGB JPEG photo,
* a 6000x6000 16-bit greyscale PNG,
* a 100-frame 1000x1000 GIF and a 10-frame 3000x3000 WebP (only the first frame is hashed).

Next to ``hash_image`` (reference path) and ``ImageMatcher.scan`` (scan path) stands, measured
in the same run, a bare Python process that imports only Pillow and opens the file
(``Image.open(path).load()``: the full decode of the first frame, the least that Pillow needs
for every format but JPEG).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import io, json, sys, time

def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

task, path, root = sys.argv[1:4]
sys.path.insert(0, root)
from PIL import Image

if task != "pillow":
    from matchers.hashing import hash_image
    from matchers.image import ImageMatcher

    row = {"entry_id": "x", "phash": "0" * 16, "dhash": "0" * 16, "pdq": "0" * 64,
           "pdq_quality": 100}
    matcher = ImageMatcher.from_hashes([row])
    warm = io.BytesIO()
    Image.new("RGB", (64, 64)).save(warm, "PNG")
    matcher.scan(warm.getvalue())  # indexes built, plugins registered, lazy imports done
base = peak_mb()
start = time.perf_counter()
if task == "pillow":
    Image.open(path).load()
elif task == "hash_image":
    hash_image(path)
else:
    matcher.scan(path)
print(json.dumps({"base": base, "peak": peak_mb(), "seconds": time.perf_counter() - start}))
"""

TASKS = {
    "pillow": "Python + Pillow: open + load",
    "hash_image": "hash_image",
    "scan": "ImageMatcher.scan",
}


def drawing(size: int, rng: np.random.Generator, mode: str = "RGBA") -> Image.Image:
    """Shapes in a few colours on a transparent (or white) background: compresses to little."""
    background = (255, 255, 255, 0) if mode == "RGBA" else "white"
    img = Image.new(mode, (size, size), background)
    d = ImageDraw.Draw(img)
    s = size / 256
    for _ in range(6):
        x0, y0 = (int(v * s) for v in rng.integers(0, 180, 2))
        x1, y1 = x0 + int(rng.integers(40, 76) * s), y0 + int(rng.integers(40, 76) * s)
        color = (*(int(c) for c in rng.integers(0, 200, 3)), 255)[: len(mode)]
        d.ellipse((x0, y0, x1, y1), outline=color, width=max(1, int(9 * s)))
        d.line((x0, y1, x1, y0), fill=color, width=max(1, int(6 * s)))
    return img


def photo(size: int, rng: np.random.Generator) -> Image.Image:
    """A smooth 'photo' made at a quarter of the size and scaled up (keeps generation small)."""
    small = size // 4
    y, x = np.mgrid[0:small, 0:small].astype(np.float32)
    base = np.stack(
        [
            127 + 100 * np.sin(x / 40 + rng.random() * 6),
            127 + 100 * np.cos(y / 50 + rng.random() * 6),
            127 + 80 * np.sin((x + y) / 70),
        ],
        axis=2,
    )
    base += rng.normal(0, 12, base.shape).astype(np.float32)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).filter(ImageFilter.BLUR)
    return img.resize((size, size), Image.Resampling.BICUBIC)


def make_inputs(folder: Path, seed: int) -> list[tuple[str, Path, str]]:
    rng = np.random.default_rng(seed)
    out = []
    path = folder / "drawing-7000-rgba.png"
    drawing(7000, rng).save(path)
    out.append(("7000x7000 RGBA PNG", path, "49 Mpixel, 4 B/pixel decoded"))
    path = folder / "photo-7000.jpg"
    photo(7000, rng).save(path, quality=90)
    out.append(("7000x7000 RGB JPEG", path, "49 Mpixel"))
    path = folder / "grey-6000-16bit.png"
    y, x = np.mgrid[0:6000, 0:6000]
    grey = (x * 7 + y * 3 + (x // 500) * 4000) % 65536
    Image.fromarray(grey.astype(np.uint16)).save(path)
    out.append(("6000x6000 16-bit grey PNG", path, "36 Mpixel, 2 B/pixel decoded"))
    path = folder / "animation-100.gif"
    frames = [drawing(1000, rng, "RGB").convert("P") for _ in range(100)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40)
    out.append(("100-frame GIF 1000x1000", path, "first frame only"))
    path = folder / "animation-10.webp"
    frames = [drawing(3000, rng, "RGB") for _ in range(10)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, quality=60)
    out.append(("10-frame WebP 3000x3000", path, "first frame only"))
    return out


def measure(task: str, path: Path, repeat: int) -> tuple[float, float, float]:
    """(base MB, peak MB, median seconds) of ``task`` over ``repeat`` fresh processes."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, task, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(proc.stdout))
    return (
        max(r["base"] for r in runs),
        max(r["peak"] for r in runs),
        statistics.median(r["seconds"] for r in runs),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        inputs = make_inputs(folder, args.seed)
        print(f"## Peak RSS and time of hashing large images ({args.repeat} fresh processes)\n")
        print(
            "Peak is the whole process's VmHWM; 'after imports' is the same process before the "
            "image is read. Time is the median, imports excluded.\n"
        )
        print("| input | file KB | step | after imports MB | peak MB | s |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, path, note in inputs:
            size = path.stat().st_size // 1024
            for task, name in TASKS.items():
                base, peak, seconds = measure(task, path, args.repeat)
                cells = [f"{label} ({note})", f"{size:,}", name, f"{base:.0f}", f"{peak:.0f}"]
                print("| " + " | ".join([*cells, f"{seconds:.2f}"]) + " |")
        print()


if __name__ == "__main__":
    main()
