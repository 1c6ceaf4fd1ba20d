"""The release bundle format (`symbolenbank.json`): read it, and write it back into SQLite.

The bundle carries every entry with its patterns, sources, examples and images, the vocabularies
and the release row. `to_sqlite()` writes them back into the tables the matchers read (list values
as JSON text, as the build stores them), so `TextMatcher.from_db` and `ImageMatcher.from_db` work
unchanged; `matchers.knowledge` loads the matchers from it. Standard library only: this module
imports nothing else of `matchers` but its errors.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .errors import DatabaseError

BUNDLE_FORMAT = "symbolenbank-bundle"
SUPPORTED_VERSIONS = (1,)
BUNDLE_JSON = "symbolenbank.json"
#: The tables whose rows a bundle carries inside each entry record, in this order.
CHILD_TABLES = ("patterns", "sources", "examples", "images")
#: Columns a table has even when the bundle has no rows for it (the build's layout).
BASE_COLUMNS = {
    "entries": ("id", "title", "title_en", "kind", "assessment", "status", "visibility"),
    "patterns": ("id", "entry_id", "text", "is_emoji", "match", "lang", "note", "fuzzy"),
    "sources": ("id", "entry_id", "title", "url", "publisher", "accessed"),
    "examples": ("id", "entry_id", "text", "expect"),
    "images": (
        "id",
        "entry_id",
        "file",
        "phash",
        "dhash",
        "pdq",
        "pdq_quality",
        "note",
        "pdq_threshold",
        "pdq_confirm",
    ),  # fmt: skip
    "releases": ("version", "content_hash", "built_at", "git_commit"),
    "number_cues": ("id", "language", "position", "cue"),
}


class BundleError(DatabaseError):
    """A file or folder is not a readable Symbolenbank bundle; the message says why."""


def bundle_file(path: str | os.PathLike[str]) -> Path | None:
    """The bundle JSON that `path` names (the file itself or a release folder), else None."""
    p = Path(path)
    if p.is_dir() and (p / BUNDLE_JSON).is_file():
        return p / BUNDLE_JSON
    if p.is_file() and p.suffix == ".json":
        return p
    return None


def read_bundle(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and check a bundle's format marker and version."""
    p = bundle_file(path) or Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BundleError(f"{p}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise BundleError(f"{p}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
        raise BundleError(f'{p}: not a Symbolenbank bundle (no "format": "{BUNDLE_FORMAT}")')
    if doc.get("format_version") not in SUPPORTED_VERSIONS:
        raise BundleError(
            f"{p}: bundle format version {doc.get('format_version')!r} is not supported "
            f"(this library reads {SUPPORTED_VERSIONS}); upgrade the `symbolenbank` package"
        )
    if not isinstance(doc.get("entries"), list):
        raise BundleError(f"{p}: the bundle has no list of entries")
    return doc


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = list(BASE_COLUMNS.get(table, ("id",)))
    for row in rows:
        columns += [c for c in row if c not in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    conn.execute(f'create table "{table}" ({names})')
    marks = ", ".join("?" for _ in columns)
    conn.executemany(
        f'insert into "{table}" ({names}) values ({marks})',
        ([_cell(row.get(c)) for c in columns] for row in rows),
    )


def to_sqlite(doc: dict[str, Any], dest: str | os.PathLike[str] = ":memory:") -> sqlite3.Connection:
    """Write a parsed bundle into SQLite tables shaped like a build's (in memory by default)."""
    conn = sqlite3.connect(dest)
    entries: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = {t: [] for t in CHILD_TABLES}
    for entry in doc["entries"]:
        if not isinstance(entry, dict) or "id" not in entry:
            raise BundleError(f"bundle entry without an id: {str(entry)[:80]}")
        entries.append({k: v for k, v in entry.items() if k not in CHILD_TABLES})
        for table in CHILD_TABLES:
            for row in entry.get(table) or []:
                children[table].append(
                    {"id": len(children[table]) + 1, "entry_id": entry["id"], **row}
                )
    with conn:
        _insert(conn, "entries", entries)
        for table, rows in children.items():
            _insert(conn, table, rows)
        for name, items in (doc.get("vocab") or {}).items():
            _insert(conn, name, list(items))
        _insert(conn, "releases", [doc["release"]] if doc.get("release") else [])
    return conn


def materialize(
    path: str | os.PathLike[str], doc: dict[str, Any] | None = None
) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """Write the bundle at `path` to a temporary SQLite file the matchers can open by path.

    The matchers read everything into memory when they load, so the caller removes the file
    (`tmp.cleanup()`) as soon as they are built.
    """
    doc = doc if doc is not None else read_bundle(path)
    tmp = tempfile.TemporaryDirectory(prefix="symbolenbank-bundle-")
    db = Path(tmp.name) / "symbolenbank.db"
    try:
        memory = to_sqlite(doc)
        target = sqlite3.connect(db)
        memory.backup(target)
        target.close()
        memory.close()
    except sqlite3.Error as exc:
        tmp.cleanup()
        raise BundleError(f"{path}: cannot turn the bundle into tables ({exc})") from None
    return db, tmp


__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_JSON",
    "CHILD_TABLES",
    "BundleError",
    "bundle_file",
    "materialize",
    "read_bundle",
    "to_sqlite",
]
