"""Template variables for the entry page: patterns, examples, sources, drawings, links."""

from __future__ import annotations

import json
from typing import Any

from datasette.utils import tilde_decode, urlsafe_components

from datasette import hookimpl


def _json_list(value: Any) -> list[Any]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


async def _entry_vars(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    db = datasette.get_database(database)
    pk = urlsafe_components(request.url_vars["pks"])[0]
    rows = (await db.execute("select * from entries where id = ?", [pk])).rows
    if not rows:
        return {}
    entry = dict(rows[0])

    async def rows_of(sql: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in (await db.execute(sql, list(params))).rows]

    entry_id = entry["id"]
    ideology_ids = _json_list(entry["ideologies"])
    movement_ids = _json_list(entry["movements"])
    marks = lambda ids: ",".join("?" * len(ids))  # noqa: E731
    return {
        "entry": entry,
        "entry_languages": _json_list(entry["languages"]),
        "entry_exceptions": _json_list(entry["exceptions"]),
        "entry_context": _json_list(entry["context_requires_any"]),
        "entry_patterns": await rows_of(
            "select * from patterns where entry_id = ? order by id", entry_id
        ),
        "entry_examples": await rows_of(
            "select * from examples where entry_id = ? order by expect, id", entry_id
        ),
        "entry_sources": await rows_of(
            "select * from sources where entry_id = ? order by id", entry_id
        ),
        "entry_images": await rows_of(
            "select * from images where entry_id = ? order by id", entry_id
        ),
        "entry_related": await rows_of(
            "select id, title, title_en, kind, assessment from entries where id in "
            "(select related_id from related where entry_id = ?"
            " union select entry_id from related where related_id = ?) order by title",
            entry_id,
            entry_id,
        ),
        "entry_ideologies": await rows_of(
            f"select * from ideologies where id in ({marks(ideology_ids)})", *ideology_ids
        )
        if ideology_ids
        else [],
        "entry_movements": await rows_of(
            f"select * from movements where id in ({marks(movement_ids)})", *movement_ids
        )
        if movement_ids
        else [],
        "entry_assessment": (
            await rows_of("select * from assessments where id = ?", entry["assessment"]) or [{}]
        )[0],
    }


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table != "entries" or request is None:
        return {}
    if "pks" not in request.url_vars:
        return {}

    async def inner() -> dict[str, Any]:
        return await _entry_vars(datasette, tilde_decode(request.url_vars["database"]), request)

    return inner
