"""Loaded entries as the text matcher's rules, exactly as `TextMatcher.from_db` reads them back.

The build writes the matcher's columns from `pattern_row` and `context_columns`; `matcher_rules`
turns the same values into `EntryRule`/`PatternRule`, so the validator can run the examples on
`TextMatcher.from_rules` without writing a database. What `from_db` does to the stored values is
done here too: entries in build order (by id), patterns in the order written, JSON lists read as
lists of strings, empty titles as "", patterns without text dropped. Retired entries are kept:
the matcher itself ignores them, as it does when reading a build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from matchers.text import EntryRule, NumberCues, PatternRule, TextMatcher

from .models import Entry, NumberCue, Pattern
from .wordcheck import COMMON_WORD_ZIPF, common_word_frequency


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


def knowledge_languages(entries: Iterable[Entry]) -> list[str]:
    """The languages of the knowledge base: those its entries and patterns are written in."""
    langs = {lang for e in entries for lang in [*e.languages, *(p.lang for p in e.patterns)]}
    return sorted(lang for lang in langs if lang and lang != "und")


def common_terms(e: Entry, langs: Sequence[str]) -> list[str]:
    """The context terms of `e` that are everyday words in one of `langs` (wordfreq Zipf at
    least `COMMON_WORD_ZIPF`): alone, they confirm a match only right next to it."""
    if e.context is None:
        return []
    return [
        t
        for t in e.context.requires_any
        if any(ch.isalpha() for ch in t)
        and common_word_frequency(t, list(langs))[0] >= COMMON_WORD_ZIPF
    ]


def context_columns(e: Entry, langs: Sequence[str]) -> dict[str, Any]:
    """The `entries` columns of an entry's context rule (the requirements are JSON lists);
    `langs` are the knowledge base's languages (`knowledge_languages`)."""
    return {
        "context_requires_any": e.context.requires_any if e.context else None,
        "context_window": e.context.window if e.context else None,
        "context_common": common_terms(e, langs) or None,
    }


def number_cues(cues: Iterable[NumberCue]) -> NumberCues:
    """The number cues of the vocabularies, as the matcher takes them (`from_db` reads the
    same from the `number_cues` table)."""
    by: dict[str, set[str]] = {}
    for c in cues:
        by.setdefault(c.position, set()).add(c.cue)
    return NumberCues(
        after=frozenset(by.get("after", ())),
        before=frozenset(by.get("before", ())),
        before_endings=tuple(sorted(by.get("before_ending", ()))),
        year=frozenset(by.get("year", ())),
        signs=frozenset(by.get("sign", ())),
    )


def entry_rule(e: Entry, langs: Sequence[str]) -> EntryRule:
    """What the matcher knows of `e`, as `from_db` reads it from the entry's row."""
    context = context_columns(e, langs)
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
        context_common=tuple(context["context_common"] or ()),
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
    langs = knowledge_languages(chosen)
    return [entry_rule(e, langs) for e in chosen], [r for e in chosen for r in pattern_rules(e)]


def text_matcher(entries: Iterable[Entry], cues: Iterable[NumberCue] = ()) -> TextMatcher:
    """The text matcher a build of `entries` and the number `cues` would load."""
    return TextMatcher.from_rules(*matcher_rules(entries), number_cues(cues))
