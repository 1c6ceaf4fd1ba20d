"""Template variables for the home and about pages: tiers and counts from the public database."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from .common import assessment_tiers, public_database


async def _home_vars(datasette: Any) -> dict[str, Any]:
    name = public_database(datasette)
    if name is None or not await datasette.get_database(name).table_exists("entries"):
        return {"sb_public": None, "sb_tiers": [], "sb_counts": {}}
    db = datasette.get_database(name)
    counts = {
        r["assessment"]: r["n"]
        for r in (
            await db.execute(
                "select assessment, count(*) as n from entries where status = 'active'"
                " group by assessment"
            )
        ).rows
    }
    release = (await db.execute("select * from releases limit 1")).rows
    return {
        "sb_public": name,
        "sb_tiers": await assessment_tiers(db),
        "sb_counts": counts,
        "sb_total": sum(counts.values()),
        "sb_release": dict(release[0]) if release else None,
    }


@hookimpl
def extra_template_vars(view_name: str, datasette: Any) -> Any:
    if view_name not in ("index", "page"):
        return {}

    async def inner() -> dict[str, Any]:
        return await _home_vars(datasette)

    return inner
