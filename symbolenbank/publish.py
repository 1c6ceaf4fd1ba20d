"""Publication with Datasette (SPEC §9): one configured instance for `serve` and for tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette

from .paths import data_dir, datasette_dir

RESTRICTED_NAME = "symbolenbank-restricted"


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
    """A Datasette on `db` (and the restricted database, if given) in immutable mode."""
    folder = datasette_dir()
    immutables = [str(db)]
    if restricted_db is not None and restricted_db.is_file():
        if restricted_db.stem != RESTRICTED_NAME:
            raise ValueError(f"the restricted database file must be named {RESTRICTED_NAME}.db")
        immutables.append(str(restricted_db))
    images = (data or data_dir()) / "images"
    static = [("assets", str(folder / "static"))]
    if images.is_dir():
        static.append(("images", str(images)))
    return Datasette(
        immutables=immutables,
        metadata=load_metadata(folder),
        template_dir=str(folder / "templates"),
        plugins_dir=str(folder / "plugins"),
        static_mounts=static,
        settings={"default_page_size": 50, "sql_time_limit_ms": 2000, **(settings or {})},
    )


def serve(ds: Datasette, host: str, port: int) -> None:
    """Run `ds` with uvicorn until interrupted, as `datasette serve` does."""
    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
