"""Loaded entries as the text matcher's rules, exactly as `TextMatcher.from_db` reads them back.

The build writes the matcher's columns from `pattern_row` and `context_columns`; `matcher_rules`
turns the same values into `EntryRule`/`PatternRule`, so the validator can run the examples on
`TextMatcher.from_rules` without writing a database. What `from_db` does to the stored values is
done here too: entries in build order (by id), patterns in the order written, JSON lists read as
lists of strings, empty titles as "", patterns without text dropped. Retired entries are kept:
the matcher itself ignores them, as it does when reading a build.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matchers.text import EntryRule, PatternRule, TextMatcher

from .models import Entry, Pattern


def pattern_row(entry_id: str, p: Pattern) -> dict[str, Any]:
    """One row of the `patterns` table."""
    return {
        "entry_id": entry_id,
        "text": p.value,
        "is_emoji": int(p.emoji is not None),
        "match": p.match,
        "lang": p.lang,
        "note": p.note,
        "fuzzy": int(p.fuzzy),
    }


def context_columns(e: Entry) -> dict[str, Any]:
    """The `entries` columns of an entry's context rule (the requirement is a JSON list)."""
    return {
        "context_requires_any": e.context.requires_any if e.context else None,
        "context_window": e.context.window if e.context else None,
    }


def entry_rule(e: Entry) -> EntryRule:
    """What the matcher knows of `e`, as `from_db` reads it from the entry's row."""
    context = context_columns(e)
    return EntryRule(
        id=e.id,
        title=e.title or "",
        title_en=e.title_en or "",
        kind=e.kind or "",
        assessment=e.assessment or "",
        status=e.status or "active",
        context_requires_any=tuple(str(t) for t in context["context_requires_any"] or ()),
        context_window=context["context_window"],
        exceptions=tuple(str(t) for t in e.exceptions),
    )


def pattern_rules(e: Entry) -> list[PatternRule]:
    """The patterns of `e`, as `from_db` reads them from the pattern rows."""
    rows = (pattern_row(e.id, p) for p in e.patterns)
    return [
        PatternRule(
            entry_id=r["entry_id"],
            text=r["text"],
            match=r["match"] or "word",
            fuzzy=bool(r["fuzzy"]),
        )
        for r in rows
        if r["text"]
    ]


def matcher_rules(entries: Iterable[Entry]) -> tuple[list[EntryRule], list[PatternRule]]:
    """The rules of `entries` in the order a build stores them: by entry id."""
    chosen = sorted(entries, key=lambda e: e.id)
    return [entry_rule(e) for e in chosen], [r for e in chosen for r in pattern_rules(e)]


def text_matcher(entries: Iterable[Entry]) -> TextMatcher:
    """The text matcher a build of `entries` would load."""
    return TextMatcher.from_rules(*matcher_rules(entries))
