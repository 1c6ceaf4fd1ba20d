"""An `EntryFilter` applied to one compiled index (`Selection`): which hits a scan resolves and
which matches it reports.

A filtered-out entry still counts as context for the others: `the-base` requires `accelerate`
in the same post, so a scan for `terrorist` entries only must still find `accelerate` to know
that `the-base` is met. The entries resolved are therefore those the filter wants and those
their context rules name (`needed`); hits of any other entry are dropped before resolution,
and the matches of the context-only entries after it. Resolution treats each entry on its own
(its exceptions, one match per occurrence, its context), so the matches reported are exactly
the unfiltered scan's matches of the wanted entries.
"""

from __future__ import annotations

from ..filters import EntryFilter
from .fuzzy import FuzzyHit
from .index import TextIndex
from .items import EXC, FZ, PAT, Item, KeyValue
from .resolve import Hit
from .rules import TextMatch

__all__ = ["Selection", "select"]

_UNSEEN = object()


class Selection:
    """The entries of `ix` that `flt` wants, and those resolved for their context too."""

    __slots__ = ("wanted", "needed", "all_needed", "_values")

    def __init__(self, ix: TextIndex, flt: EntryFilter):
        wanted = [flt.allows(e.kind, e.assessment) for e in ix.entries]
        needed = list(wanted)
        numbers = any(w and ix.numeric_entry[ei] for ei, w in enumerate(wanted))
        for ei, want in enumerate(wanted):
            if want and ix.has_context[ei]:
                for dep in ix.entry_terms[ei][0]:
                    needed[dep] = True
            if numbers and ix.numeric_entry[ei]:
                needed[ei] = True  # a bare number counts next to another number code
        self.wanted = frozenset(e.id for e, want in zip(ix.entries, wanted, strict=True) if want)
        self.needed = needed
        self.all_needed = all(needed)
        # id of a key value of the automaton -> that value with only needed items, or None;
        # the values live as long as the index, so their ids stay theirs
        self._values: dict[int, KeyValue | None] = {}

    def hits(self, hits: list[Hit]) -> list[Hit]:
        """`hits` without the items of entries that are not needed."""
        if self.all_needed:
            return hits
        values = self._values
        out: list[Hit] = []
        for hit in hits:
            value = hit[1]
            kept = values.get(id(value), _UNSEEN)
            if kept is _UNSEEN:
                kept = values[id(value)] = self._value(value)
            if kept is value:
                out.append(hit)
            elif kept is not None:
                out.append((hit[0], kept))  # type: ignore[arg-type]  # narrowed above
        return out

    def fuzzy_hits(self, hits: list[FuzzyHit]) -> list[FuzzyHit]:
        """Fuzzy hits (`fuzzy=True`) of needed entries only."""
        if self.all_needed:
            return hits
        needed = self.needed
        return [h for h in hits if needed[h[2].entry]]

    def matches(self, found: list[TextMatch]) -> list[TextMatch]:
        """The matches of wanted entries (not those resolved only as context)."""
        wanted = self.wanted
        return [m for m in found if m.entry_id in wanted]

    def _value(self, value: KeyValue) -> KeyValue | None:
        klen, items = value
        kept = tuple(it for it in items if self._needs(it))
        if len(kept) == len(items):
            return value
        return (klen, kept) if kept else None

    def _needs(self, item: Item) -> bool:
        if item.kind == PAT:
            return self.needed[item.entry]
        if item.kind == FZ:
            return self.needed[item.item.entry]
        if item.kind == EXC:
            return self.needed[item.ref]
        return True  # a context term


def select(ix: TextIndex, flt: EntryFilter | None) -> Selection | None:
    """The selection of `flt` on `ix`, or None when it leaves every entry in."""
    if flt is None:
        return None
    sel = Selection(ix, flt)
    return None if len(sel.wanted) == len(ix.entries) else sel
