"""`TextMatcher`: the text matcher's public face over a compiled `TextIndex`.

It holds the rules it was built from and the index compiled from them (`index.py`); scanning
is `batch.py`'s. Pickling carries the rules only, and unpickling compiles them again, so a
matcher travels to another process as plain data. A scan filtered by kind or tier
(`matchers.filters`) uses the filter's `Selection` of the index, made once per filter and kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import DatabaseError
from ..filters import EntryFilter
from .batch import BATCH, BATCH_CHARS, chunks, scan_batch, scan_reference
from .index import compile_index
from .pooled import scan_matcher
from .rules import EntryRule, NumberCues, PatternRule, TextMatch
from .selection import Selection, select

__all__ = ["TextMatcher"]


class TextMatcher:
    """Aho-Corasick over canonical text; build with `from_db` or `from_rules`."""

    def __init__(
        self,
        entries: Sequence[EntryRule],
        patterns: Sequence[PatternRule],
        cues: NumberCues | None = None,
    ):
        self._rules = (tuple(entries), tuple(patterns), cues or NumberCues())
        self._index = compile_index(*self._rules)
        self._selections: dict[EntryFilter, Selection | None] = {}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_rules(
        cls,
        entries: Iterable[EntryRule],
        patterns: Iterable[PatternRule],
        cues: NumberCues | None = None,
    ) -> TextMatcher:
        """Build from plain rules; patterns of unknown or retired entries are ignored. Without
        `cues`, no word makes a number a quantity (the ranges and longer numbers still do)."""
        return cls(list(entries), list(patterns), cues)

    @classmethod
    def from_db(cls, path: str | os.PathLike[str]) -> TextMatcher:
        """Build from the `entries`, `patterns` and `number_cues` tables of a built database
        (a database built before `number_cues` and `context_common` existed loads without
        them)."""
        from ..db import connect

        conn = connect(path)
        try:
            columns = {r[1] for r in conn.execute("pragma table_info(entries)")}
            common = "context_common" if "context_common" in columns else "null"
            erows = conn.execute(
                "select id, title, title_en, kind, assessment, status, context_requires_any,"
                f" context_window, exceptions, {common} from entries"
            ).fetchall()
            prows = conn.execute(
                "select entry_id, text, match, fuzzy from patterns order by id"
            ).fetchall()
            cues = _read_cues(conn)
        except Exception as exc:  # sqlite3.Error, but also a half-built file
            raise DatabaseError(f"{path}: cannot read entries/patterns ({exc})") from exc
        finally:
            conn.close()
        entries = [
            EntryRule(
                id=r[0],
                title=r[1] or "",
                title_en=r[2] or "",
                kind=r[3] or "",
                assessment=r[4] or "",
                status=r[5] or "active",
                context_requires_any=tuple(_json_list(r[6])),
                context_window=r[7],
                exceptions=tuple(_json_list(r[8])),
                context_common=tuple(_json_list(r[9])),
            )
            for r in erows
        ]
        patterns = [
            PatternRule(entry_id=r[0], text=r[1], match=r[2] or "word", fuzzy=bool(r[3]))
            for r in prows
            if r[1]
        ]
        return cls(entries, patterns, cues)

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self._rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._rules = state["rules"]
        self._index = compile_index(*self._rules)
        self._selections = {}

    # -- scanning -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._index.patterns)

    def scan(
        self,
        text: str,
        include_weak: bool = False,
        fuzzy: bool = False,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> list[TextMatch]:
        """All matches in `text`, ordered by position. Raises TypeError for non-str input.

        `kinds`, `exclude_kinds` (kind ids) and `min_assessment` (a tier id: that tier or a
        more serious one) leave out the matches of other entries; entries left out still count
        as context for the others. Unknown values raise ValueError naming the known ones."""
        if not isinstance(text, str):
            raise TypeError(f"TextMatcher.scan() expects str, got {type(text).__name__}")
        sel = None
        if kinds is not None or exclude_kinds is not None or min_assessment is not None:
            sel = self._selection(EntryFilter.of(kinds, exclude_kinds, min_assessment))
        return scan_batch(self._index, [text], include_weak, fuzzy, sel).get(0) or []

    def scan_many(
        self,
        texts: Iterable[str],
        workers: int | None = None,
        include_weak: bool = False,
        fuzzy: bool = False,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> Iterator[list[TextMatch]]:
        """Matches per text, in input order, as `scan` gives them (with the same filters).
        With `workers` > 1, that many processes scan: this one and `workers - 1` helpers
        (`text/pooled.py`, on `matchers.pool`), forked where that is safe; with other threads
        running they start by forkserver or spawn, which needs the usual
        `if __name__ == "__main__":` guard in a script. A helper that dies makes the scan
        raise RuntimeError rather than hang."""
        if isinstance(texts, str | bytes):
            raise TypeError(
                "TextMatcher.scan_many() expects an iterable of str, got one "
                f"{type(texts).__name__}; use scan() for a single text"
            )
        flt = EntryFilter.of(kinds, exclude_kinds, min_assessment)  # checked before any scan
        if workers is not None and workers > 1:
            chosen = flt.options() if flt is not None else {}
            return scan_matcher(
                self, texts, workers=workers, include_weak=include_weak, fuzzy=fuzzy, **chosen
            )
        return self._scan_here(texts, include_weak, fuzzy, self._selection(flt))

    def _scan_here(
        self, texts: Iterable[str], include_weak: bool, fuzzy: bool, sel: Selection | None
    ) -> Iterator[list[TextMatch]]:
        for chunk in chunks(texts, BATCH, BATCH_CHARS):
            found = scan_batch(self._index, chunk, include_weak, fuzzy, sel)
            for i in range(len(chunk)):
                yield found.get(i) or []

    def scan_reference(
        self,
        text: str,
        include_weak: bool = False,
        fuzzy: bool = False,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> list[TextMatch]:
        """`scan` through the exact per-character path only (for tests and debugging)."""
        sel = self._selection(EntryFilter.of(kinds, exclude_kinds, min_assessment))
        return scan_reference(self._index, text, include_weak, fuzzy, sel)

    def _selection(self, flt: EntryFilter | None) -> Selection | None:
        """The index's selection for `flt`, made on first use (None: every entry is in)."""
        if flt is None:
            return None
        try:
            return self._selections[flt]
        except KeyError:
            pass
        if len(self._selections) >= _SELECTIONS_KEPT:
            self._selections.clear()
        sel = self._selections[flt] = select(self._index, flt)
        return sel


#: Filters whose selections a matcher keeps; a service uses a few, each about a list per entry.
_SELECTIONS_KEPT = 64


def _read_cues(conn: Any) -> NumberCues:
    """The `number_cues` table (position, cue) as `NumberCues`; empty when there is none."""
    columns = {r[1] for r in conn.execute("pragma table_info(number_cues)")}
    if not {"position", "cue"} <= columns:
        return NumberCues()  # built before number cues existed
    by: dict[str, list[str]] = {}
    for position, cue in conn.execute("select position, cue from number_cues"):
        if isinstance(cue, str) and cue:
            by.setdefault(str(position), []).append(cue.casefold())
    return NumberCues(
        after=frozenset(by.get("after", ())),
        before=frozenset(by.get("before", ())),
        before_endings=tuple(sorted(set(by.get("before_ending", ())))),
        year=frozenset(by.get("year", ())),
        signs=frozenset(by.get("sign", ())),
    )


def _json_list(value: Any) -> list[str]:
    """A list column of the database (JSON text, or already a list) as strings."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value] if isinstance(value, list) else []
