"""The text matcher's plain data: the rules it is built from and the matches it reports.

`EntryRule`, `PatternRule` and `NumberCues` are what `TextMatcher.from_rules` takes (the
validator builds them from YAML, `from_db` from a built database); `TextMatch` is one reported
occurrence and `Evidence` what made it count, or kept it weak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_CONTEXT_WINDOW",
    "MODES",
    "ContextHit",
    "EntryRule",
    "Evidence",
    "NumberCues",
    "PatternRule",
    "TextMatch",
]

#: Boundary modes of a pattern: whole words, word starts, anywhere, whole tokens.
MODES = ("word", "prefix", "substring", "token")
#: The context window, in words, of an entry whose rule gives none.
DEFAULT_CONTEXT_WINDOW = 12


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
    #: words apart at most; None: `DEFAULT_CONTEXT_WINDOW`
    context_window: int | None = None
    exceptions: tuple[str, ...] = ()
    #: the terms of `context_requires_any` that are everyday words: one of them confirms a
    #: match only within two words of it, or together with a second requirement in the window
    context_common: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatternRule:
    """One pattern of an entry: `text` as written (emoji included) and its boundary mode."""

    entry_id: str
    text: str
    match: str = "word"
    fuzzy: bool = False


@dataclass(frozen=True)
class NumberCues:
    """Words that make a number next to them a quantity, an identifier or a year, not a code.

    All lower case (casefolded); a cue may have several words. The knowledge base keeps them per
    language in `data/vocab/number-cues-*.yaml`; every language's cues apply to every text."""

    after: frozenset[str] = frozenset()  # units, counted nouns, currencies: "1488 stappen"
    before: frozenset[str] = frozenset()  # identifier words: "kamer 88", "Linie 18"
    before_endings: tuple[str, ...] = ()  # endings of street names: "Kerkstraat 88"
    year: frozenset[str] = frozenset()  # words before a year: "in 1488", "rond 1350"
    signs: frozenset[str] = frozenset()  # signs of amounts next to a number: "88 %", "€ 14"


@dataclass(frozen=True)
class ContextHit:
    """A context requirement found in the text: a term as the entry's rule writes it, or the id
    of a required entry, at `start:end` of the scanned text."""

    term: str
    start: int
    end: int
    words_away: int  # words between it and the match; 0 next to it, -1 overlapping

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "start": self.start,
            "end": self.end,
            "words_away": self.words_away,
        }


#: Evidence statuses that make a match count (the others leave it weak).
STRICT_EVIDENCE = frozenset({"standalone", "context", "code_form"})

_CODE_FORMS = {
    "hashtag": "written as a hashtag",
    "handle": "part of a user name",
    "keycaps": "written in emoji keycaps",
    "disguised": "written in disguised characters",
    "repeated": "repeated in the text",
    "combined": "next to another number code",
}
_CUE_KINDS = {
    "quantity": "a unit or counted noun after the number",
    "identifier": "an identifier word before the number",
    "year": "a year",
    "amount": "an amount or percentage",
    "range": "a range, score or part of a longer number",
}


@dataclass(frozen=True)
class Evidence:
    """Why a match counted (`standalone`, `context`, `code_form`) or stayed weak
    (`no_context`, `outside_window`, `lone_common_term`, `benign_cue`, `bare_number`)."""

    status: str
    terms: tuple[ContextHit, ...] = ()  # the requirements found (confirming or too far)
    window: int | None = None  # the context window applied, in words
    cue: str = ""  # the benign cue, as written in the text
    cue_kind: str = ""  # quantity, identifier, year, amount or range
    form: str = ""  # the code-like form of a number

    @property
    def strict(self) -> bool:
        return self.status in STRICT_EVIDENCE

    def describe(self) -> str:
        """The evidence in plain words."""
        found = ", ".join(f"{t.term!r}" for t in self.terms)
        st = self.status
        if st == "standalone":
            return "The entry has no context rule: the sign counts on its own."
        if st == "context":
            return f"Confirmed by context: {found} within {self.window} words."
        if st == "code_form":
            return f"Counts as a code: {_CODE_FORMS.get(self.form, self.form)}."
        if st == "no_context":
            return "Weak: none of the entry's context terms or entries is in this text."
        if st == "outside_window":
            near = min(t.words_away for t in self.terms)
            return (
                f"Weak: {found} is in the text but {near} words away; the entry's context window"
                f" is {self.window} words."
            )
        if st == "lone_common_term":
            return (
                f"Weak: {found} is an everyday word; it confirms only within two words of the"
                " sign or together with a second context term."
            )
        if st == "benign_cue":
            return f"Weak: reads as {_CUE_KINDS.get(self.cue_kind, self.cue_kind)} ({self.cue!r})."
        if st == "bare_number":
            return (
                "Weak: a bare number; without a context rule it counts as a code only as a"
                " hashtag, in a user name, in keycaps, disguised, repeated or next to another"
                " number code."
            )
        return st

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "strict": self.strict}
        if self.terms:
            out["terms"] = [t.to_dict() for t in self.terms]
        if self.window is not None:
            out["window"] = self.window
        if self.cue:
            out["cue"], out["cue_kind"] = self.cue, self.cue_kind
        if self.form:
            out["form"] = self.form
        out["text"] = self.describe()
        return out


STANDALONE = Evidence("standalone")


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
    evidence: Evidence = STANDALONE

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
            "evidence": self.evidence.to_dict(),
        }

    def explain(self) -> str:
        """One sentence for a moderator."""
        how = "" if not self.reasons else f" after undoing {', '.join(self.reasons)}"
        return (
            f"{self.matched!r} at {self.start}-{self.end} matches pattern {self.pattern!r} "
            f"({self.mode} match{how}) of entry {self.entry_id!r} "
            f"({self.title_en or self.title}; {self.kind}, assessed {self.assessment}). "
            f"{self.evidence.describe()}"
        )
