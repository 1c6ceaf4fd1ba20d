"""What every page of the site shares: database names, the tier order, which databases an actor
may see, and the instance's :class:`Site` settings.

Defined here once, so the pages, the scan API and `symbolenbank.publish` agree on them.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchers.filters import ASSESSMENT_ORDER

PUBLIC_NAME = "symbolenbank"
"""The public knowledge base: only `visibility: public` entries."""
RESTRICTED_NAME = "symbolenbank-restricted"
"""The whole knowledge base, restricted entries included; only for authenticated actors."""
TIER_ORDER = tuple(reversed(ASSESSMENT_ORDER))
"""Assessment tiers, most serious first (the matchers' order, which scans filter by)."""


@dataclass(frozen=True)
class Site:
    """What `make_datasette` sets up for one instance and must never publish: its metadata is
    readable at `/-/metadata.json`, so the drawings' folder and the tokens are kept here."""

    images: Path | None = None
    """The folder of the reference drawings (data/images/), served only through
    :mod:`.drawings`."""
    token_digests: Mapping[bytes, str] = field(default_factory=dict)
    """SHA-256 of each bearer token -> the id of the actor it authenticates."""


_SITES: weakref.WeakKeyDictionary[Any, Site] = weakref.WeakKeyDictionary()


def set_site(datasette: Any, site: Site) -> None:
    """Give the Datasette instance `datasette` its settings (the plugins are shared by every
    instance in the process, so they look them up by instance)."""
    _SITES[datasette] = site


def site_of(datasette: Any) -> Site:
    """The settings of `datasette`; an instance made elsewhere has no drawings and no tokens."""
    return _SITES.get(datasette, Site())


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
