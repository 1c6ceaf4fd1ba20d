"""Read-only access to a built knowledge base with the standard library's sqlite3."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .errors import DatabaseError

REQUIRED_TABLES = ("entries", "patterns", "images")


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open a built database read-only; raise DatabaseError if it is missing or not ours."""
    p = Path(path)
    if not p.is_file():
        raise DatabaseError(f"{p}: no such database file; build one with `symbolenbank build`")
    uri = f"file:{quote(str(p.resolve()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{p}: not a readable SQLite database ({exc})") from exc
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        conn.close()
        raise DatabaseError(
            f"{p}: not a Symbolenbank database (missing tables: {', '.join(missing)})"
        )
    return conn
