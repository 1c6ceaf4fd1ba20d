"""Publication with Datasette (SPEC §9): one configured instance for `serve` and for tests."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database

from .paths import data_dir, datasette_dir

PUBLIC_NAME = "symbolenbank"
RESTRICTED_NAME = "symbolenbank-restricted"
TOKEN_VAR = "SYMBOLENBANK_TOKEN"
"""Environment variable holding the token of the actor ``analyst``; ``SYMBOLENBANK_TOKEN_<NAME>``
holds the token of the actor ``<name>`` (lower case)."""
MIN_TOKEN_LENGTH = 16


def token_config(environ: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """datasette-auth-tokens entries for the token variables set in the environment.

    The metadata only names the variables (``{"$env": ...}``), so no token is ever shown by
    ``/-/metadata.json``; the plugin reads the value on each request.
    """
    environ = os.environ if environ is None else environ
    tokens = []
    for var in sorted(environ):
        if var == TOKEN_VAR:
            actor = "analyst"
        elif var.startswith(TOKEN_VAR + "_") and re.fullmatch(r"[A-Z0-9_]+", var):
            actor = var[len(TOKEN_VAR) + 1 :].lower()
        else:
            continue
        value = environ[var]
        if not value:
            continue
        if len(value) < MIN_TOKEN_LENGTH or re.search(r"\s", value):
            raise ValueError(
                f"${var}: a token must be at least {MIN_TOKEN_LENGTH} characters without spaces;"
                " make one with `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        tokens.append({"token": {"$env": var}, "actor": {"id": actor}})
    return tokens


def load_metadata(folder: Path | None = None) -> dict[str, Any]:
    folder = folder or datasette_dir()
    with open(folder / "metadata.yml", encoding="utf-8") as f:
        metadata: dict[str, Any] = yaml.safe_load(f)
    return metadata


def make_datasette(
    db: Path,
    restricted_db: Path | None = None,
    *,
    data: Path | None = None,
    settings: dict[str, Any] | None = None,
) -> Datasette:
    """A Datasette on `db` (and the restricted database, if given) in immutable mode.

    Actors authenticate with ``Authorization: Bearer <token>`` (datasette-auth-tokens), the
    tokens coming from the environment (:func:`token_config`); only they can reach the
    restricted database (``allow`` in metadata.yml). Raises ValueError for a weak token.
    """
    folder = datasette_dir()
    images = (data or data_dir()) / "images"
    static = [("assets", str(folder / "static"))]
    if images.is_dir():
        static.append(("images", str(images)))
    metadata = load_metadata(folder)
    metadata.setdefault("plugins", {})["datasette-auth-tokens"] = {"tokens": token_config()}
    ds = Datasette(
        metadata=metadata,
        template_dir=str(folder / "templates"),
        plugins_dir=str(folder / "plugins"),
        static_mounts=static,
        settings={"default_page_size": 50, "sql_time_limit_ms": 2000, **(settings or {})},
    )
    # Datasette adds an in-memory database when given no files; this one has none to offer.
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    # Named explicitly, so metadata, templates and links hold whatever the files are called.
    ds.add_database(Database(ds, path=str(db), is_mutable=False), name=PUBLIC_NAME)
    if restricted_db is not None and restricted_db.is_file():
        restricted = Database(ds, path=str(restricted_db), is_mutable=False)
        ds.add_database(restricted, name=RESTRICTED_NAME)
    return ds


def serve(ds: Datasette, host: str, port: int) -> None:
    """Run `ds` with uvicorn until interrupted, as `datasette serve` does."""
    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
