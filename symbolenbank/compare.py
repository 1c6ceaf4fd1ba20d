"""What changed between two snapshots, for the pull-request report and the release delta.

Entries added, changed field by field, retired, reactivated and removed, and the active patterns
added and removed (two patterns are the same as the validator's duplicate check has it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .snapshot import Snapshot
from .wordcheck import pattern_key

#: Derived or location-only columns, not part of what an entry says.
NOT_COMPARED = ("source_file", "pattern_texts", "context_common")  # derived columns


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def items_added(self) -> list[Any]:
        return _list_minus(self.after, self.before)

    @property
    def items_removed(self) -> list[Any]:
        return _list_minus(self.before, self.after)


@dataclass(frozen=True)
class PatternRef:
    entry_id: str
    text: str
    match: str
    lang: str | None
    is_emoji: bool


@dataclass
class Diff:
    base: Snapshot
    head: Snapshot
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    patterns_added: list[PatternRef] = field(default_factory=list)
    patterns_removed: list[PatternRef] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.removed or self.reactivated)


def _list_minus(a: Any, b: Any) -> list[Any]:
    a, b = a or [], b or []
    return [x for x in a if x not in b] if isinstance(a, list) else []


def comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """What an entry says, without derived and location-only columns."""
    return {k: v for k, v in entry.items() if k not in NOT_COMPARED}


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    a, b = comparable(before), comparable(after)
    keys = list(a) + [k for k in b if k not in a]
    return [FieldChange(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def _pattern_refs(snap: Snapshot) -> dict[tuple[str, bool, str], PatternRef]:
    refs = {}
    for eid, entry in snap.entries.items():
        if entry.get("status") != "active":
            continue
        for p in entry.get("patterns", []):
            ref = PatternRef(eid, p["text"], p["match"], p.get("lang"), bool(p["is_emoji"]))
            refs[(eid, *pattern_key(p["text"], ref.is_emoji))] = ref
    return refs


def compare(base: Snapshot, head: Snapshot) -> Diff:
    """Entries added, changed field by field, retired, removed; active patterns added/removed."""
    diff = Diff(base, head)
    for eid in sorted(set(base.entries) | set(head.entries)):
        before, after = base.entries.get(eid), head.entries.get(eid)
        if before is None:
            diff.added.append(eid)
            continue
        if after is None:
            diff.removed.append(eid)
            continue
        changes = field_changes(before, after)
        if not changes:
            continue
        diff.changed[eid] = changes
        if before.get("status") == "active" and after.get("status") == "retired":
            diff.retired.append(eid)
        elif before.get("status") == "retired" and after.get("status") == "active":
            diff.reactivated.append(eid)
    old, new = _pattern_refs(base), _pattern_refs(head)
    diff.patterns_added = [new[k] for k in sorted(new.keys() - old.keys())]
    diff.patterns_removed = [old[k] for k in sorted(old.keys() - new.keys())]
    return diff
