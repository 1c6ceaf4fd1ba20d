"""Common shapes the reference drawings are kept apart from, and the thresholds the build derives.

The project's drawings are simple black-on-white geometry, and so are first-aid crosses, plus
signs, Christian crosses, stars, arrows and the other icons platforms see millions of times a
day. pHash and dHash (64 bits) cannot tell them apart: 13 of the 40 drawings have one of the
figures below within 16 bits of the default pHash+dHash rule (10), a plain up arrow has the Tyr
rune's dHash exactly, and plain crosses, stars and crosshairs came within 5-8 of the arrow
cross, the red star and the Celtic cross (``benchmarks/image_robustness.py``). PDQ's 256 bits
keep them apart: the nearest figure is 36 bits from the Celtic cross (a crosshair), 50 from the
arrow cross (a thin plus), beyond 50 for every other drawing, while the drawings' own resized,
recompressed, mirrored and greyscale copies stay within 32.

So the build gives every image row with a PDQ hash two thresholds of its own (:func:`guard`),
which :class:`matchers.image.ImageMatcher` applies:

* ``pdq_confirm``: a pHash or dHash match of the row counts only when PDQ is within this too:
  :data:`matchers.image.PDQ_CONFIRM_THRESHOLD`, lower when the nearest figure's PDQ distance
  less :data:`PDQ_MARGIN` and one is lower;
* ``pdq_threshold``: PDQ alone matches the row up to this: the default 31, lowered the same way.

A row without a PDQ hash (a hash of material that is not published) gets ``pdq_confirm`` only
when a figure comes within :data:`NEAR_MARGIN` bits of a default pHash/dHash rule: it then no
longer matches at all, since it has no PDQ to confirm with; give it one.

The build measures the figures in the :data:`CALIBRATION` renderings (882 images, about a
second); ``tests/common_shapes.py`` draws the same figures in fourteen other renderings, adds
plus signs of plain rectangles and 53 emoji, and scans all 2,817 against the built knowledge
base: none may match.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from matchers.hashing import HASH_BITS, query_hashes
from matchers.image import CONFIRM_THRESHOLDS, DEFAULT_THRESHOLDS, PDQ_CONFIRM_THRESHOLD
from matchers.imaging import open_image

PDQ_MARGIN = 12
"""PDQ bits kept free between a row's thresholds and the nearest figure measured here. Other
renderings come nearer: the test set's nearest crosshair is 30 from the Celtic cross (36 here),
7 bits beyond its thresholds of 23."""
NEAR_MARGIN = 8
"""pHash/dHash bits: other renderings came up to 8 bits nearer than those measured here (the
Celtic cross: 16 here, 8 from a crosshair of the test set)."""

Colour = tuple[int, int, int]
BLACK: Colour = (0, 0, 0)
WHITE: Colour = (255, 255, 255)
RED: Colour = (220, 30, 40)
SUPERSAMPLE_SIDE = 512
"""Smoothed figures are drawn at 2x to 4x their size (4x up to this many pixels a side)."""

Point = tuple[float, float]


# -- geometry in unit space: x, y in [-1, 1], y down ------------------------------------------


def _star(points: int, inner: float, rotation: float = -90.0) -> list[Point]:
    out = []
    for k in range(2 * points):
        r = 1.0 if k % 2 == 0 else inner
        a = math.radians(rotation + k * 180.0 / points)
        out.append((r * math.cos(a), r * math.sin(a)))
    return out


def _regular(sides: int, rotation: float = -90.0, radius: float = 1.0) -> list[Point]:
    angles = [math.radians(rotation + k * 360.0 / sides) for k in range(sides)]
    return [(radius * math.cos(a), radius * math.sin(a)) for a in angles]


def _cross(vertical: tuple[float, float], bar_y: float, half: float, w: float) -> list[Point]:
    """A cross as one polygon: a beam from vertical[0] to vertical[1] and a bar at bar_y
    reaching +-half, both w wide."""
    top, bottom = vertical
    h = w / 2
    return [
        (-h, top), (h, top), (h, bar_y - h), (half, bar_y - h), (half, bar_y + h), (h, bar_y + h),
        (h, bottom), (-h, bottom), (-h, bar_y + h), (-half, bar_y + h), (-half, bar_y - h),
        (-h, bar_y - h),
    ]  # fmt: skip


def _rotate(points: list[Point], degrees: float) -> list[Point]:
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return [(x * c - y * s, x * s + y * c) for x, y in points]


def _heart(steps: int = 120) -> list[Point]:
    pts = []
    for k in range(steps):
        t = 2 * math.pi * k / steps
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((x / 17, -y / 17 - 0.05))
    return pts


def _closed(points: list[Point]) -> list[Point]:
    return [*points, points[0]]


class Canvas:
    """An RGB canvas that maps unit space onto the square in its middle, less the padding."""

    def __init__(
        self, width: int, height: int, pad: float, fg: Colour, bg: Colour, crisp: bool = False
    ):
        self.size = (width, height)
        self.fg, self.bg = fg, bg
        k = 1 if crisp else max(2, min(4, SUPERSAMPLE_SIDE // max(width, height)))
        self.img = Image.new("RGB", (width * k, height * k), bg)
        self.d = ImageDraw.Draw(self.img)
        self.half = min(width, height) * k * (1 - 2 * pad) / 2
        self.cx, self.cy = width * k / 2, height * k / 2

    def xy(self, p: Point) -> tuple[float, float]:
        return (self.cx + p[0] * self.half, self.cy + p[1] * self.half)

    def poly(self, points: list[Point], fill: Colour | None = None) -> None:
        self.d.polygon([self.xy(p) for p in points], fill=fill or self.fg)

    def line(self, points: list[Point], w: float, fill: Colour | None = None) -> None:
        """A polyline w wide (in unit space) with round joins and ends."""
        fill = fill or self.fg
        px = w * self.half
        pts = [self.xy(p) for p in points]
        self.d.line(pts, fill=fill, width=max(1, round(px)))
        for x, y in pts:
            self.d.ellipse((x - px / 2, y - px / 2, x + px / 2, y + px / 2), fill=fill)

    def disc(self, c: Point, r: float, fill: Colour | None = None) -> None:
        x, y = self.xy(c)
        r *= self.half
        self.d.ellipse((x - r, y - r, x + r, y + r), fill=fill or self.fg)

    def ring(self, c: Point, r: float, w: float) -> None:
        x, y = self.xy(c)
        r *= self.half
        width = max(1, round(w * self.half))
        self.d.ellipse((x - r, y - r, x + r, y + r), outline=self.fg, width=width)

    def result(self) -> Image.Image:
        """The drawing at its size (a box filter over the 2x-4x drawing smooths the edges)."""
        factor = self.img.width // self.size[0]
        return self.img if factor == 1 else self.img.reduce(factor)


# -- the figures: each draws on a canvas with a stroke (or arm) width w ------------------------

Figure = Callable[[Canvas, float], None]


def plus(c: Canvas, w: float) -> None:
    c.poly(_cross((-1, 1), 0, 1, 2 * w))


def first_aid_cross(c: Canvas, w: float) -> None:
    """Short thick arms, as on first-aid kits (red on white, white on red: the rendering)."""
    c.poly(_cross((-0.9, 0.9), 0, 0.9, 0.45 + w))


def first_aid_badge(c: Canvas, w: float) -> None:
    """A white cross on a red disc."""
    c.disc((0, 0), 1, RED)
    c.poly(_cross((-0.62, 0.62), 0, 0.62, 0.32 + w / 2), WHITE)


def swiss_flag(c: Canvas, w: float) -> None:
    c.poly([(-1, -1), (1, -1), (1, 1), (-1, 1)], RED)
    c.poly(_cross((-0.62, 0.62), 0, 0.62, 0.38), WHITE)


def latin_cross(c: Canvas, w: float) -> None:
    c.poly(_cross((-1, 1), -0.4, 0.62, 2 * w))


def latin_cross_outline(c: Canvas, w: float) -> None:
    c.line(_closed(_cross((-1, 1), -0.4, 0.62, 0.34)), w)


def greek_cross(c: Canvas, w: float) -> None:
    c.poly(_cross((-0.9, 0.9), 0, 0.9, 0.25 + w))


def x_mark(c: Canvas, w: float) -> None:
    c.poly(_rotate(_cross((-1, 1), 0, 1, 2 * w), 45))


def star5(c: Canvas, w: float) -> None:
    """The regular five-pointed star (inner radius 0.382 of the outer), whatever the width."""
    c.poly(_star(5, 0.382))


def star5_fat(c: Canvas, w: float) -> None:
    c.poly(_star(5, 0.38 + w / 2))


def star5_outline(c: Canvas, w: float) -> None:
    c.line(_closed(_star(5, 0.4)), w)


def star6(c: Canvas, w: float) -> None:
    c.poly(_star(6, 0.5 + w / 4))


def star_of_david(c: Canvas, w: float) -> None:
    for rotation in (-90, 90):
        c.line(_closed(_regular(3, rotation)), w)


def sun(c: Canvas, w: float) -> None:
    c.disc((0, 0), 0.45)
    for k in range(12):
        a = math.radians(k * 30)
        c.line(
            [(0.6 * math.cos(a), 0.6 * math.sin(a)), (0.95 * math.cos(a), 0.95 * math.sin(a))], w
        )


def sun_triangles(c: Canvas, w: float) -> None:
    c.disc((0, 0), 0.42)
    for k in range(8):
        c.poly(_rotate([(-0.16 - w / 3, -0.55), (0.16 + w / 3, -0.55), (0, -1)], k * 45))


def circle(c: Canvas, w: float) -> None:
    c.disc((0, 0), 1)


def ring(c: Canvas, w: float) -> None:
    c.ring((0, 0), 1, w)


def square(c: Canvas, w: float) -> None:
    c.poly([(-1, -1), (1, -1), (1, 1), (-1, 1)])


def square_outline(c: Canvas, w: float) -> None:
    h = 1 - w / 2
    c.line([(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)], w)


def triangle(c: Canvas, w: float) -> None:
    c.poly(_regular(3, -90))


def triangle_outline(c: Canvas, w: float) -> None:
    c.line(_closed(_regular(3, -90, 0.95)), w)


def triangle_down(c: Canvas, w: float) -> None:
    c.poly(_regular(3, 90))


def diamond(c: Canvas, w: float) -> None:
    c.poly([(0, -1), (0.7, 0), (0, 1), (-0.7, 0)])


def hexagon(c: Canvas, w: float) -> None:
    c.poly(_regular(6, 0))


def lightning(c: Canvas, w: float) -> None:
    s = 1 + w
    top, bottom = (0.25 * s, -1), (-0.25 * s, 1)
    c.poly([top, (-0.55 * s, 0.12), (-0.02, 0.12), bottom, (0.55 * s, -0.15), (0.02, -0.15)])


def heart(c: Canvas, w: float) -> None:
    c.poly(_heart())


def heart_outline(c: Canvas, w: float) -> None:
    c.line(_closed(_heart()), w)


def check_mark(c: Canvas, w: float) -> None:
    c.line([(-0.8, 0.05), (-0.25, 0.6), (0.85, -0.65)], w)


def asterisk(c: Canvas, w: float) -> None:
    for k in range(3):
        c.line(_rotate([(0, -1), (0, 1)], 60 * k + 90), w)


def crescent(c: Canvas, w: float) -> None:
    c.disc((0, 0), 1)
    c.disc((0.35 + w, -0.2), 0.82, c.bg)


def peace(c: Canvas, w: float) -> None:
    c.ring((0, 0), 1, w)
    c.line([(0, -0.95), (0, 0.95)], w)
    c.line([(0, 0.05), (-0.65, 0.7)], w)
    c.line([(0, 0.05), (0.65, 0.7)], w)


def crosshair(c: Canvas, w: float) -> None:
    c.ring((0, 0), 0.7, w)
    c.line([(0, -1), (0, 1)], w)
    c.line([(-1, 0), (1, 0)], w)


def circled_plus(c: Canvas, w: float) -> None:
    c.ring((0, 0), 1, w)
    c.line([(0, -0.6), (0, 0.6)], w)
    c.line([(-0.6, 0), (0.6, 0)], w)


def target(c: Canvas, w: float) -> None:
    for r in (1, 0.62, 0.25):
        c.ring((0, 0), r, w)


def hashtag(c: Canvas, w: float) -> None:
    for x in (-0.35, 0.35):
        c.line([(x + 0.15, -0.95), (x - 0.15, 0.95)], w)
    for y in (-0.35, 0.35):
        c.line([(-0.95, y), (0.95, y)], w)


def no_entry(c: Canvas, w: float) -> None:
    c.disc((0, 0), 1)
    h = 0.15 + w / 2
    c.poly([(-0.65, -h), (0.65, -h), (0.65, h), (-0.65, h)], c.bg)


def equals(c: Canvas, w: float) -> None:
    for y in (-0.35, 0.35):
        c.poly([(-0.9, y - w), (0.9, y - w), (0.9, y + w), (-0.9, y + w)])


ARROW_DIRECTIONS = {
    "up": 0,
    "right": 90,
    "down": 180,
    "left": 270,
    "up-right": 45,
    "down-left": 225,
}


def arrow(degrees: float, filled: bool) -> Figure:
    """A line arrow (heads wider and longer with thicker strokes) or a filled block arrow."""

    def line_arrow(c: Canvas, w: float) -> None:
        spread = 0.3 + w * 1.5
        c.line(_rotate([(0, 1), (0, -0.95)], degrees), w)
        head = [(-spread, -0.95 + 1.5 * spread), (0, -0.95), (spread, -0.95 + 1.5 * spread)]
        c.line(_rotate(head, degrees), w)

    def block_arrow(c: Canvas, w: float) -> None:
        s = 0.12 + w
        outline = [(0, -1), (0.8, -0.15), (s, -0.15), (s, 1), (-s, 1), (-s, -0.15), (-0.8, -0.15)]
        c.poly(_rotate(outline, degrees))

    return block_arrow if filled else line_arrow


FIGURES: dict[str, Figure] = {
    "plus": plus,
    "first-aid-cross": first_aid_cross,
    "first-aid-badge": first_aid_badge,
    "swiss-flag": swiss_flag,
    "latin-cross": latin_cross,
    "latin-cross-outline": latin_cross_outline,
    "greek-cross": greek_cross,
    "x-mark": x_mark,
    "star-5": star5,
    "star-5-fat": star5_fat,
    "star-5-outline": star5_outline,
    "star-6": star6,
    "star-of-david": star_of_david,
    "sun": sun,
    "sun-triangles": sun_triangles,
    "circle": circle,
    "ring": ring,
    "square": square,
    "square-outline": square_outline,
    "triangle": triangle,
    "triangle-outline": triangle_outline,
    "triangle-down": triangle_down,
    "diamond": diamond,
    "hexagon": hexagon,
    "lightning": lightning,
    "heart": heart,
    "heart-outline": heart_outline,
    "check-mark": check_mark,
    "asterisk": asterisk,
    "crescent": crescent,
    "peace": peace,
    "crosshair": crosshair,
    "circled-plus": circled_plus,
    "target": target,
    "hashtag": hashtag,
    "no-entry": no_entry,
    "equals": equals,
    **{
        f"arrow-{name}{'-filled' if filled else ''}": arrow(degrees, filled)
        for name, degrees in ARROW_DIRECTIONS.items()
        for filled in (False, True)
    },
}
"""Plain figures and everyday icons by name."""

WIDTHS = {"thin": 0.08, "medium": 0.16, "thick": 0.28}
"""Stroke (or arm) widths relative to half the side of the figure's square."""


@dataclass(frozen=True)
class Rendering:
    """Where and how a figure is drawn: canvas size, padding, colours, smoothing."""

    width: int
    height: int
    pad: float
    fg: Colour = BLACK
    bg: Colour = WHITE
    crisp: bool = False
    """Drawn at its size without smoothing: pixel-exact edges, exactly symmetric figures."""


CALIBRATION: tuple[Rendering, ...] = (
    Rendering(128, 128, 0.1),
    Rendering(224, 224, 0.12, RED, WHITE),
    Rendering(128, 128, 0.0, crisp=True),
    Rendering(100, 100, 0.2, crisp=True),
    Rendering(180, 180, 0.1, crisp=True),
    Rendering(128, 128, 0.1, WHITE, BLACK, crisp=True),
)
"""The renderings the build measures against: smoothed black and red, full-bleed and
pixel-exact in three sizes, inverted."""


def render(name: str, width: str, rendering: Rendering) -> Image.Image:
    """Figure ``name`` drawn with stroke ``width`` (a key of :data:`WIDTHS`)."""
    r = rendering
    canvas = Canvas(r.width, r.height, r.pad, r.fg, r.bg, r.crisp)
    FIGURES[name](canvas, WIDTHS[width])
    return canvas.result()


# -- the guard the build derives ----------------------------------------------------------------

_ALGORITHMS = ("phash", "dhash", "pdq")


@dataclass(frozen=True)
class ShapeHashes:
    """The calibration figures hashed as a scan hashes an upload, as is and mirrored: per
    algorithm an (n, bytes) array, row i from ``names[i // 2]``."""

    names: tuple[str, ...]
    bits: dict[str, np.ndarray]


@functools.lru_cache(maxsize=1)
def calibration_hashes() -> ShapeHashes:
    """Every figure in every width and :data:`CALIBRATION` rendering (about 600 images, a
    second or two; computed once per process)."""
    names, rows = [], {a: [] for a in _ALGORITHMS}
    for name in FIGURES:
        for width in WIDTHS:
            for rendering in CALIBRATION:
                h = query_hashes(open_image(render(name, width, rendering)))
                names.append(f"{name}/{width}")
                for a in _ALGORITHMS:
                    for mirrored in (False, True):
                        value = h.get(a, mirrored)
                        rows[a].append(bytes.fromhex(value) if value else bytes(HASH_BITS[a] // 8))
    bits = {
        a: np.frombuffer(b"".join(v), dtype=np.uint8).reshape(len(v), -1) for a, v in rows.items()
    }
    return ShapeHashes(tuple(names), bits)


@dataclass(frozen=True)
class Nearest:
    """The nearest calibration figure per algorithm, and for pHash and dHash together (the
    larger of the two distances, minimised over the figures): (distance, figure name)."""

    phash: tuple[int, str] | None
    dhash: tuple[int, str] | None
    pdq: tuple[int, str] | None
    pair: tuple[int, str] | None


def _distances(shapes: ShapeHashes, algorithm: str, value: str | None) -> np.ndarray | None:
    if not value:
        return None
    query = np.frombuffer(bytes.fromhex(value), dtype=np.uint8)
    return np.bitwise_count(shapes.bits[algorithm] ^ query).sum(axis=1)


def nearest(hashes: Mapping[str, Any], shapes: ShapeHashes | None = None) -> Nearest:
    """How near the calibration figures come to an image row's hashes."""
    shapes = shapes or calibration_hashes()
    found: dict[str, np.ndarray | None] = {
        a: _distances(shapes, a, hashes.get(a)) for a in _ALGORITHMS
    }
    if found["pdq"] is not None:  # figures too flat for a PDQ hash have none
        no_pdq = ~shapes.bits["pdq"].any(axis=1)
        found["pdq"] = np.where(no_pdq, HASH_BITS["pdq"] + 1, found["pdq"])
    p, d = found["phash"], found["dhash"]
    found["pair"] = np.maximum(p, d) if p is not None and d is not None else None

    def best(values: np.ndarray | None) -> tuple[int, str] | None:
        if values is None:
            return None
        i = int(np.argmin(values))
        return int(values[i]), shapes.names[i // 2]

    return Nearest(*(best(found[k]) for k in ("phash", "dhash", "pdq", "pair")))


def guard(hashes: Mapping[str, Any], shapes: ShapeHashes | None = None) -> dict[str, int | None]:
    """The ``pdq_threshold`` and ``pdq_confirm`` of an image row (see the module docstring)."""
    if not any(hashes.get(a) for a in _ALGORITHMS):
        return {"pdq_threshold": None, "pdq_confirm": None}
    near = nearest(hashes, shapes)
    if near.pdq is not None:
        room = near.pdq[0] - 1 - PDQ_MARGIN
        return {
            "pdq_threshold": max(0, min(DEFAULT_THRESHOLDS["pdq"], room)),
            "pdq_confirm": max(0, min(PDQ_CONFIRM_THRESHOLD, room)),
        }
    close = (
        (near.pair is not None and near.pair[0] <= CONFIRM_THRESHOLDS["phash"] + NEAR_MARGIN)
        or (near.phash is not None and near.phash[0] <= DEFAULT_THRESHOLDS["phash"] + NEAR_MARGIN)
        or (near.dhash is not None and near.dhash[0] <= DEFAULT_THRESHOLDS["dhash"] + NEAR_MARGIN)
    )
    return {"pdq_threshold": None, "pdq_confirm": PDQ_CONFIRM_THRESHOLD if close else None}
