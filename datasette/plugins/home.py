"""Template variables for the home, about and scan pages: tiers and counts from the public db."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

RESTRICTED_NAME = "symbolenbank-restricted"
TIER_ORDER = ("terrorist", "illegal", "borderline", "context")


def public_database(datasette: Any) -> str | None:
    """The published knowledge base: the first file database that is not the restricted one."""
    for name, db in datasette.databases.items():
        if not db.is_memory and db.path and name != RESTRICTED_NAME and not name.startswith("_"):
            return str(name)
    return None


async def _home_vars(datasette: Any) -> dict[str, Any]:
    name = public_database(datasette)
    if name is None or not await datasette.get_database(name).table_exists("entries"):
        return {"sb_public": None, "sb_tiers": [], "sb_counts": {}}
    db = datasette.get_database(name)
    tiers = [dict(r) for r in (await db.execute("select * from assessments")).rows]
    tiers.sort(key=lambda t: TIER_ORDER.index(t["id"]) if t["id"] in TIER_ORDER else 99)
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
        "sb_tiers": tiers,
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
