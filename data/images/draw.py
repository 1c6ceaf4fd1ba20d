"""Draw the project's own reference drawings of symbols (data/images/<id>.png).

Every drawing is simple geometry (lines, polygons, circles) made here; nothing is copied from
elsewhere. Output is deterministic: 512x512, black on white, greyscale PNG. Drawings are made at
4x size and scaled down for smooth edges. Red or other colours are shown as diagonal hatching
where a flag needs a third tone; the entry's note describes the real colours.

Run:  python data/images/draw.py            (all drawings)
      python data/images/draw.py odal-rune  (one drawing)

One file of some 600 lines on purpose: one short drawing function per symbol, so a reviewer
sees every drawing the project ships in one place.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512
SCALE = 4
S = SIZE * SCALE
BLACK = 0
WHITE = 255
HERE = Path(__file__).resolve().parent

DRAWINGS = {}


def drawing(name):
    def register(func):
        DRAWINGS[name] = func
        return func

    return register


def P(x, y):
    """Scale a point given in 512-space to the supersampled canvas."""
    return (x * SCALE, y * SCALE)


class Pen:
    def __init__(self, draw: ImageDraw.ImageDraw):
        self.d = draw

    def line(self, points, width, fill=BLACK, round_ends=True):
        """A thick polyline with round joins (and round ends unless told otherwise)."""
        pts = [P(*p) for p in points]
        w = width * SCALE
        for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy) or 1
            nx, ny = -dy / length * w / 2, dx / length * w / 2
            self.d.polygon(
                [(x1 + nx, y1 + ny), (x2 + nx, y2 + ny), (x2 - nx, y2 - ny), (x1 - nx, y1 - ny)],
                fill=fill,
            )
        joints = pts if round_ends else pts[1:-1]
        for x, y in joints:
            self.d.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=fill)

    def poly(self, points, fill=BLACK, outline=None, width=0):
        self.d.polygon([P(*p) for p in points], fill=fill)
        if outline is not None:
            self.line(list(points) + [points[0]], width, fill=outline)

    def disc(self, cx, cy, r, fill=BLACK):
        self.d.ellipse([P(cx - r, cy - r), P(cx + r, cy + r)], fill=fill)

    def ring(self, cx, cy, r, width, fill=BLACK):
        self.d.ellipse(
            [P(cx - r, cy - r), P(cx + r, cy + r)], outline=fill, width=round(width * SCALE)
        )

    def rect(self, x1, y1, x2, y2, fill=BLACK):
        self.d.rectangle([P(x1, y1), P(x2, y2)], fill=fill)

    def frame(self, x1, y1, x2, y2, width):
        self.line([(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)], width, round_ends=False)

    def hatch(self, x1, y1, x2, y2, step=14, width=3):
        """Diagonal hatching clipped to a rectangle (stands for a colour such as red)."""
        layer = Image.new("L", (S, S), 0)
        ld = ImageDraw.Draw(layer)
        for k in range(-SIZE, SIZE * 2, step):
            ld.line([P(k, 0), P(k + SIZE, SIZE)], fill=255, width=width * SCALE)
        mask = Image.new("L", (S, S), 0)
        ImageDraw.Draw(mask).rectangle([P(x1, y1), P(x2, y2)], fill=255)
        from PIL import ImageChops

        layer = ImageChops.multiply(layer, mask)
        self.d._image.paste(BLACK, (0, 0), layer)

    def star(self, cx, cy, r_out, r_in=None, points=5, rotation=-90.0, fill=BLACK):
        r_in = r_in if r_in is not None else r_out * 0.4
        pts = []
        for i in range(points * 2):
            r = r_out if i % 2 == 0 else r_in
            a = math.radians(rotation + i * 180 / points)
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        self.poly(pts, fill=fill)


def rot(points, angle_deg, cx=256, cy=256):
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    return [
        (cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in points
    ]


def polar(r, angle_deg, cx=256, cy=256):
    a = math.radians(angle_deg)
    return (cx + r * math.cos(a), cy + r * math.sin(a))


# --- runes -------------------------------------------------------------------------------------

W_RUNE = 34


@drawing("odal-rune")
def odal_rune(p: Pen):
    # Othala with "wings" (feet bent outwards): the variant used by the Wiking-Jugend and SS units.
    p.line([(256, 52), (146, 196), (360, 404), (430, 404)], W_RUNE)
    p.line([(256, 52), (366, 196), (152, 404), (82, 404)], W_RUNE)


@drawing("wolfsangel")
def wolfsangel(p: Pen):
    p.line([(256, 56), (256, 456)], W_RUNE)
    p.line([(256, 56), (176, 150)], W_RUNE)
    p.line([(256, 456), (336, 362)], W_RUNE)
    p.line([(186, 256), (326, 256)], W_RUNE)


@drawing("levensrune")
def levensrune(p: Pen):
    p.line([(256, 60), (256, 456)], W_RUNE)
    p.line([(256, 230), (140, 80)], W_RUNE)
    p.line([(256, 230), (372, 80)], W_RUNE)


@drawing("todesrune")
def todesrune(p: Pen):
    p.line([(256, 56), (256, 452)], W_RUNE)
    p.line([(256, 282), (140, 432)], W_RUNE)
    p.line([(256, 282), (372, 432)], W_RUNE)


@drawing("tyr-rune")
def tyr_rune(p: Pen):
    p.line([(256, 60), (256, 456)], W_RUNE)
    p.line([(256, 60), (150, 200)], W_RUNE)
    p.line([(256, 60), (362, 200)], W_RUNE)


@drawing("hagal-rune")
def hagal_rune(p: Pen):
    # Armanen form: six arms (vertical stave crossed by two diagonals).
    p.line([(256, 56), (256, 456)], W_RUNE)
    p.line([(96, 140), (416, 372)], W_RUNE)
    p.line([(416, 140), (96, 372)], W_RUNE)


def sig_rune(p: Pen, dx: float, scale: float = 1.0):
    pts = [(60, -190), (-55, 10), (55, 10), (-60, 190)]
    p.line([(256 + dx + x * scale, 256 + y * scale) for x, y in pts], 40 * scale)


@drawing("ss-runen")
def ss_runen(p: Pen):
    sig_rune(p, -80)
    sig_rune(p, 80)


@drawing("the-base-logo")
def the_base_logo(p: Pen):
    # Three Eihwaz runes side by side (generic rune shapes only).
    for dx in (-140, 0, 140):
        x = 256 + dx
        p.line([(x + 50, 170), (x, 120), (x, 390), (x - 50, 340)], 28)


# --- sun symbols, crosses ------------------------------------------------------------------------


@drawing("zwarte-zon")
def zwarte_zon(p: Pen):
    p.disc(256, 256, 46)
    for i in range(12):
        a = i * 30
        pts = [polar(40, a), polar(120, a), polar(150, a - 14), polar(228, a - 14)]
        p.line(pts, 20)
    p.ring(256, 256, 232, 8)


@drawing("keltisch-kruis")
def keltisch_kruis(p: Pen):
    p.ring(256, 256, 150, 44)
    p.rect(226, 46, 286, 466)
    p.rect(46, 226, 466, 286)


@drawing("ijzeren-kruis")
def ijzeren_kruis(p: Pen):
    def arms(outer, inner, half_in, half_out, fill):
        for a in (0, 90, 180, 270):
            pts = [
                (256 - half_in, 256 - inner),
                (256 + half_in, 256 - inner),
                (256 + half_out, 256 - outer),
                (256 - half_out, 256 - outer),
            ]
            p.poly(rot(pts, a), fill=fill)

    arms(226, 0, 40, 104, BLACK)
    # thin white inner border, as on the classic design
    arms(208, 0, 27, 86, WHITE)
    arms(198, 0, 19, 76, BLACK)


@drawing("kruisvaarderskruis")
def kruisvaarderskruis(p: Pen):
    # Jerusalem cross: cross potent with four small crosses.
    p.rect(232, 70, 280, 442)
    p.rect(70, 232, 442, 280)
    for x1, y1, x2, y2 in (
        (190, 62, 322, 100),
        (190, 412, 322, 450),
        (62, 190, 100, 322),
        (412, 190, 450, 322),
    ):
        p.rect(x1, y1, x2, y2)
    for cx, cy in ((146, 146), (366, 146), (146, 366), (366, 366)):
        p.rect(cx - 12, cy - 48, cx + 12, cy + 48)
        p.rect(cx - 48, cy - 12, cx + 48, cy + 12)


@drawing("pijlkruis")
def pijlkruis(p: Pen):
    for a in (0, 90, 180, 270):
        shaft = [(236, 256), (276, 256), (276, 150), (236, 150)]
        head = [(256, 50), (316, 150), (196, 150)]
        p.poly(rot(shaft, a))
        p.poly(rot(head, a))
    p.rect(236, 236, 276, 276)


@drawing("kkk-bloeddruppelkruis")
def kkk_bloeddruppelkruis(p: Pen):
    p.disc(256, 256, 216)
    p.rect(222, 70, 290, 442, fill=WHITE)
    p.rect(100, 184, 412, 252, fill=WHITE)
    # drop where the arms meet
    p.disc(256, 236, 26)
    p.poly([(232, 226), (280, 226), (256, 178)])


@drawing("triskele")
def triskele(p: Pen):
    p.ring(256, 256, 220, 16)
    for a in (-90, 30, 150):
        p.line([(256, 256), polar(150, a), polar(185, a + 26)], 46)
    p.disc(256, 256, 36)


@drawing("hakenkruis")
def hakenkruis(p: Pen):
    arm = [(256, 256), (256, 96), (376, 96)]
    for a in (0, 90, 180, 270):
        p.line(rot(rot(arm, a), 45), 52, round_ends=False)
    p.rect(230, 230, 282, 282)


@drawing("swastika")
def swastika(p: Pen):
    # Upright form with four dots, as used in Hindu and Jain worship.
    arm = [(256, 256), (256, 96), (396, 96)]
    for a in (0, 90, 180, 270):
        p.line(rot(arm, a), 34, round_ends=False)
    for cx, cy in ((176, 176), (336, 176), (176, 336), (336, 336)):
        p.disc(cx, cy, 22)


@drawing("valknut")
def valknut(p: Pen):
    def tri(cx, cy, r, a0):
        return [polar(r, a0 + k * 120, cx, cy) for k in range(3)]

    for cx, cy in ((256, 196), (200, 292), (312, 292)):
        pts = tri(cx, cy, 150, -90)
        p.line(pts + [pts[0]], 18)


@drawing("mjolnir")
def mjolnir(p: Pen):
    # Pendant form: ring, short handle, flared head pointing down.
    p.ring(256, 72, 28, 14)
    p.rect(236, 98, 276, 250)
    p.poly([(186, 240), (326, 240), (412, 410), (384, 452), (128, 452), (100, 410)])


@drawing("hammerskins-hamers")
def hammerskins_hamers(p: Pen):
    def hammer(angle):
        handle = [(244, 150), (268, 150), (268, 470), (244, 470)]
        head = [(196, 80), (316, 80), (316, 150), (196, 150)]
        p.poly(rot(handle, angle))
        p.poly(rot(head, angle))

    hammer(-32)
    hammer(32)


@drawing("totenkopf")
def totenkopf(p: Pen):
    # Generic skull over crossed bones (simplified; no unit insignia).
    for (x1, y1), (x2, y2) in (((116, 330), (396, 470)), ((396, 330), (116, 470))):
        p.line([(x1, y1), (x2, y2)], 36)
        for x, y in ((x1, y1), (x2, y2)):
            dx = 1 if x < 256 else -1
            p.disc(x - dx * 4, y - 16, 22)
            p.disc(x - dx * 4, y + 16, 22)
    p.disc(256, 190, 128, fill=WHITE)
    p.d.rounded_rectangle([P(186, 250), P(326, 372)], radius=30 * SCALE, fill=WHITE)
    p.disc(256, 190, 118)
    p.d.rounded_rectangle([P(194, 250), P(318, 362)], radius=26 * SCALE, fill=BLACK)
    p.disc(210, 200, 34, fill=WHITE)
    p.disc(302, 200, 34, fill=WHITE)
    p.poly([(256, 238), (238, 280), (274, 280)], fill=WHITE)
    for x in (222, 244, 268, 290):
        p.rect(x - 3, 312, x + 3, 360, fill=WHITE)


@drawing("st-michaelskruis")
def st_michaelskruis(p: Pen):
    # Three vertical and three horizontal bars in a grid ("prison bars" cross).
    for c in (176, 256, 336):
        p.rect(c - 18, 70, c + 18, 442)
        p.rect(70, c - 18, 442, c + 18)


@drawing("ustasa-u")
def ustasa_u(p: Pen):
    # Generic elements only: a large letter U with a round grenade shape inside.
    p.line([(120, 70), (120, 300)], 56, round_ends=False)
    p.line([(392, 70), (392, 300)], 56, round_ends=False)
    p.d.arc([P(120 - 28, 300 - 164), P(392 + 28, 300 + 164)], 0, 180, fill=BLACK, width=56 * SCALE)
    p.disc(256, 300, 70)
    p.rect(236, 206, 276, 236)
    for a in (-130, -90, -50):
        p.line([polar(80, a, 256, 206), polar(120, a, 256, 206)], 10)


@drawing("rode-ster")
def rode_ster(p: Pen):
    p.star(256, 270, 220, 88)


@drawing("gebalde-vuist")
def gebalde_vuist(p: Pen):
    # Raised fist seen from the front: four curled fingers above a wrist.
    p.rect(196, 330, 316, 470)
    p.d.rounded_rectangle([P(150, 170), P(362, 360)], radius=50 * SCALE, fill=BLACK)
    for x in (203, 256, 309):
        p.rect(x - 2, 176, x + 2, 262, fill=WHITE)
    p.d.rounded_rectangle([P(158, 262), P(300, 312)], radius=24 * SCALE, fill=BLACK)
    p.line([(170, 262), (296, 262)], 4, fill=WHITE)
    p.line([(170, 312), (296, 312)], 4, fill=WHITE)


# --- flags ---------------------------------------------------------------------------------

FX1, FY1, FX2, FY2 = 36, 106, 476, 406  # 3:2-ish flag area (440 x 300)


@drawing("reichskriegsflagge")
def reichskriegsflagge(p: Pen):
    # Imperial war ensign 1903-1919 (simplified): white field, black cross with white edging,
    # black-white-red canton with an iron cross, medallion in the centre. Red = hatching.
    p.frame(FX1, FY1, FX2, FY2, 6)
    cx, cy = 206, 256
    p.rect(FX1, cy - 26, FX2, cy + 26)
    p.rect(cx - 26, FY1, cx + 26, FY2)
    p.rect(FX1, FY1, cx - 40, cy - 40, fill=WHITE)
    p.frame(FX1, FY1, cx - 40, cy - 40, 4)
    h = (cy - 40 - FY1) / 3
    p.rect(FX1, FY1, cx - 40, FY1 + h)
    p.hatch(FX1, FY1 + 2 * h, cx - 40, cy - 40, step=10, width=3)
    mx, my = (FX1 + cx - 40) / 2, FY1 + 1.5 * h
    p.rect(mx - 7, my - 18, mx + 7, my + 18)
    p.rect(mx - 18, my - 7, mx + 18, my + 7)
    p.disc(cx, cy, 54, fill=WHITE)
    p.ring(cx, cy, 54, 8)
    p.disc(cx, cy, 24)


@drawing("zwart-wit-rode-vlag")
def zwart_wit_rode_vlag(p: Pen):
    p.frame(FX1, FY1, FX2, FY2, 6)
    h = (FY2 - FY1) / 3
    p.rect(FX1, FY1, FX2, FY1 + h)
    p.hatch(FX1, FY1 + 2 * h, FX2, FY2, step=12, width=4)


@drawing("kekistan-vlag")
def kekistan_vlag(p: Pen):
    # Layout modelled on a war ensign: cross with edging, canton, centre disc with "KEK".
    # Green is shown as hatching.
    p.hatch(FX1, FY1, FX2, FY2, step=12, width=3)
    p.frame(FX1, FY1, FX2, FY2, 6)
    cx, cy = 206, 256
    p.rect(FX1, cy - 36, FX2, cy + 36, fill=WHITE)
    p.rect(cx - 36, FY1, cx + 36, FY2, fill=WHITE)
    p.rect(FX1, cy - 24, FX2, cy + 24)
    p.rect(cx - 24, FY1, cx + 24, FY2)
    p.rect(FX1 + 3, FY1 + 3, cx - 40, cy - 40, fill=WHITE)
    p.frame(FX1, FY1, cx - 40, cy - 40, 4)
    p.disc(cx, cy, 66, fill=WHITE)
    p.ring(cx, cy, 66, 8)
    # letters K E K in strokes
    k = 6
    for x0 in (cx - 50, cx + 22):
        p.line([(x0, cy - 24), (x0, cy + 24)], k)
        p.line([(x0 + 26, cy - 24), (x0 + 2, cy), (x0 + 26, cy + 24)], k)
    p.line([(cx - 12, cy - 24), (cx - 12, cy + 24)], k)
    for yy in (cy - 24, cy, cy + 24):
        p.line([(cx - 12, yy), (cx + 10, yy)], k)


@drawing("confederatievlag")
def confederatievlag(p: Pen):
    p.frame(FX1, FY1, FX2, FY2, 6)
    p.line([(FX1, FY1), (FX2, FY2)], 60, round_ends=False)
    p.line([(FX1, FY2), (FX2, FY1)], 60, round_ends=False)
    p.rect(FX2 + 3, FY1 - 40, FX2 + 60, FY2 + 40, fill=WHITE)
    p.rect(FX1 - 60, FY1 - 40, FX1 - 3, FY2 + 40, fill=WHITE)
    p.rect(FX1 - 40, FY1 - 60, FX2 + 40, FY1 - 3, fill=WHITE)
    p.rect(FX1 - 40, FY2 + 3, FX2 + 40, FY2 + 60, fill=WHITE)
    p.frame(FX1, FY1, FX2, FY2, 6)
    cx, cy = 256, 256
    p.star(cx, cy, 16, fill=WHITE)
    dxu, dyu = (FX2 - FX1) / 2 / 3.6, (FY2 - FY1) / 2 / 3.6
    for k in (1, 2, 3):
        for sx, sy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            p.star(cx + sx * k * dxu, cy + sy * k * dyu, 14, fill=WHITE)


@drawing("vinland-vlag")
def vinland_vlag(p: Pen):
    # Green field (hatching), black Nordic cross edged in white.
    p.hatch(FX1, FY1, FX2, FY2, step=12, width=3)
    p.frame(FX1, FY1, FX2, FY2, 6)
    cx, cy = 196, 256
    p.rect(FX1, cy - 44, FX2, cy + 44, fill=WHITE)
    p.rect(cx - 44, FY1, cx + 44, FY2, fill=WHITE)
    p.rect(FX1, cy - 28, FX2, cy + 28)
    p.rect(cx - 28, FY1, cx + 28, FY2)
    p.frame(FX1, FY1, FX2, FY2, 6)


@drawing("pkk-vlag")
def pkk_vlag(p: Pen):
    # Red field with a yellow disc edged in green and a red star: shown as outline disc and star.
    p.frame(FX1, FY1, FX2, FY2, 6)
    p.ring(256, 256, 112, 14)
    p.ring(256, 256, 94, 4)
    p.star(256, 262, 84, 34)


@drawing("antifa-vlag")
def antifa_vlag(p: Pen):
    p.ring(256, 256, 210, 30)

    def flag(x0, y0, fill_hatch):
        pole = [(x0, y0 + 250), (x0 + 90, y0)]
        cloth = [(x0 + 90, y0), (x0 + 240, y0 + 40), (x0 + 190, y0 + 170), (x0 + 45, y0 + 125)]
        p.line(pole, 12)
        if fill_hatch:
            p.poly(cloth, fill=WHITE, outline=BLACK, width=8)
            xs = [q[0] for q in cloth]
            ys = [q[1] for q in cloth]
            mask = Image.new("L", (S, S), 0)
            ImageDraw.Draw(mask).polygon([P(*q) for q in cloth], fill=255)
            layer = Image.new("L", (S, S), 0)
            ld = ImageDraw.Draw(layer)
            for k in range(-SIZE, SIZE * 2, 12):
                ld.line([P(k, 0), P(k + SIZE, SIZE)], fill=255, width=3 * SCALE)
            from PIL import ImageChops

            p.d._image.paste(BLACK, (0, 0), ImageChops.multiply(layer, mask))
            del xs, ys
        else:
            p.poly(cloth)

    flag(150, 110, False)  # black flag behind
    flag(106, 160, True)  # red flag in front (hatched)
    # lettering band left out on purpose; the two flags in a ring are the identifying element


@drawing("three-percenters-iii")
def three_percenters(p: Pen):
    for x in (196, 256, 316):
        p.rect(x - 18, 176, x + 18, 336)
    p.rect(160, 160, 352, 184)
    p.rect(160, 328, 352, 352)
    for i in range(13):
        cx, cy = polar(196, -90 + i * 360 / 13)
        p.star(cx, cy, 20)


@drawing("anarchie-a")
def anarchie_a(p: Pen):
    p.ring(256, 270, 170, 24)
    p.line([(120, 470), (256, 50), (392, 470)], 36)
    p.line([(150, 300), (362, 300)], 30)


@drawing("identitaire-lambda")
def identitaire_lambda(p: Pen):
    p.disc(256, 256, 220)
    p.line([(150, 410), (256, 150)], 46, fill=WHITE)
    p.line([(216, 96), (372, 410)], 46, fill=WHITE)


@drawing("hamer-en-sikkel")
def hamer_en_sikkel(p: Pen):
    # sickle: blade as a thick arc, handle to the lower left
    p.d.arc([P(120, 90), P(400, 370)], 200, 470, fill=BLACK, width=36 * SCALE)
    p.line([(212, 352), (140, 440)], 36)
    # hammer: head upper left, handle to the lower right, crossing the sickle handle
    (x0, y0), (x1, y1) = (170, 180), (392, 442)
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    vx, vy = uy, -ux
    p.line([(x0, y0), (x1, y1)], 32)
    hw, ht = 78, 30
    p.poly(
        [
            (x0 + vx * hw - ux * ht, y0 + vy * hw - uy * ht),
            (x0 + vx * hw + ux * ht, y0 + vy * hw + uy * ht),
            (x0 - vx * hw + ux * ht, y0 - vy * hw + uy * ht),
            (x0 - vx * hw - ux * ht, y0 - vy * hw - uy * ht),
        ]
    )


@drawing("qanon-q")
def qanon_q(p: Pen):
    p.ring(256, 240, 150, 48)
    p.line([(300, 300), (420, 460)], 50)


# --- hands ---------------------------------------------------------------------------------------


def palm(p: Pen, fill=BLACK):
    p.d.rounded_rectangle([P(150, 250), P(370, 460)], radius=60 * SCALE, fill=fill)


def finger(p: Pen, x, top, width=46, bottom=300, fill=BLACK):
    p.d.rounded_rectangle(
        [P(x - width / 2, top), P(x + width / 2, bottom)], radius=width / 2 * SCALE, fill=fill
    )


def curled(p: Pen, x, fill=BLACK):
    p.d.rounded_rectangle([P(x - 26, 230), P(x + 26, 320)], radius=24 * SCALE, fill=fill)


def hand_outline(p: Pen, fingers_up, curled_x, thumb="folded"):
    """Draw a hand as black silhouette with thin white gaps between fingers."""
    palm(p)
    for x in curled_x:
        curled(p, x)
    for x, top in fingers_up:
        finger(p, x, top)
    # white gaps so single fingers read clearly
    for x in (196, 244, 292):
        p.rect(x - 1, 230, x + 1, 300, fill=WHITE)
    if thumb == "folded":
        p.d.rounded_rectangle([P(130, 320), P(270, 370)], radius=24 * SCALE, fill=BLACK)
        p.line([(150, 318), (268, 318)], 4, fill=WHITE)


@drawing("tawhid-vinger")
def tawhid_vinger(p: Pen):
    hand_outline(p, fingers_up=[(174, 40)], curled_x=(220, 268, 316, 350))


@drawing("rabia-teken")
def rabia_teken(p: Pen):
    hand_outline(p, fingers_up=[(174, 70), (222, 50), (270, 56), (320, 90)], curled_x=())


@drawing("grijze-wolven-groet")
def grijze_wolven_groet(p: Pen):
    # Index and little finger raised ("ears"); middle and ring finger bent onto the thumb
    # ("snout"), seen from the front.
    palm(p)
    finger(p, 174, 60)
    finger(p, 338, 80)
    p.d.rounded_rectangle([P(204, 190), P(308, 300)], radius=40 * SCALE, fill=BLACK)
    p.rect(255, 196, 257, 262, fill=WHITE)
    p.d.arc([P(196, 230), P(316, 330)], 200, 340, fill=WHITE, width=4 * SCALE)
    for x in (198, 314):
        p.rect(x - 1, 220, x + 1, 300, fill=WHITE)


def render(name: str) -> Image.Image:
    img = Image.new("L", (S, S), WHITE)
    DRAWINGS[name](Pen(ImageDraw.Draw(img)))
    return img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> None:
    names = argv or list(DRAWINGS)
    for name in names:
        out = HERE / f"{name}.png"
        render(name).save(out, format="PNG", optimize=True)
        print(out.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    main(sys.argv[1:])
