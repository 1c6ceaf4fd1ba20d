"""Serve a reference drawing only to actors who may see an entry that shows it.

`/images/<file>` would otherwise be a plain static mount of data/images/, handing the drawing of a
restricted entry, or any other file in that folder, to anyone. This route comes before the
static mount and answers 404 unless the file belongs to an entry in a database the actor can see.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response, asgi_static

from datasette import hookimpl

from .common import visible_databases


async def drawing(datasette: Any, request: Any, send: Any) -> Response | None:
    mount = dict(datasette.static_mounts).get("images")
    name = request.url_vars["path"]
    if mount is None or "/" in name or name.startswith("."):
        return Response.text("Not found", status=404)
    for db_name in await visible_databases(datasette, request.actor, "images"):
        db = datasette.get_database(db_name)
        found = await db.execute("select 1 from images where file = ? limit 1", [f"images/{name}"])
        if found.rows:
            await asgi_static(mount)(request, send)
            return None
    return Response.text("Not found", status=404)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/images/(?P<path>[^/]+)$", drawing)]
