"""Common shapes and everyday icons, made here: the false-positive set of the image matcher.

No reference drawing of the knowledge base may match any of these; a platform scanning millions
of uploads would otherwise flag every first-aid kit, church sign and rating star. Nothing is
downloaded: every image is drawn by this code, deterministically.

* The plain figures of :mod:`symbolenbank.common_shapes` (plus sign, first-aid cross red on
  white and white on red, Latin and Greek cross, five- and six-pointed stars, sun, circle,
  square, triangle, lightning bolt, arrows in six directions, heart, check mark, ...) in three
  stroke widths and the fourteen :data:`VARIANTS`: sizes from 64 to 400 pixels, with and
  without padding, black, red, blue, green and white, smoothed and pixel-exact, PNG and JPEG.
  The build measures the same figures in six other renderings (``CALIBRATION``); these test
  whether its margins hold for renderings it did not see.
* Plus signs of two filled rectangles on a sweep of arm widths and lengths
  (:func:`rectangle_crosses`), drawn as a quick script would. The build never measures these;
  they come nearest the arrow cross (pHash and dHash 8).
* Everyday emoji (:data:`EMOJI`) rendered from Noto Color Emoji (Debian
  ``fonts-noto-color-emoji``) at its bitmap size 109, in six sizes and backgrounds, PNG and JPEG.

    from tests.common_shapes import common_shapes
    for name, data in common_shapes():   # (name, encoded image bytes)
        ...

``python tests/common_shapes.py sheet.png`` draws them side by side for a reviewer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from symbolenbank.common_shapes import BLACK, FIGURES, RED, WHITE, WIDTHS, Colour, Rendering, render

EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_SIZE = 109
"""Noto Color Emoji is a bitmap font: Pillow renders it at this size only."""
BLUE: Colour = (30, 80, 200)
GREEN: Colour = (20, 140, 60)
YELLOW: Colour = (250, 200, 20)
DARK: Colour = (40, 40, 40)
PALE_BLUE: Colour = (200, 225, 255)
_NAMES = {
    BLACK: "black", WHITE: "white", RED: "red", BLUE: "blue", GREEN: "green", YELLOW: "yellow",
    DARK: "dark", PALE_BLUE: "pale-blue",
}  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """A rendering of a figure and how it is encoded (``png`` or ``jpeg<quality>``)."""

    rendering: Rendering
    encoding: str

    @property
    def label(self) -> str:
        r = self.rendering
        crisp = "-crisp" if r.crisp else ""
        colours = f"{_NAMES[r.fg]}-on-{_NAMES[r.bg]}"
        return f"{r.width}x{r.height}-pad{r.pad:g}-{colours}{crisp}-{self.encoding}"


def _v(
    w: int, h: int, pad: float, fg: Colour, bg: Colour, enc: str, crisp: bool = False
) -> Variant:
    return Variant(Rendering(w, h, pad, fg, bg, crisp), enc)


VARIANTS: tuple[Variant, ...] = (
    _v(400, 400, 0.1, BLACK, WHITE, "png"),
    _v(256, 256, 0.0, BLACK, WHITE, "jpeg85"),
    _v(128, 128, 0.2, BLACK, WHITE, "jpeg50"),
    _v(64, 64, 0.1, BLACK, WHITE, "png"),
    _v(300, 200, 0.08, BLACK, WHITE, "jpeg85"),
    _v(256, 256, 0.12, RED, WHITE, "png"),
    _v(256, 256, 0.12, WHITE, RED, "jpeg85"),
    _v(200, 200, 0.3, WHITE, BLACK, "png"),
    _v(240, 320, 0.05, BLUE, WHITE, "jpeg70"),
    _v(160, 160, 0.15, GREEN, YELLOW, "jpeg85"),
    _v(200, 200, 0.1, BLACK, WHITE, "png", crisp=True),
    _v(100, 100, 0.15, RED, WHITE, "png", crisp=True),
    _v(100, 100, 0.15, WHITE, RED, "jpeg85", crisp=True),
    _v(64, 64, 0.05, BLACK, WHITE, "png", crisp=True),
)
"""Every figure is drawn in every width in each of these."""


def encode(img: Image.Image, encoding: str) -> bytes:
    buf = io.BytesIO()
    if encoding == "png":
        img.save(buf, "PNG", compress_level=1)
    elif encoding.startswith("jpeg"):
        img.convert("RGB").save(buf, "JPEG", quality=int(encoding[4:]))
    else:
        raise ValueError(f"unknown encoding {encoding!r}: png or jpeg<quality>")
    return buf.getvalue()


def figures() -> Iterator[tuple[str, bytes]]:
    """Every figure in every width and variant: (name, encoded bytes)."""
    for name in FIGURES:
        for width in WIDTHS:
            for variant in VARIANTS:
                img = render(name, width, variant.rendering)
                yield f"{name}/{width}/{variant.label}", encode(img, variant.encoding)


def rectangle_crosses() -> Iterator[tuple[str, bytes]]:
    """Plus signs of two rectangles, pixel-exact: arm widths 8-60% of the side, arms 40-100%."""
    colours = ((BLACK, WHITE), (RED, WHITE), (WHITE, RED))
    for size in (100, 200, 256):
        for arm in (0.08, 0.16, 0.24, 0.32, 0.4, 0.5, 0.6):
            for length in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
                for fg, bg in colours:
                    img = Image.new("RGB", (size, size), bg)
                    d = ImageDraw.Draw(img)
                    c, reach, half = size / 2, length * size / 2, arm * size / 4
                    d.rectangle((c - half, c - reach, c + half, c + reach), fill=fg)
                    d.rectangle((c - reach, c - half, c + reach, c + half), fill=fg)
                    label = f"{size}-arm{arm:g}-length{length:g}-{_NAMES[fg]}-on-{_NAMES[bg]}"
                    yield f"rectangle-cross/{label}", encode(img, "png")


# -- emoji ---------------------------------------------------------------------------------------

EMOJI: tuple[str, ...] = (
    "\u2795",  # ➕ heavy plus sign
    "\u2796",  # ➖
    "\u2716\ufe0f",  # ✖️
    "\u274c",  # ❌
    "\u271d\ufe0f",  # ✝️ Latin cross
    "\u2626\ufe0f",  # ☦️ Orthodox cross
    "\u26ea",  # ⛪ church
    "\U0001f3e5",  # 🏥 hospital
    "\u2695\ufe0f",  # ⚕️ medical symbol
    "\u2600\ufe0f",  # ☀️ sun
    "\U0001f31e",  # 🌞
    "\u2b50",  # ⭐
    "\U0001f31f",  # 🌟
    "\u2728",  # ✨
    "\u2733\ufe0f",  # ✳️
    "\u2734\ufe0f",  # ✴️
    "\u2721\ufe0f",  # ✡️
    "\u26a1",  # ⚡ (a single bolt, as in "fast" or "electric")
    "\u27a1\ufe0f",  # ➡️
    "\u2b05\ufe0f",  # ⬅️
    "\u2b06\ufe0f",  # ⬆️
    "\u2b07\ufe0f",  # ⬇️
    "\u2197\ufe0f",  # ↗️
    "\U0001f53c",  # 🔼
    "\u25b6\ufe0f",  # ▶️
    "\u2764\ufe0f",  # ❤️
    "\U0001f499",  # 💙
    "\u2705",  # ✅
    "\u2714\ufe0f",  # ✔️
    "\u2611\ufe0f",  # ☑️
    "\U0001f534",  # 🔴
    "\U0001f535",  # 🔵
    "\u26ab",  # ⚫
    "\U0001f7e5",  # 🟥
    "\u2b1b",  # ⬛
    "\u2b1c",  # ⬜
    "\U0001f53a",  # 🔺
    "\U0001f53b",  # 🔻
    "\U0001f536",  # 🔶
    "\u262e\ufe0f",  # ☮️
    "\u262f\ufe0f",  # ☯️
    "\U0001f319",  # 🌙
    "\u2618\ufe0f",  # ☘️
    "\U0001f340",  # 🍀
    "\u26a0\ufe0f",  # ⚠️
    "\U0001f6ab",  # 🚫
    "\u267b\ufe0f",  # ♻️
    "\u2601\ufe0f",  # ☁️
    "#\ufe0f\u20e3",  # #️⃣
    "\U0001f44d",  # 👍
    "\u270c\ufe0f",  # ✌️
    "\u261d\ufe0f",  # ☝️
    "\u270b",  # ✋
)
"""Everyday emoji: signs, shapes, crosses of faith and of first aid, weather, hands."""


def render_emoji(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """The glyph as RGBA, cropped to its ink."""
    canvas = Image.new("RGBA", (4 * EMOJI_SIZE, 2 * EMOJI_SIZE), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((10, 10), text, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        raise ValueError(f"the emoji font has no glyph for {text!r}")
    return canvas.crop(box)


def _on(glyph: Image.Image, size: tuple[int, int], pad: float, bg: Colour) -> Image.Image:
    """The glyph scaled into ``size`` less the padding, centred on ``bg``."""
    side = round(min(size) * (1 - 2 * pad))
    scale = side / max(glyph.size)
    g = glyph.resize(
        (max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))),
        Image.Resampling.LANCZOS,
    )
    out = Image.new("RGBA", size, (*bg, 255))
    out.alpha_composite(g, ((size[0] - g.width) // 2, (size[1] - g.height) // 2))
    return out.convert("RGB")


EMOJI_VARIANTS: tuple[tuple[tuple[int, int], float, Colour, str], ...] = (
    ((136, 128), 0.0, WHITE, "png"),
    ((256, 256), 0.1, WHITE, "jpeg85"),
    ((64, 64), 0.05, WHITE, "jpeg70"),
    ((300, 300), 0.25, WHITE, "png"),
    ((200, 150), 0.1, DARK, "jpeg85"),
    ((128, 128), 0.1, PALE_BLUE, "png"),
)
"""(size, padding, background, encoding) of each emoji rendering."""


def emoji_available() -> bool:
    return EMOJI_FONT.exists()


def emoji_renders() -> Iterator[tuple[str, bytes]]:
    """Every emoji in every rendering: (name, bytes); nothing when the font is missing."""
    if not emoji_available():
        return
    font = ImageFont.truetype(str(EMOJI_FONT), EMOJI_SIZE)
    for text in EMOJI:
        glyph = render_emoji(text, font)
        code = "-".join(f"{ord(ch):04X}" for ch in text if ch != "\ufe0f")
        for size, pad, bg, encoding in EMOJI_VARIANTS:
            label = f"{size[0]}x{size[1]}-pad{pad:g}-on-{_NAMES[bg]}-{encoding}"
            yield f"emoji-U+{code}/{label}", encode(_on(glyph, size, pad, bg), encoding)


def common_shapes() -> list[tuple[str, bytes]]:
    """The whole set: figures, rectangle crosses, then emoji (when the font is installed)."""
    return [*figures(), *rectangle_crosses(), *emoji_renders()]


def contact_sheet(items: list[tuple[str, bytes]], cell: int = 96, columns: int = 16) -> Image.Image:
    """The images side by side, for a reviewer to look at."""
    rows = (len(items) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * cell, rows * cell), (128, 128, 128))
    for i, (_, data) in enumerate(items):
        img = Image.open(io.BytesIO(data)).convert("RGB")
        img.thumbnail((cell - 4, cell - 4))
        sheet.paste(img, ((i % columns) * cell + 2, (i // columns) * cell + 2))
    return sheet


if __name__ == "__main__":
    import sys

    shapes = common_shapes()
    print(f"{len(shapes)} images", file=sys.stderr)
    if len(sys.argv) > 1:
        contact_sheet(shapes).save(sys.argv[1])
