"""Fixtures for the published site: a small knowledge base holding every case its pages show, a
drawing made here, and `symbolenbank serve` processes on loopback ports.

The site's tests build their cases here rather than look for them in the shipped data, so a case
the data happens to lack can never make a test skip. Loaded by conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"

DRAWN_ENTRY = textwrap.dedent(
    """\
    id: sample-drawn-sign
    title: Driehoeksteken (testitem)
    title_en: Triangle sign (test item)
    kind: symbol
    ideologies: [right-wing-extremism]
    languages: [nl]
    assessment: borderline
    summary: >-
      Een zwarte driehoek op een witte ondergrond, door het project getekend voor de tests van de
      website: de pagina van een teken met een referentietekening.
    summary_en: >-
      A black triangle on a white ground, drawn by the project for the tests of the website: the
      page of a sign with a reference drawing.
    benign_uses: Verkeersborden, wiskunde en logo's.
    benign_uses_en: Road signs, geometry and logos.
    patterns:
      - text: driehoeksteken
    examples:
      match:
        - "Een driehoeksteken op de muur gespoten"
        - "weer dat driehoeksteken in de chat"
      no_match:
        - "Een driehoek in de wiskundeles"
    images:
      - file: images/sample-drawn-sign.png
        note: Tekening van het project / project drawing (a black triangle).
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

CONTEXT_ENTRY = textwrap.dedent(
    """\
    id: sample-context-word
    title: Zorblat (testitem)
    title_en: Zorblat (test item)
    kind: codeword
    ideologies: [right-wing-extremism]
    languages: [nl]
    assessment: context
    summary: >-
      Een verzonnen codewoord voor de tests van de website: het betekent alleen iets samen met een
      ander signaal, dus zonder dat signaal is een treffer zwak.
    summary_en: >-
      A made-up code word for the tests of the website: it means something only together with
      another signal, so without that signal a match is weak.
    benign_uses: Meestal een gewoon woord.
    benign_uses_en: Usually an ordinary word.
    patterns:
      - text: zorblat
    context:
      requires_any: [kameraden]
    examples:
      match:
        - "zorblat, kameraden!"
        - "Kameraden, vanavond zorblat"
      no_match:
        - "Vandaag zag ik zorblat op straat."
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


def draw_triangle(path: Path) -> None:
    """A reference drawing made here: a black triangle on white, 256 x 256."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(image).polygon([(40, 216), (128, 40), (216, 216)], fill="black")
    image.save(path)


@dataclass(frozen=True)
class SiteCases:
    """A built knowledge base with an entry that shows a drawing and one with a context rule."""

    data: Path
    db: Path
    drawing_entry: str
    drawing_title: str
    drawing: Path
    """The drawing's file in `data`; its path in the database is `images/<name>`."""
    weak_entry: str
    weak_text: str
    """A text where only `weak_entry` matches, and only weakly: its context rule is not met."""


@pytest.fixture(scope="session")
def site_cases(tmp_path_factory: pytest.TempPathFactory) -> SiteCases:
    from symbolenbank.build import BuildError, build_database

    root = tmp_path_factory.mktemp("site")
    data = root / "data"
    shutil.copytree(DATA / "vocab", data / "vocab")
    (data / "entries").mkdir()
    (data / "images").mkdir()
    drawing = data / "images" / "sample-drawn-sign.png"
    draw_triangle(drawing)
    (data / "entries" / "sample-drawn-sign.yaml").write_text(DRAWN_ENTRY, encoding="utf-8")
    (data / "entries" / "sample-context-word.yaml").write_text(CONTEXT_ENTRY, encoding="utf-8")
    try:
        result = build_database(data, root / "build" / "symbolenbank.db")
    except BuildError as exc:
        pytest.fail("the site's test entries do not build:\n" + "\n".join(map(str, exc.problems)))
    return SiteCases(
        data=data,
        db=result.output,
        drawing_entry="sample-drawn-sign",
        drawing_title="Driehoeksteken (testitem)",
        drawing=drawing,
        weak_entry="sample-context-word",
        weak_text="Vandaag zag ik zorblat op straat.",
    )


@pytest.fixture
def site_cases_ds(site_cases: SiteCases):
    """The site, in process, on the knowledge base of `site_cases`."""
    from symbolenbank.publish import make_datasette

    return make_datasette(site_cases.db, data=site_cases.data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def start_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """Start `symbolenbank serve --db <db> [--data <data>]`; gives its base URL once it answers.

    Every server started stops when the test module is done. Its stderr goes to `log` (a new
    file in a temporary folder unless given), shown when the server fails to start.
    """
    running: list[subprocess.Popen[bytes]] = []

    def start(db: Path, *, data: Path | None = None, log: Path | None = None) -> str:
        port = _free_port()
        log = log or tmp_path_factory.mktemp("serve") / "serve.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "symbolenbank", "serve", "--db", str(db)]
        command += ["--data", str(data)] if data is not None else []
        with open(log, "wb") as stderr:
            proc = subprocess.Popen(
                command + ["--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        running.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited: {log.read_text()}")
            try:
                if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer in 30 s: {log.read_text()}")
            time.sleep(0.2)

    yield start
    for proc in running:
        proc.terminate()
    for proc in running:
        proc.wait(timeout=10)
