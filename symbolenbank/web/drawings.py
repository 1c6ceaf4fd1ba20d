"""Serve a reference drawing only to actors who may see an entry that shows it.

Every path under `/images/` comes here, whatever its spelling: there is no static mount of
data/images/, so nothing else can hand out the drawing of a restricted entry or any other file
in data/. A drawing is served only for its plain path, exactly as entries store it
(`images/<name>.png`, no `.`, `..` or empty segment, no percent-escape), when an entry in a
database the actor may view shows it, and only from inside the drawings' folder. Anything else
answers 404, so a restricted drawing and a missing file look the same.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response, asgi_send_file

from datasette import hookimpl

from .common import site_of, visible_databases

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
"""One segment of a drawing's path as entries store it: no `.`, `..`, hidden file or escape."""
HEADERS = {
    "x-content-type-options": "nosniff",
    # An SVG drawing opened on its own must not run scripts on the site's origin.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


def drawing_file(images: Path, path: str) -> Path | None:
    """The file of the drawing at `/images/<path>`, or None if `path` is not a plain path to a
    file inside `images`."""
    segments = path.split("/")
    if not all(_SEGMENT.fullmatch(s) for s in segments):
        return None
    root = images.resolve()
    file = root.joinpath(*segments).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None
    return file


async def drawing(datasette: Any, request: Any, send: Any) -> Response | None:
    images = site_of(datasette).images
    path = request.url_vars["path"] or ""
    file = drawing_file(images, path) if images is not None else None
    if file is None:
        return Response.text("Not found", status=404)
    for db_name in await visible_databases(datasette, request.actor, "images"):
        db = datasette.get_database(db_name)
        found = await db.execute("select 1 from images where file = ? limit 1", [f"images/{path}"])
        if found.rows:
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            await asgi_send_file(send, file, content_type=content_type, headers=dict(HEADERS))
            return None
    return Response.text("Not found", status=404)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    # Everything below /images, the folder itself and any path spelling included.
    return [(r"^/images(?:/(?P<path>.*))?$", drawing)]
