"""What SQL sent to the published site may not call.

Anyone may run SQL on the public database. SQLite's `fts3_tokenizer(name)` answers with the
memory address of a tokenizer (and, where enabled, its two-argument form installs one from an
address), which tells an attacker where the server's code lies. SQLite's switch for it
(`SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER`) is out of reach from Python's sqlite3, so every
connection Datasette opens gets an authorizer that refuses the function when a statement is
prepared: whatever the spelling, the number of arguments or where in the statement it appears,
the statement fails with "not authorized". Full-text search does not call it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

DENIED_FUNCTIONS = frozenset({"fts3_tokenizer"})
"""SQL functions no published query may call (SQLite passes their names in lower case)."""


def authorizer(
    action: int, arg1: str | None, arg2: str | None, db_name: str | None, source: str | None
) -> int:
    """sqlite3 authorizer: deny a call of a function in DENIED_FUNCTIONS, allow the rest."""
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.set_authorizer(authorizer)
