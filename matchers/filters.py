"""Which entries a scan reports: by kind and by minimum assessment tier (`EntryFilter`).

A platform may leave out mentions of movement names (`kind: name`), which news and
counter-speech use all the time, or look only for `illegal` and `terrorist` signs. The kinds and
the tier order are the knowledge base's vocabularies (`data/vocab/kinds.yaml`,
`data/vocab/assessments.yaml`); they are spelled out here once, because `matchers` never reads
the YAML, and a test holds them equal to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["ASSESSMENT_ORDER", "KINDS", "EntryFilter", "assessment_rank", "no_filter"]

#: Assessment tiers, least serious first: a tier passes `min_assessment` when it comes no
#: earlier here (`data/vocab/assessments.yaml` lists them most serious first).
ASSESSMENT_ORDER: tuple[str, ...] = ("context", "borderline", "illegal", "terrorist")
#: Kinds of entry, in the order of `data/vocab/kinds.yaml`.
KINDS: tuple[str, ...] = (
    "expression",
    "codeword",
    "acronym",
    "number",
    "emoji",
    "hashtag",
    "symbol",
    "meme",
    "slogan",
    "name",
)
_RANK = {tier: i for i, tier in enumerate(ASSESSMENT_ORDER)}


def assessment_rank(tier: str) -> int:
    """Position of `tier` in ASSESSMENT_ORDER (higher is more serious); -1 for no known tier."""
    return _RANK.get(tier, -1)


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """The entries a scan reports: of `kinds` (None: every kind) but not `exclude_kinds`, at
    tier `min_assessment` or more serious (None: every tier). Build it with `EntryFilter.of`,
    which checks the values; it is plain data, so it travels to helper processes."""

    kinds: frozenset[str] | None = None
    exclude_kinds: frozenset[str] = frozenset()
    min_assessment: str | None = None

    @classmethod
    def of(
        cls,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> EntryFilter | None:
        """The filter of the arguments, or None when they filter nothing.

        Raises ValueError for an unknown kind or tier (naming the known ones), for an empty
        `kinds` and for kinds that `exclude_kinds` leaves empty; TypeError for a single string
        where an iterable of kinds belongs."""
        if kinds is None and not exclude_kinds and min_assessment is None:
            return None
        wanted = None if kinds is None else _kinds("kinds", kinds)
        if wanted is not None and not wanted:
            raise ValueError("kinds is empty, so nothing could match; pass None for every kind")
        excluded = frozenset() if exclude_kinds is None else _kinds("exclude_kinds", exclude_kinds)
        if wanted is not None and not wanted - excluded:
            raise ValueError(
                f"exclude_kinds leaves none of kinds ({', '.join(sorted(wanted))}) to scan for"
            )
        if min_assessment is not None:
            if not isinstance(min_assessment, str):
                raise TypeError(
                    f"min_assessment must be a tier id (str), got {type(min_assessment).__name__}"
                )
            if min_assessment not in _RANK:
                raise ValueError(
                    f"unknown assessment tier {min_assessment!r} in min_assessment; known tiers,"
                    f" least to most serious: {', '.join(ASSESSMENT_ORDER)}"
                )
        return cls(wanted, excluded, min_assessment)

    def allows(self, kind: str, assessment: str) -> bool:
        """Whether an entry of `kind` assessed `assessment` is reported."""
        if self.kinds is not None and kind not in self.kinds:
            return False
        if kind in self.exclude_kinds:
            return False
        floor = self.min_assessment
        return floor is None or assessment_rank(assessment) >= _RANK[floor]

    def options(self) -> dict[str, Any]:
        """The keyword arguments of a scan that apply this filter."""
        return {
            "kinds": self.kinds,
            "exclude_kinds": self.exclude_kinds,
            "min_assessment": self.min_assessment,
        }

    def to_dict(self) -> dict[str, Any]:
        """The filter as JSON: kinds in vocabulary order (`kinds` None for every kind)."""
        return {
            "kinds": None if self.kinds is None else _ordered(self.kinds),
            "exclude_kinds": _ordered(self.exclude_kinds),
            "min_assessment": self.min_assessment,
        }


def no_filter() -> dict[str, Any]:
    """`EntryFilter.to_dict()` of a scan that filters nothing."""
    return {"kinds": None, "exclude_kinds": [], "min_assessment": None}


def _kinds(name: str, values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str | bytes):
        raise TypeError(
            f"{name} expects an iterable of kind ids, got one {type(values).__name__}; "
            f"write {name}=[{values!r}]"
        )
    out = frozenset(values)
    unknown = sorted(str(v) for v in out if v not in KINDS)
    if unknown:
        raise ValueError(
            f"unknown kind{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))} in {name}; "
            f"known kinds: {', '.join(KINDS)}"
        )
    return out


def _ordered(kinds: frozenset[str]) -> list[str]:
    return [k for k in KINDS if k in kinds]
