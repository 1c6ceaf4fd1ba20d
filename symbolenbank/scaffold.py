"""Write a new entry file with every required field, in the order of the format, and check it."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .loading import Problem
from .models import KINDS_NEEDING_BENIGN_USES, SLUG

WRAP = 96
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/entry.schema.json"


class ScaffoldError(Exception):
    """The entry cannot be written (missing values, an id in use); the message says which."""


@dataclass
class NewEntry:
    """What an analyst says about a new sign; the rest of the file is filled in for them."""

    id: str
    title: str
    title_en: str
    kind: str
    ideologies: list[str]
    languages: list[str]
    assessment: str
    summary: str
    summary_en: str
    patterns: list[str]
    examples_match: list[str]
    examples_no_match: list[str]
    source_url: str
    source_title: str
    source_publisher: str
    benign_uses: str | None = None
    benign_uses_en: str | None = None
    match: str | None = None
    movements: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def needs_benign_uses(self) -> bool:
        return self.assessment == "context" or self.kind in KINDS_NEEDING_BENIGN_USES


#: Fields the command asks for, in the order it asks.
REQUIRED = (
    "id", "title", "title_en", "kind", "ideologies", "languages", "assessment", "summary",
    "summary_en", "patterns", "examples_match", "examples_no_match", "source_url",
    "source_title", "source_publisher",
)  # fmt: skip


def missing(values: dict[str, object]) -> list[str]:
    """Required fields without a value, `benign_uses` included when the kind or tier needs it."""
    gaps = [name for name in REQUIRED if not values.get(name)]
    if values.get("assessment") == "context" or values.get("kind") in KINDS_NEEDING_BENIGN_USES:
        gaps += [n for n in ("benign_uses", "benign_uses_en") if not values.get(n)]
    return gaps


def _quote(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar and escapes everything that needs it.
    return json.dumps(value, ensure_ascii=False)


def _prose(key: str, value: str) -> list[str]:
    lines = textwrap.wrap(" ".join(value.split()), WRAP - 2)
    block = [f"{key}: >-", *(f"  {line}" for line in lines)]
    try:
        same = yaml.safe_load("\n".join(block)) == {key: " ".join(value.split())}
    except yaml.YAMLError:
        same = False
    return block if same else [f"{key}: {_quote(value)}"]


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(v if re.match(SLUG, v) else _quote(v) for v in values) + "]"


def _pattern(text: str, kind: str, match: str | None) -> list[str]:
    if not any(ch.isalnum() for ch in text):
        return [f"  - emoji: {_quote(text)}"]
    mode = match or ("token" if kind == "number" else "word")
    return [f"  - text: {_quote(text)}", f"    match: {mode}"]


def render(new: NewEntry) -> str:
    """The YAML text of the entry, every required field filled in, dates set to today."""
    if not re.match(SLUG, new.id):
        raise ScaffoldError(f"id {new.id!r} is not a slug: lowercase letters, digits and hyphens")
    gaps = missing(vars(new))
    if gaps:
        raise ScaffoldError(f"missing: {', '.join(gaps)}")
    today = new.today.isoformat()
    out = [
        SCHEMA_COMMENT,
        f"id: {new.id}",
        f"title: {_quote(new.title)}",
        f"title_en: {_quote(new.title_en)}",
        f"kind: {new.kind}",
        f"ideologies: {_flow(new.ideologies)}",
    ]
    if new.movements:
        out.append(f"movements: {_flow(new.movements)}")
    out += [f"languages: {_flow(new.languages)}", f"assessment: {new.assessment}"]
    out += _prose("summary", new.summary) + _prose("summary_en", new.summary_en)
    if new.benign_uses:
        out += _prose("benign_uses", new.benign_uses)
    if new.benign_uses_en:
        out += _prose("benign_uses_en", new.benign_uses_en)
    out.append("patterns:")
    for text in new.patterns:
        out += _pattern(text, new.kind, new.match)
    out += ["examples:", "  match:"] + [f"    - {_quote(t)}" for t in new.examples_match]
    out += ["  no_match:"] + [f"    - {_quote(t)}" for t in new.examples_no_match]
    out += [
        "sources:",
        f"  - title: {_quote(new.source_title)}",
        f"    url: {new.source_url}",
        f"    publisher: {_quote(new.source_publisher)}",
        f"    accessed: {today}",
    ]
    if new.related:
        out.append(f"related: {_flow(new.related)}")
    out += ["status: active", f"added: {today}", f"updated: {today}"]
    return "\n".join(out) + "\n"


def write_entry(data_dir: Path, new: NewEntry, *, overwrite: bool = False) -> Path:
    """Write `data_dir/entries/<id>.yaml`; refuse to replace an existing entry."""
    text = render(new)
    path = data_dir / "entries" / f"{new.id}.yaml"
    if path.exists() and not overwrite:
        raise ScaffoldError(f"{path} already exists; ids are never reused, choose another id")
    if not (data_dir / "vocab").is_dir():
        raise ScaffoldError(f"{data_dir} is not a data folder (it has no vocab/)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(data_dir: Path, path: Path, *, check_examples: bool = True) -> list[Problem]:
    """Validate the whole data folder and keep the problems of `path`."""
    from .validate import validate_dir

    loaded, problems = validate_dir(data_dir, check_examples=check_examples)
    rel = loaded.rel(path)
    return [p for p in problems if p.path == rel]
