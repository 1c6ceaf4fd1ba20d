"""Publication with Datasette: one configured instance for `serve` and for tests.

The site's pages are Datasette plugins in :mod:`symbolenbank.web`; its metadata, templates and
static files are in the `datasette/` folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.database import Database

from . import web
from .paths import data_dir, datasette_dir
from .web.auth import TOKEN_VAR, token_actors, token_digests
from .web.common import PUBLIC_NAME, RESTRICTED_NAME, Site, set_site

__all__ = [
    "PUBLIC_NAME",
    "RESTRICTED_NAME",
    "TOKEN_VAR",
    "load_metadata",
    "make_datasette",
    "serve",
    "token_actors",
]


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

    Actors authenticate with ``Authorization: Bearer <token>``, the tokens coming from the
    environment (:func:`symbolenbank.web.auth.token_actors`); only they can reach the
    restricted database (``allow`` in metadata.yml). Raises ValueError for a weak token. The
    only static mount is `datasette/static/`: the drawings in `data/images/` are served by
    :mod:`symbolenbank.web.drawings`, which checks who may see them. The site's plugins
    (:mod:`symbolenbank.web`) are registered on the first call.
    """
    folder = datasette_dir()
    images = (data or data_dir()) / "images"
    tokens = token_digests(token_actors())
    web.register()
    ds = Datasette(
        metadata=load_metadata(folder),
        template_dir=str(folder / "templates"),
        static_mounts=[("assets", str(folder / "static"))],
        settings={"default_page_size": 50, "sql_time_limit_ms": 2000, **(settings or {})},
    )
    set_site(ds, Site(images=images if images.is_dir() else None, token_digests=tokens))
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
