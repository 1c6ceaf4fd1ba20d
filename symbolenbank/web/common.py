"""What every page of the site shares: database names, the tier order, which databases an actor
may see.

Defined here once, so the pages, the scan API and `symbolenbank.publish` agree on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PUBLIC_NAME = "symbolenbank"
"""The public knowledge base: only `visibility: public` entries."""
RESTRICTED_NAME = "symbolenbank-restricted"
"""The whole knowledge base, restricted entries included; only for authenticated actors."""
TIER_ORDER = ("terrorist", "illegal", "borderline", "context")
"""Assessment tiers, most serious first."""


def tier_rank(tier: str | None) -> int:
    """Position of `tier` in TIER_ORDER; an unknown tier sorts after every known one."""
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)


def file_databases(datasette: Any) -> Iterator[tuple[str, Any]]:
    """(name, Database) of each knowledge-base file: not in memory, not Datasette's `_` ones."""
    for name, db in datasette.databases.items():
        if not db.is_memory and db.path and not name.startswith("_"):
            yield str(name), db


def public_database(datasette: Any) -> str | None:
    """The published knowledge base: the first file database that is not the restricted one."""
    return next((name for name, _ in file_databases(datasette) if name != RESTRICTED_NAME), None)


async def visible_databases(datasette: Any, actor: Any, table: str) -> list[str]:
    """Databases with `table` that `actor` may view, the public one first, the restricted last."""
    names = []
    for name, db in file_databases(datasette):
        visible, _ = await datasette.check_visibility(
            actor, permissions=[("view-database", name), "view-instance"]
        )
        if visible and await db.table_exists(table):
            names.append(name)
    return sorted(names, key=lambda n: (n == RESTRICTED_NAME, n))


async def assessment_tiers(db: Any) -> list[dict[str, Any]]:
    """The rows of `assessments` in TIER_ORDER, for the pages that explain the tiers."""
    tiers = [dict(r) for r in (await db.execute("select * from assessments")).rows]
    tiers.sort(key=lambda t: tier_rank(t["id"]))
    return tiers
