"""The entry format and the vocabularies, as pydantic models.

What the fields mean for curators is in data/README.md and CONTRIBUTING.md; editors get the same
rules from `schema/entry.schema.json`, which `symbolenbank schema` writes from these models.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=80)]
LangCode = Annotated[str, StringConstraints(pattern=r"^([a-z]{2}|und)$")]
Hex16 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ImagePath = Annotated[str, StringConstraints(pattern=r"^images/[A-Za-z0-9._/-]+\.(png|svg)$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]

Kind = Literal[
    "expression", "codeword", "acronym", "number", "emoji",
    "hashtag", "symbol", "meme", "slogan", "name",
]  # fmt: skip
Assessment = Literal["terrorist", "illegal", "borderline", "context"]
MatchMode = Literal["word", "prefix", "substring", "token"]
KINDS_NEEDING_BENIGN_USES = ("number", "emoji", "symbol")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pattern(_Strict):
    """One way the sign is written. Exactly one of `text` or `emoji`."""

    text: Text | None = None
    emoji: Text | None = None
    match: MatchMode = "word"
    lang: LangCode | None = None
    note: Text | None = None
    fuzzy: bool = Field(False, description="Also match one-edit misspellings (>= 6 letters).")
    shared: bool = Field(False, description="Deliberately also a pattern of another entry.")

    @model_validator(mode="after")
    def _one_of(self) -> Pattern:
        if (self.text is None) == (self.emoji is None):
            raise ValueError("a pattern needs exactly one of `text` or `emoji`")
        return self

    @property
    def value(self) -> str:
        return self.text if self.text is not None else self.emoji  # type: ignore[return-value]


class Context(_Strict):
    """The match counts only when one of these terms or entries occurs in the same text."""

    requires_any: list[Text] = Field(min_length=1)
    window: int | None = Field(None, ge=1, description="Within this many tokens.")


class Examples(_Strict):
    match: list[Text] = Field(min_length=2)
    no_match: list[Text] = Field(min_length=1)


class Image(_Strict):
    """A reference drawing made by the project, or hashes of material not published."""

    file: ImagePath | None = None
    phash: Hex16 | None = None
    dhash: Hex16 | None = None
    pdq: Hex64 | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> Image:
        if not (self.file or self.phash or self.dhash or self.pdq):
            raise ValueError("an image needs a `file` or at least one hash (phash, dhash, pdq)")
        return self


class Source(_Strict):
    title: Text
    url: Url
    publisher: Text
    accessed: dt.date


class Entry(_Strict):
    """One sign: what it is, what it means, how serious it usually is, where it is harmless."""

    id: Slug
    title: Text
    title_en: Text
    kind: Kind
    ideologies: list[Slug] = Field(min_length=1)
    movements: list[Slug] = []
    languages: list[LangCode] = Field(min_length=1)
    assessment: Assessment
    summary: Prose
    summary_en: Prose
    benign_uses: Text | None = None
    benign_uses_en: Text | None = None
    patterns: list[Pattern] = []
    context: Context | None = None
    exceptions: list[Text] = []
    examples: Examples | None = None
    images: list[Image] = []
    sources: list[Source] = Field(min_length=1)
    related: list[Slug] = []
    status: Literal["active", "retired"]
    visibility: Literal["public", "restricted"] = "public"
    added: dt.date
    updated: dt.date

    @model_validator(mode="after")
    def _rules(self) -> Entry:
        needs_benign = self.assessment == "context" or self.kind in KINDS_NEEDING_BENIGN_USES
        if needs_benign and not self.benign_uses:
            raise ValueError(
                f"`benign_uses` is required for assessment {self.assessment!r} / kind"
                f" {self.kind!r}: say where the same sign is harmless"
            )
        if bool(self.benign_uses) != bool(self.benign_uses_en):
            raise ValueError("`benign_uses` and `benign_uses_en` go together (Dutch and English)")
        if not self.patterns and not self.images:
            raise ValueError("an entry needs `patterns`, or `images` if it is image-only")
        if self.patterns and self.examples is None:
            raise ValueError("an entry with patterns needs `examples` (>= 2 match, >= 1 no_match)")
        if self.updated < self.added:
            raise ValueError("`updated` is before `added`")
        return self


class VocabItem(_Strict):
    id: Slug
    label: Text
    label_en: Text
    description: Text
    description_en: Text


class Movement(_Strict):
    id: Slug
    name: Text
    ideologies: list[Slug] = Field(min_length=1)
    description: Text
    description_en: Text
    sources: list[Source] = Field(min_length=1)


#: Where a number cue stands: the word after the number, the word before it, the ending of the
#: word before it (street names), the word before a year, or a sign next to it.
CUE_POSITIONS = ("after", "before", "before_ending", "year", "sign")


class NumberCue(_Strict):
    """One word or sign of `vocab/number-cues-<lang>.yaml`: next to a number, it says the
    number is a quantity, an identifier or a year, not a code."""

    id: str
    language: str
    position: str
    cue: str
