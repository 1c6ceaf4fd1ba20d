"""Helpers shared by test modules (a test module never imports another)."""

from __future__ import annotations

import random

# -- posts for text scans at scale ---------------------------------------------------------------

SCALE_WORDS = (
    "de het een en van ik je dat die in is niet op te zijn met voor er maar om ook als dan bij "
    "the a and of to is in it you that was for on are with as be at this have from or one had"
).split()
SCALE_SIGNS = ["Sieg Heil", "s1eg h.e.i.l", "1488", "14/88", "omvolking", "#ZwarteZon", "baqiya"]


def scale_posts(n: int, seed: int = 7) -> list[str]:
    """`n` short Dutch and English posts of common words, a tenth with a sign of the shipped
    knowledge base in them (fixed seed)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choices(SCALE_WORDS, k=rng.randint(3, 40))
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words) + 1), rng.choice(SCALE_SIGNS))
        out.append(" ".join(words))
    return out
