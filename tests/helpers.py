"""Helpers the test modules share (test modules never import one another)."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Data folders: the shipped data, a sample entry, and edits to make small data folders

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

SAMPLE_ENTRY = textwrap.dedent(
    """\
    # yaml-language-server: $schema=../../schema/entry.schema.json
    id: sample-sieg-heil
    title: Sieg Heil (testitem)
    title_en: Sieg Heil (test item)
    kind: slogan
    ideologies: [right-wing-extremism]
    languages: [de]
    assessment: illegal
    summary: >-
      Nazistische groet uit het Derde Rijk; wordt in neonazistische kringen gebruikt als
      verheerlijking van het nationaalsocialisme.
    summary_en: >-
      Nazi salute from the Third Reich; used in neo-Nazi circles to glorify National Socialism
      and its leader.
    patterns:
      - text: sieg heil
    exceptions: [sieg heilig]
    examples:
      match:
        - "Sieg Heil kameraden!"
        - "s1eg h.e.i.l"
      no_match:
        - "Een heilige zege voor het team"
    sources:
      - title: Example source
        url: https://example.org/source
        publisher: Example
        accessed: 2026-11-25
    status: active
    added: 2026-11-25
    updated: 2026-11-25
    """
)

#: An entry like SAMPLE_ENTRY but `visibility: restricted`, with the drawing images/qorvex.png.
RESTRICTED_ENTRY = (
    SAMPLE_ENTRY.replace("id: sample-sieg-heil", "id: sample-restricted-code")
    .replace("Sieg Heil (testitem)", "Qorvex (testitem)")
    .replace("Sieg Heil (test item)", "Qorvex (test item)")
    .replace("kind: slogan", "kind: codeword")
    .replace("- text: sieg heil", "- text: qorvex")
    .replace("exceptions: [sieg heilig]", "exceptions: [qorvexia]")
    .replace('"Sieg Heil kameraden!"', '"meet at qorvex tonight"')
    .replace('"s1eg h.e.i.l"', '"Q0RVEX is go"')
    .replace('"Een heilige zege voor het team"', '"the quorum vexed us"')
    .replace("status: active", "status: active\nvisibility: restricted")
    .replace("sources:", "images:\n  - file: images/qorvex.png\nsources:", 1)
)

NEW_ENTRY = """\
id: {id}
title: Blut und Boden ({id})
title_en: Blood and Soil
kind: slogan
ideologies: [right-wing-extremism]
languages: [de]
assessment: illegal
summary: >-
  Leus uit de nazitijd die in neonazistische kringen wordt gebruikt om bloed en bodem als basis
  van het volk te verheerlijken.
summary_en: >-
  Nazi-era slogan used in neo-Nazi circles to glorify blood and soil as the foundation of the
  people and the nation.
patterns:
  - text: {pattern}
exceptions: [heilig]
examples:
  match: ["{pattern} kameraden", "#{pattern}"]
  no_match: ["Bloed op de bodem"]
sources:
  - title: Source
    url: https://example.org/{id}
    publisher: Example
    accessed: 2026-11-25
status: active
added: 2026-11-25
updated: 2026-11-25
"""

PHASH = "f0e1d2c3b4a59687"
HASH_ENTRY = """\
images:
  - phash: "{phash}"
    note: hash of material that is not published
"""


def add_entry(data: Path, entry_id: str, pattern: str, assessment: str = "illegal") -> None:
    """A valid entry `entry_id` with one pattern, in the data folder `data` (an everyday word
    as pattern needs a tier below `illegal`, or a context rule)."""
    text = NEW_ENTRY.format(id=entry_id, pattern=pattern)
    text = text.replace("assessment: illegal", f"assessment: {assessment}")
    (data / "entries" / f"{entry_id}.yaml").write_text(text, encoding="utf-8")


def edit_sample(data: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in the sample entry of `data`."""
    path = data / "entries" / "sample-sieg-heil.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def add_hash(data: Path) -> None:
    """Give the sample entry an image hash, so the release has a hash list to export."""
    edit_sample(data, "status: active", HASH_ENTRY.format(phash=PHASH) + "status: active")


# ---------------------------------------------------------------------------------------------
# Posts for text scans at scale

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
