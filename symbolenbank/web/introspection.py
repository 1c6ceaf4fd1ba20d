"""Datasette's introspection pages, limited to what the actor may see.

Datasette's own `/-/databases` lists every attached file with its path, size and hash, and
`/-/metadata` the settings of every database, whoever asks; so anyone could learn that a
restricted database is served, where and how large. These routes come first and show only the
databases the actor may view, without the server's file paths. The other introspection pages
(`/-/versions`, `/-/plugins`, `/-/settings`, `/-/threads`, `/.json`) name no database file.
"""

from __future__ import annotations

import copy
from typing import Any

from datasette.utils.asgi import Response
from datasette.views.special import JsonDataView

from datasette import hookimpl

DATABASE_FIELDS = ("name", "route", "size", "is_mutable", "is_memory", "hash")
"""What `/-/databases` says of a database: Datasette's fields less the file's path."""


async def viewable(datasette: Any, actor: Any) -> list[str]:
    """Names of the databases `actor` may view, in Datasette's order."""
    names = []
    for name in datasette.databases:
        if name == "_internal":
            continue
        visible, _ = await datasette.check_visibility(
            actor, permissions=[("view-database", name), "view-instance"]
        )
        if visible:
            names.append(name)
    return names


async def databases_data(datasette: Any, actor: Any) -> list[dict[str, Any]]:
    result = []
    for name in await viewable(datasette, actor):
        db = datasette.databases[name]
        result.append({field: getattr(db, field) for field in DATABASE_FIELDS})
    return result


async def metadata_data(datasette: Any, actor: Any) -> dict[str, Any]:
    metadata = copy.deepcopy(datasette.metadata())
    names = set(await viewable(datasette, actor))
    databases = metadata.get("databases") or {}
    metadata["databases"] = {k: v for k, v in databases.items() if k in names}
    return metadata


async def _page(datasette: Any, request: Any, filename: str, data: Any) -> Any:
    """Datasette's own rendering of a JSON page (`.json` or HTML), on `data`."""
    if request.method not in ("GET", "HEAD"):
        return Response.text("Method not allowed", status=405, headers={"allow": "GET"})
    view = JsonDataView.as_view(datasette, filename, lambda: data)
    return await view(request, None)


async def databases_page(datasette: Any, request: Any) -> Any:
    return await _page(
        datasette, request, "databases.json", await databases_data(datasette, request.actor)
    )


async def metadata_page(datasette: Any, request: Any) -> Any:
    return await _page(
        datasette, request, "metadata.json", await metadata_data(datasette, request.actor)
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/databases(\.(?P<format>json))?$", databases_page),
        (r"^/-/metadata(\.(?P<format>json))?$", metadata_page),
    ]
