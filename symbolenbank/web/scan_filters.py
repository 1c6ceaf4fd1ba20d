"""The filters of a scan request: `kinds`, `exclude_kinds` and `min_assessment`.

They may come in the query string and in the body (JSON, a multipart or a urlencoded form); a
field the body has wins over the query's. Kinds are a list or a comma-separated string (a form's
checkboxes of one name arrive joined with commas); an empty value is no filter. Unknown values
raise ValueError naming the known ones (`matchers.filters` checks them), which the request
reader answers with 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matchers.filters import KINDS, EntryFilter

FILTER_FIELDS = ("kinds", "exclude_kinds", "min_assessment")
KIND_FIELDS = ("kinds", "exclude_kinds")
"""The fields that may come several times in a query or form (checkboxes)."""
MAX_FILTER_PARTS = 1 + 2 * len(KINDS)
"""Form parts the filters may take: the tier and a checkbox per kind for both kind fields."""


def present(value: Any) -> bool:
    """Whether a field was given a value (an empty one counts as not given)."""
    return value not in (None, "", [], ())


def form_filters(fields: Mapping[str, list[str]]) -> dict[str, Any]:
    """The filter fields of a query string or urlencoded form (each a list of its values):
    every value of a kind field, the last of the tier."""
    out: dict[str, Any] = {name: fields[name] for name in KIND_FIELDS if name in fields}
    tiers = fields.get("min_assessment")
    if tiers:
        out["min_assessment"] = tiers[-1]
    return out


def read_filters(query: Mapping[str, Any], body: Mapping[str, Any]) -> EntryFilter | None:
    """The filter of the request, `body` fields over `query` ones (each a string, a list of
    strings or None); None when it filters nothing. Raises ValueError for a bad value."""
    chosen = {}
    for name in FILTER_FIELDS:
        value = body.get(name)
        chosen[name] = value if present(value) else query.get(name)
    kinds = _kinds("kinds", chosen["kinds"])
    exclude = _kinds("exclude_kinds", chosen["exclude_kinds"])
    tier = _tier(chosen["min_assessment"])
    return EntryFilter.of(kinds, exclude, tier)


def _kinds(name: str, value: Any) -> list[str] | None:
    values = [value] if isinstance(value, str) else value
    if not present(values):
        return None
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValueError(
            f'"{name}" must be a list of kind ids or a comma-separated string, such as'
            f' "name,number"; known kinds: {", ".join(KINDS)}'
        )
    kinds = [k.strip() for v in values for k in v.split(",") if k.strip()]
    return kinds or None


def _tier(value: Any) -> str | None:
    if not present(value):
        return None
    if not isinstance(value, str):
        raise ValueError('"min_assessment" must be a tier id, such as "illegal"')
    return value.strip() or None
