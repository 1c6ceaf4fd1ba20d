"""`matchers.load()`: the text and image matchers of one built knowledge base."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .db import connect
from .errors import DatabaseError
from .image import ImageMatcher
from .text import TextMatcher

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

    def scan(self, text: str, **options: Any) -> list[Any]:
        """Shortcut for `self.text.scan(text, ...)`."""
        return self.text.scan(text, **options)

    def scan_image(self, image: Any, **options: Any) -> list[Any]:
        """Shortcut for `self.image.scan(image, ...)`."""
        return self.image.scan(image, **options)

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
        from .bundle import load_bundle

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
