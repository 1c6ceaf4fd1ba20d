"""Shared fixtures: the shipped data, small data folders to break on purpose, built databases."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

# The published site's fixtures: a knowledge base with its cases, `symbolenbank serve` processes.
pytest_plugins = ["web_fixtures"]

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


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A data folder with the shipped vocabularies and one valid entry."""
    root = tmp_path / "data"
    shutil.copytree(DATA / "vocab", root / "vocab")
    (root / "entries").mkdir()
    (root / "images").mkdir()
    (root / "entries" / "sample-sieg-heil.yaml").write_text(SAMPLE_ENTRY, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The shipped data built once for the session: (public db, restricted db)."""
    from symbolenbank.build import build_database

    out = tmp_path_factory.mktemp("build")
    result = build_database(
        DATA, out / "symbolenbank.db", restricted_output=out / "symbolenbank-restricted.db"
    )
    return result


@pytest.fixture(scope="session")
def db_path(built) -> Path:
    return built.output
