"""`matchers.load()`: the text and image matchers of one built knowledge base.

A knowledge base is a built SQLite file or a release bundle (`symbolenbank.json`, or the release
folder that holds it); `matchers.bundle` reads the bundle format, this module loads from it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .bundle import bundle_file, materialize, read_bundle
from .db import connect
from .errors import DatabaseError
from .image import ImageMatch, ImageMatcher
from .imaging import ImageSource
from .text import TextMatch, TextMatcher

M = TypeVar("M")

ENV_VAR = "SYMBOLENBANK_DB"
BUNDLED = Path(__file__).resolve().parent / "kb" / "symbolenbank.db"
CHECKOUT_BUILD = Path(__file__).resolve().parent.parent / "build" / "symbolenbank.db"


def default_db_path() -> Path:
    """`$SYMBOLENBANK_DB`, else the database shipped with the package, else a checkout's build."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    for candidate in (BUNDLED, CHECKOUT_BUILD):
        if candidate.is_file():
            return candidate
    raise DatabaseError(
        "no knowledge base found: install the `symbolenbank` wheel, set $SYMBOLENBANK_DB, "
        "or run `symbolenbank build` in a checkout"
    )


class KnowledgeBase:
    """A built knowledge base: `.text` and `.image` matchers and the release it came from."""

    def __init__(self, path: Path, text: TextMatcher, image: ImageMatcher, release: dict[str, Any]):
        self.path = path
        self.text = text
        self.image = image
        self.release = release

    def scan(
        self,
        text: str,
        *,
        include_weak: bool = False,
        fuzzy: bool = False,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> list[TextMatch]:
        """Shortcut for `self.text.scan(text, ...)` with the same options."""
        return self.text.scan(
            text, include_weak, fuzzy,
            kinds=kinds, exclude_kinds=exclude_kinds, min_assessment=min_assessment,
        )  # fmt: skip

    def scan_image(
        self,
        image: ImageSource,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> list[ImageMatch]:
        """Shortcut for `self.image.scan(image, ...)` with the same options."""
        return self.image.scan(
            image, kinds=kinds, exclude_kinds=exclude_kinds, min_assessment=min_assessment
        )

    def __repr__(self) -> str:
        version = self.release.get("version", "?")
        digest = str(self.release.get("content_hash", "?"))[:12]
        return f"<KnowledgeBase {self.path} version={version} hash={digest}>"


def load(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Load the text and image matchers of `path` (default: see `default_db_path`).

    `path` may also be a release bundle: its `symbolenbank.json` or the folder holding it.
    """
    db_path = Path(path) if path is not None else default_db_path()
    if db_path.suffix == ".json" or db_path.is_dir():
        return load_bundle(db_path)
    conn = connect(db_path)
    try:
        row = conn.execute("select * from releases limit 1").fetchone()
    finally:
        conn.close()
    release = dict(row) if row else {}
    return KnowledgeBase(
        db_path, TextMatcher.from_db(db_path), ImageMatcher.from_db(db_path), release
    )


def load_bundle(path: str | os.PathLike[str]) -> KnowledgeBase:
    """A `KnowledgeBase` from a bundle JSON file or a release folder that holds one."""
    doc_path = bundle_file(path) or Path(path)
    doc = read_bundle(doc_path)
    db, tmp = materialize(doc_path, doc)
    try:
        text, image = TextMatcher.from_db(db), ImageMatcher.from_db(db)
    finally:
        tmp.cleanup()
    return KnowledgeBase(doc_path, text, image, dict(doc.get("release") or {}))


def bundle_text_matcher(path: str | os.PathLike[str]) -> TextMatcher:
    """Only the `TextMatcher` of a bundle."""
    return _from_bundle(path, TextMatcher.from_db)


def bundle_image_matcher(path: str | os.PathLike[str]) -> ImageMatcher:
    """Only the `ImageMatcher` of a bundle."""
    return _from_bundle(path, ImageMatcher.from_db)


def _from_bundle(path: str | os.PathLike[str], from_db: Callable[[Path], M]) -> M:
    """A matcher built from a bundle, through a temporary database removed afterwards."""
    db, tmp = materialize(path)
    try:
        return from_db(db)
    finally:
        tmp.cleanup()
