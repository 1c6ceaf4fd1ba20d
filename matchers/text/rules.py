"""The text matcher's plain data: the rules it is built from and the matches it reports.

`EntryRule` and `PatternRule` are what `TextMatcher.from_rules` takes (the validator builds them
from YAML, `from_db` from a built database); `TextMatch` is one reported occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MODES", "EntryRule", "PatternRule", "TextMatch"]

#: Boundary modes of a pattern: whole words, word starts, anywhere, whole tokens.
MODES = ("word", "prefix", "substring", "token")


@dataclass(frozen=True)
class EntryRule:
    """What the matcher needs to know about one entry."""

    id: str
    title: str = ""
    title_en: str = ""
    kind: str = ""
    assessment: str = ""
    status: str = "active"
    context_requires_any: tuple[str, ...] = ()
    context_window: int | None = None
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatternRule:
    """One pattern of an entry: `text` as written (emoji included) and its boundary mode."""

    entry_id: str
    text: str
    match: str = "word"
    fuzzy: bool = False


@dataclass(frozen=True)
class TextMatch:
    """One occurrence of an entry's pattern; `text[start:end] == matched`."""

    entry_id: str
    start: int
    end: int
    matched: str
    pattern: str
    kind: str
    assessment: str
    title: str
    title_en: str
    mode: str
    weak: bool = False
    fuzzy: bool = False
    reasons: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The fields of one match in `symbolenbank scan --format jsonl`."""
        return {
            "entry_id": self.entry_id,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "pattern": self.pattern,
            "kind": self.kind,
            "assessment": self.assessment,
            "title": self.title,
            "title_en": self.title_en,
            "mode": self.mode,
            "weak": self.weak,
            "fuzzy": self.fuzzy,
            "reasons": list(self.reasons),
        }

    def explain(self) -> str:
        """One sentence for a moderator."""
        how = "" if not self.reasons else f" after undoing {', '.join(self.reasons)}"
        weak = " The entry's context rule is not met, so this is only a weak signal." * self.weak
        return (
            f"{self.matched!r} at {self.start}-{self.end} matches pattern {self.pattern!r} "
            f"({self.mode} match{how}) of entry {self.entry_id!r} "
            f"({self.title_en or self.title}; {self.kind}, assessed {self.assessment}).{weak}"
        )
