"""Shared fixtures: the shipped data, small data folders to break on purpose, built databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import DATA, SAMPLE_ENTRY

# The published site's fixtures: a knowledge base with its cases, `symbolenbank serve` processes.
pytest_plugins = ["web_fixtures"]


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
