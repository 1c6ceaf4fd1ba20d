"""Recall at a fixed false-positive rate, per transformation and hash algorithm.

    python benchmarks/image_robustness.py [--emoji 250] [--drawings 120] [--fpr 1e-4]

Corpus (fixed seeds): the photographs scikit-image ships in ``skimage/data`` (pip install
scikit-image), colour emoji glyphs of Noto Color Emoji (Debian ``fonts-noto-color-emoji``)
rendered with Pillow, and line drawings generated here (black shapes on white, like the
project's own drawings). Each image is hashed as a reference at full resolution
(``hash_image``); every transformed copy is saved as JPEG (quality 85, as uploads usually are)
and hashed the way ``ImageMatcher.scan`` does it (draft decode, best of as-is and mirrored).

Negatives are all pairs of different corpus images (JPEG-saved originals against references).
For each algorithm the threshold is the largest distance whose false-positive rate over those
pairs stays at or below ``--fpr``; the table gives recall per transformation at that threshold,
then recall and false-positive rate at the library's default thresholds, and for the
``confirm=True`` rule (pHash or dHash within the loose threshold, confirmed by the other).

Then the knowledge base's own drawings (``--db``, else the shipped data built into a temporary
folder; ``--no-kb`` skips this): for each drawing its thresholds and the nearest common shape
per algorithm, among the figures the build measures (``symbolenbank/common_shapes.py``) and
among the common shapes and emoji of ``tests/common_shapes.py``; the matches of the real
matcher on those common shapes per algorithm, with the drawings' thresholds (must be 0) and
without them; and the drawings' recall under the transformations above, with and without.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchers.hashing import (  # noqa: E402
    HASH_BITS,
    QUERY_DRAFT_SIZE,
    compute_hashes,
    pdq_available,
    query_variants,
)
from matchers.image import (  # noqa: E402
    CONFIRM_THRESHOLDS,
    DEFAULT_THRESHOLDS,
    PDQ_CONFIRM_THRESHOLD,
    ImageMatcher,
)
from matchers.imaging import open_image  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "brick.png",
    "camera.png",
    "cell.png",
    "chelsea.png",
    "clock_motion.png",
    "coffee.png",
    "coins.png",
    "color.png",
    "grass.png",
    "gravel.png",
    "horse.png",
    "hubble_deep_field.jpg",
    "ihc.png",
    "logo.png",
    "microaneurysms.png",
    "moon.png",
    "motorcycle_left.png",
    "page.png",
    "retina.jpg",
    "rocket.jpg",
    "text.png",
)
EMOJI_RANGES = ((0x1F300, 0x1F5FF), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF))


def skimage_photos() -> list[tuple[str, Image.Image]]:
    try:
        import skimage
    except ImportError:
        return []
    base = Path(skimage.__file__).parent / "data"
    out = []
    for name in SKIMAGE_PHOTOS:
        path = base / name
        if path.exists():
            out.append((f"photo:{name}", open_image(path).image))
    return out


def render_emoji(char: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """A 136x128 RGBA glyph (Noto's bitmap size) flattened onto white."""
    canvas = Image.new("RGBA", (160, 160), (255, 255, 255, 0))
    ImageDraw.Draw(canvas).text((10, 10), char, font=font, embedded_color=True)
    box = canvas.getbbox()
    glyph = canvas.crop(box) if box else canvas
    white = Image.new("RGBA", glyph.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, glyph).convert("RGB")


def emoji_glyphs(count: int, seed: int = 7) -> list[tuple[str, Image.Image]]:
    if not EMOJI_FONT.exists() or count <= 0:
        return []
    font = ImageFont.truetype(str(EMOJI_FONT), 109)
    missing = render_emoji("\U0010fffd", font).tobytes()
    points = [cp for lo, hi in EMOJI_RANGES for cp in range(lo, hi + 1)]
    random.Random(seed).shuffle(points)
    out = []
    for cp in points:
        img = render_emoji(chr(cp), font)
        if img.tobytes() == missing or img.size[0] < 40:
            continue
        out.append((f"emoji:U+{cp:X}", img))
        if len(out) == count:
            break
    return out


def drawing(seed: int, size: int = 256) -> Image.Image:
    """A random black-on-white symbol: polygons, strokes, a ring, sometimes a letter."""
    rng = random.Random(seed)
    img = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(("poly", "line", "ring", "rect"))
        pts = [(rng.randint(16, size - 16), rng.randint(16, size - 16)) for _ in range(4)]
        if kind == "poly":
            d.polygon(pts[: rng.randint(3, 4)], fill="black")
        elif kind == "line":
            d.line(pts, fill="black", width=rng.randint(8, 20))
        elif kind == "ring":
            r = rng.randint(30, 100)
            c = size // 2 + rng.randint(-40, 40)
            d.ellipse((c - r, c - r, c + r, c + r), outline="black", width=rng.randint(8, 18))
        else:
            x0, y0 = pts[0]
            d.rectangle((x0 - 30, y0 - 30, x0 + 30, y0 + 30), fill="black")
    return img


def drawings(count: int, seed: int = 11) -> list[tuple[str, Image.Image]]:
    return [(f"drawing:{seed + i}", drawing(seed + i)) for i in range(count)]


def caption(img: Image.Image, percent: int = 15) -> Image.Image:
    """Add a white band with black text below the image (15% of its height), meme style."""
    band = max(12, img.height * percent // 100)
    out = Image.new("RGB", (img.width, img.height + band), "white")
    out.paste(img, (0, 0))
    font = ImageFont.truetype(str(FONT), max(8, band * 6 // 10)) if FONT.exists() else None
    text_at = (4, img.height + band // 8)
    ImageDraw.Draw(out).text(text_at, "when they see it", fill="black", font=font)
    return out


def crop(img: Image.Image, frac: float = 0.05) -> Image.Image:
    dx, dy = int(img.width * frac), int(img.height * frac)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def rotate(img: Image.Image, degrees: float = 5) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor="white")


def jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def recompress(img: Image.Image) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(img, 40))).convert("RGB")


TRANSFORMS = {
    "identity (JPEG 85)": lambda im: im,
    "resize 50%": lambda im: im.resize((max(1, im.width // 2), max(1, im.height // 2))),
    "JPEG quality 40": recompress,
    "mirror": ImageOps.mirror,
    "grayscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "brightness +30%": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "crop 2% each side": lambda im: crop(im, 0.02),
    "crop 5% each side": crop,
    "caption band 15%": caption,
    "caption band 10%": lambda im: caption(im, 10),
    "rotate 2 deg": lambda im: rotate(im, 2),
    "rotate 5 deg": rotate,
}


def query_hashes(data: bytes) -> list[dict[str, tuple[bytes, bytes]]]:
    """(as-is, mirrored) hash bytes per algorithm, computed as ImageMatcher.scan does: for the
    image, then (when it has a caption band) for the image without it."""
    decoded = open_image(data, draft_size=QUERY_DRAFT_SIZE)
    out = []
    for h in query_variants(decoded):
        hashes = {}
        for alg in ("phash", "dhash", "pdq"):
            a, b = h.get(alg), h.get(alg, mirrored=True)
            if a and b:
                hashes[alg] = (bytes.fromhex(a), bytes.fromhex(b))
        out.append(hashes)
    return out


def to_bits(values: list[bytes | None], nbytes: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack hashes as uint64 words; a mask marks which are present."""
    present = np.array([v is not None for v in values])
    arr = np.zeros((len(values), nbytes), dtype=np.uint8)
    for i, v in enumerate(values):
        if v is not None:
            arr[i] = np.frombuffer(v, dtype=np.uint8)
    return arr.view(np.uint64), present


def pair_distances(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """All-pairs Hamming distances between row sets of uint64 words."""
    return np.bitwise_count(q[:, None, :] ^ r[None, :, :]).sum(axis=2)


# -- the knowledge base's drawings against common shapes ---------------------------------------

GUARD = ("pdq_threshold", "pdq_confirm")


def kb_rows(db: Path | None) -> list[dict]:
    """The image rows of the built knowledge base (building data/ when no database is given)."""
    import sqlite3
    import tempfile

    if db is None:
        from symbolenbank.build import build_database

        tmp = Path(tempfile.mkdtemp(prefix="image-robustness-"))
        db = build_database(ROOT / "data", tmp / "symbolenbank.db", check_examples=False).output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "select i.*, e.assessment from images i join entries e on e.id = i.entry_id"
        " where e.status = 'active' order by i.id"
    ).fetchall()
    conn.close()
    return [dict(r) for r in rows]


def nearest_in(shapes: list[tuple[str, list]], row: dict) -> tuple[tuple, tuple]:
    """Nearest (pair, PDQ) of ``row`` among query hashes: ((distance, name), (distance, name))."""
    from matchers.hashing import distance

    pair, pdq = (999, ""), (999, "")
    for name, variants in shapes:
        for v in variants:
            for m in (False, True):
                p, d, q = v.get("phash", m), v.get("dhash", m), v.get("pdq", m)
                if p and d and row["phash"] and row["dhash"]:
                    both = max(distance(row["phash"], p), distance(row["dhash"], d))
                    pair = min(pair, (both, name))
                if q and row["pdq"]:
                    pdq = min(pdq, (distance(row["pdq"], q), name))
    return pair, pdq


def knowledge_base(db: Path | None) -> None:
    from symbolenbank import common_shapes as calibration
    from tests.common_shapes import common_shapes

    rows = kb_rows(db)
    drawn = [r for r in rows if r.get("file")]
    shapes = common_shapes()
    hashed = [
        (name, query_variants(open_image(data, draft_size=QUERY_DRAFT_SIZE)))
        for name, data in shapes
    ]
    guarded = ImageMatcher.from_hashes(rows)
    plain = ImageMatcher.from_hashes([{k: v for k, v in r.items() if k not in GUARD} for r in rows])

    print(f"\n## The knowledge base's {len(drawn)} drawings and {len(shapes)} common shapes\n")
    print(
        "Nearest common shape per drawing: among the figures the build measures "
        f"({len(calibration.calibration_hashes().names)} renderings) and among the common "
        "shapes and emoji of `tests/common_shapes.py`. *pair*: the larger of the pHash and "
        "dHash distances (the default rule matches at 10). The drawing's thresholds sit "
        f"{calibration.PDQ_MARGIN} + 1 below the nearest PDQ the build measured.\n"
    )
    print(
        "| drawing | pdq_threshold | pdq_confirm | build: pHash | dHash | pair | PDQ "
        "| test set: pair | PDQ |"
    )
    print("| --- " * 9 + "|")
    slack = []
    for r in drawn:
        near = calibration.nearest(r)
        pair, pdq = nearest_in(hashed, r)
        slack.append((pdq[0] - r["pdq_threshold"], pdq[0] - r["pdq_confirm"], r["entry_id"]))
        cells = [
            r["entry_id"], r["pdq_threshold"], r["pdq_confirm"],
            *(f"{d} {name}" for d, name in (near.phash, near.dhash, near.pair, near.pdq)),
            f"{pair[0]} {pair[1]}", f"{pdq[0]} {pdq[1]}",
        ]  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")
    alone, confirmed = min(slack), min(slack, key=lambda s: s[1])
    print(
        "\nNearest test-set PDQ beyond a drawing's thresholds, at the least: "
        f"{alone[0]} bits beyond `pdq_threshold` ({alone[2]}), {confirmed[1]} bits beyond "
        f"`pdq_confirm` ({confirmed[2]}).\n"
    )

    print("Matches on the common shapes, per algorithm of the match (must be 0):\n")
    print("| matcher | phash | dhash | pdq | images matched |")
    print("| --- | --- | --- | --- | --- |")
    for label, matcher in (("the drawings' thresholds", guarded), ("the pair rule alone", plain)):
        for confirm in (True, False):
            matcher.confirm = confirm
            per = dict.fromkeys(("phash", "dhash", "pdq"), 0)
            images = 0
            for _, data in shapes:
                found = matcher.scan(data)
                images += bool(found)
                for m in found:
                    per[m.algorithm] += 1
            mode = "default" if confirm else "confirm=False"
            print(
                f"| {label}, {mode} | {per['phash']} | {per['dhash']} | {per['pdq']} | {images} |"
            )
            matcher.confirm = True

    print("\nRecall of the drawings under the transformations (saved as JPEG 85):\n")
    print("| transformation | with the drawings' thresholds | the pair rule alone |")
    print("| --- | --- | --- |")
    totals = [[], []]
    for tname, fn in TRANSFORMS.items():
        cells = []
        for i, matcher in enumerate((guarded, plain)):
            hits = []
            for r in drawn:
                data = jpeg(fn(open_image(ROOT / "data" / r["file"]).image))
                hits.append(r["entry_id"] in {m.entry_id for m in matcher.scan(data)})
            totals[i].append(np.mean(hits))
            cells.append(f"{np.mean(hits):.3f}")
        print(f"| {tname} | " + " | ".join(cells) + " |")
    print(f"| mean | {np.mean(totals[0]):.3f} | {np.mean(totals[1]):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--emoji", type=int, default=250)
    ap.add_argument("--drawings", type=int, default=120)
    ap.add_argument("--fpr", type=float, default=1e-4)
    ap.add_argument("--db", type=Path, help="built knowledge base (default: build data/ now)")
    ap.add_argument("--no-kb", action="store_true", help="skip the knowledge-base drawings")
    args = ap.parse_args()
    started = time.perf_counter()
    corpus = skimage_photos() + emoji_glyphs(args.emoji) + drawings(args.drawings)
    n = len(corpus)
    algorithms = ["phash", "dhash"] + (["pdq"] if pdq_available() else [])

    refs: dict[str, list[bytes | None]] = {a: [] for a in algorithms}
    for _, img in corpus:
        h = compute_hashes(img)
        for a in algorithms:
            v = h.get(a)
            refs[a].append(bytes.fromhex(v) if v else None)

    # queries[transform][alg] = (as-is, mirrored, trimmed as-is, trimmed mirrored) lists
    queries: dict[str, dict[str, tuple[list, list, list, list]]] = {}
    for tname, fn in TRANSFORMS.items():
        per = {a: ([], [], [], []) for a in algorithms}
        for _, img in corpus:
            variants = query_hashes(jpeg(fn(img)))
            for a in algorithms:
                for v in range(2):
                    pair = variants[v].get(a) if v < len(variants) else None
                    per[a][2 * v].append(pair[0] if pair else None)
                    per[a][2 * v + 1].append(pair[1] if pair else None)
        queries[tname] = per

    # Distance matrices: best of as-is and mirrored query hash against every reference.
    # trimmed[transform][alg]: the same for the trimmed variant (a large value where none).
    dist: dict[str, dict[str, np.ndarray]] = {}
    trimmed: dict[str, dict[str, np.ndarray]] = {}
    valid: dict[str, dict[str, np.ndarray]] = {}
    for tname in TRANSFORMS:
        dist[tname], trimmed[tname], valid[tname] = {}, {}, {}
        for a in algorithms:
            nbytes = HASH_BITS[a] // 8
            r, rp = to_bits(refs[a], nbytes)
            q0, qp = to_bits(queries[tname][a][0], nbytes)
            q1, _ = to_bits(queries[tname][a][1], nbytes)
            d = np.minimum(pair_distances(q0, r), pair_distances(q1, r))
            dist[tname][a] = d
            t0, tp = to_bits(queries[tname][a][2], nbytes)
            t1, _ = to_bits(queries[tname][a][3], nbytes)
            dt = np.minimum(pair_distances(t0, r), pair_distances(t1, r))
            trimmed[tname][a] = np.where(tp[:, None], dt, HASH_BITS[a] + 1)
            valid[tname][a] = qp[:, None] & rp[None, :]

    off = ~np.eye(n, dtype=bool)
    base = "identity (JPEG 85)"
    thresholds = {}
    neg = {}
    for a in algorithms:
        mask = off & valid[base][a]
        neg[a] = dist[base][a][mask]
        best = -1
        for t in range(HASH_BITS[a] + 1):
            if (neg[a] <= t).mean() <= args.fpr:
                best = t
            else:
                break
        thresholds[a] = best

    def recall(tname: str, a: str, t: int) -> tuple[float, int]:
        d = np.diagonal(dist[tname][a])
        v = np.diagonal(valid[tname][a])
        return float((d[v] <= t).mean()) if v.any() else float("nan"), int(v.sum())

    # confirm rule: phash <= loose and dhash <= loose (pairs where both hashes exist)
    def confirm_hits(tname: str) -> np.ndarray:
        p, d = dist[tname]["phash"], dist[tname]["dhash"]
        return (p <= CONFIRM_THRESHOLDS["phash"]) & (d <= CONFIRM_THRESHOLDS["dhash"])

    def pdq_confirmed_hits(tname: str) -> np.ndarray:
        """The pair rule with PDQ confirmation, as for the knowledge base's drawings."""
        hits = confirm_hits(tname)
        if "pdq" not in dist[tname]:
            return hits
        pdq = dist[tname]["pdq"]
        return (hits & valid[tname]["pdq"] & (pdq <= PDQ_CONFIRM_THRESHOLD)) | (
            pdq <= DEFAULT_THRESHOLDS["pdq"]
        )

    def any_hits(tname: str) -> np.ndarray:
        p, d = dist[tname]["phash"], dist[tname]["dhash"]
        return (p <= DEFAULT_THRESHOLDS["phash"]) | (d <= DEFAULT_THRESHOLDS["dhash"])

    photos = sum(1 for name, _ in corpus if name.startswith("photo:"))
    emoji = sum(1 for name, _ in corpus if name.startswith("emoji:"))
    print(
        f"Corpus: {n} images ({photos} photos, {emoji} emoji, {n - photos - emoji} drawings); "
        f"{int(off.sum())} negative pairs; target false-positive rate {args.fpr:g}\n"
    )
    print(
        "| algorithm | threshold at target FPR | measured FPR | default threshold "
        "| FPR at default |"
    )
    print("| --- | --- | --- | --- | --- |")
    for a in algorithms:
        t = thresholds[a]
        print(
            f"| {a} | {t} | {(neg[a] <= t).mean():.1e} | {DEFAULT_THRESHOLDS[a]} | "
            f"{(neg[a] <= DEFAULT_THRESHOLDS[a]).mean():.1e} |"
        )
    fpr_any = any_hits(base)[off].mean()
    fpr_confirm = confirm_hits(base)[off].mean()
    print(f"| pHash or dHash at single defaults | | | | {fpr_any:.1e} |")
    print(
        f"| confirm rule (default): pHash<={CONFIRM_THRESHOLDS['phash']} and "
        f"dHash<={CONFIRM_THRESHOLDS['dhash']} | | | | {fpr_confirm:.1e} |"
    )
    fpr_pdq = pdq_confirmed_hits(base)[off].mean()
    print(
        f"| confirm rule and PDQ<={PDQ_CONFIRM_THRESHOLD}, or PDQ<={DEFAULT_THRESHOLDS['pdq']} "
        f"(the drawings' rule) | | | | {fpr_pdq:.1e} |"
    )
    print()
    cols = [f"{a} @{thresholds[a]}" for a in algorithms] + [
        f"{a} @{DEFAULT_THRESHOLDS[a]} (default)" for a in algorithms
    ]
    cols += ["pHash or dHash (single defaults)", "confirm rule (default)", "drawings' rule"]
    print("| transformation | " + " | ".join(cols) + " |")
    print("| --- " * (len(cols) + 1) + "|")
    for tname in TRANSFORMS:
        cells = [f"{recall(tname, a, thresholds[a])[0]:.3f}" for a in algorithms]
        cells += [f"{recall(tname, a, DEFAULT_THRESHOLDS[a])[0]:.3f}" for a in algorithms]
        cells.append(f"{np.diagonal(any_hits(tname)).mean():.3f}")
        cells.append(f"{np.diagonal(confirm_hits(tname)).mean():.3f}")
        cells.append(f"{np.diagonal(pdq_confirmed_hits(tname)).mean():.3f}")
        print(f"| {tname} | " + " | ".join(cells) + " |")
    print()
    print(
        "With the caption-band variant (scan also hashes the image without a detected caption "
        "band and borders; nearest of the variants). FPR over the unrelated pairs of the "
        "identity queries and of the caption-band queries.\n"
    )
    trim_cols = []
    for a in algorithms:
        trim_cols += [f"{a} @{DEFAULT_THRESHOLDS[a]}", f"{a} @{DEFAULT_THRESHOLDS[a]} + trim"]
    trim_cols += ["confirm rule", "confirm rule + trim"]
    print("| transformation | " + " | ".join(trim_cols) + " |")
    print("| --- " * (len(trim_cols) + 1) + "|")

    def with_trim(tname: str, a: str, trim: bool) -> np.ndarray:
        d = dist[tname][a]
        return np.minimum(d, trimmed[tname][a]) if trim else d

    def confirm_trim(tname: str, trim: bool) -> np.ndarray:
        hits = confirm_hits(tname)
        if trim:
            p, d = trimmed[tname]["phash"], trimmed[tname]["dhash"]
            hits = hits | ((p <= CONFIRM_THRESHOLDS["phash"]) & (d <= CONFIRM_THRESHOLDS["dhash"]))
        return hits

    for tname in TRANSFORMS:
        cells = []
        for a in algorithms:
            v = np.diagonal(valid[tname][a])
            for trim in (False, True):
                d = np.diagonal(with_trim(tname, a, trim))
                cells.append(f"{(d[v] <= DEFAULT_THRESHOLDS[a]).mean():.3f}")
        for trim in (False, True):
            cells.append(f"{np.diagonal(confirm_trim(tname, trim)).mean():.3f}")
        print(f"| {tname} | " + " | ".join(cells) + " |")
    for tname in (base, "caption band 15%"):
        cells = []
        for a in algorithms:
            mask = off & valid[tname][a]
            for trim in (False, True):
                d = with_trim(tname, a, trim)[mask]
                cells.append(f"{(d <= DEFAULT_THRESHOLDS[a]).mean():.1e}")
        for trim in (False, True):
            cells.append(f"{confirm_trim(tname, trim)[off].mean():.1e}")
        print(f"| FPR, {tname} queries | " + " | ".join(cells) + " |")
    print()
    print("| algorithm | median distance, unrelated pairs | 1st percentile | minimum |")
    print("| --- | --- | --- | --- |")
    for a in algorithms:
        print(
            f"| {a} | {np.median(neg[a]):.0f} | {np.percentile(neg[a], 1):.0f} | {neg[a].min()} |"
        )
    lowest = np.argwhere(off & (dist[base]["phash"] <= 4))
    names = [name for name, _ in corpus]
    pairs = ", ".join(f"{names[i]}~{names[j]}" for i, j in lowest if i < j)
    print(f"\nUnrelated pairs within pHash 4 (the false-positive floor): {pairs or 'none'}")
    if not args.no_kb and pdq_available():
        knowledge_base(args.db)
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
