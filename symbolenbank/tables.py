"""The tables of a built database: columns, keys and foreign keys, in the order they are created.

`matchers` reads `entries`, `patterns`, `images` and `releases` (see matchers/bundle.py for the
columns it relies on); Datasette publishes all of them. List values are stored as JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

#: The columns of the full-text index over entries.
FTS_COLUMNS = ["title", "title_en", "summary", "summary_en", "pattern_texts"]


@dataclass(frozen=True)
class Table:
    columns: dict[str, type]
    pk: str | tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


def _of(*names: str, ints: tuple[str, ...] = ()) -> dict[str, type]:
    """Columns `names` in this order, text unless listed in `ints`."""
    return {name: int if name in ints else str for name in names}


_VOCAB = _of("id", "label", "label_en", "description", "description_en")


def _child(*columns: str, ints: tuple[str, ...] = ()) -> Table:
    """A table of rows that belong to one entry each, with an integer row id."""
    return Table(
        _of("id", "entry_id", *columns, ints=("id", *ints)),
        "id",
        (("entry_id", "entries", "id"),),
    )


def _link(column: str, other: str) -> Table:
    """A many-to-many table between entries and `other`."""
    return Table(
        _of("entry_id", column),
        ("entry_id", column),
        (("entry_id", "entries", "id"), (column, other, "id")),
    )


TABLES: dict[str, Table] = {
    "ideologies": Table(_VOCAB, "id"),
    "kinds": Table(_VOCAB, "id"),
    "assessments": Table(_VOCAB, "id"),
    "number_cues": Table(_of("id", "language", "position", "cue"), "id"),
    "movements": Table(
        _of("id", "name", "ideologies", "description", "description_en", "sources"), "id"
    ),
    "entries": Table(
        _of(
            "id",
            "title",
            "title_en",
            "kind",
            "assessment",
            "status",
            "visibility",
            "summary",
            "summary_en",
            "benign_uses",
            "benign_uses_en",
            "ideologies",
            "movements",
            "languages",
            "context_requires_any",
            "context_window",
            "context_common",
            "exceptions",
            "related",
            "pattern_texts",
            "image",
            "added",
            "updated",
            "source_file",
            ints=("context_window",),
        ),  # fmt: skip
        "id",
        (("kind", "kinds", "id"), ("assessment", "assessments", "id")),
    ),
    "patterns": _child(
        "text", "is_emoji", "match", "lang", "note", "fuzzy", ints=("is_emoji", "fuzzy")
    ),
    "sources": _child("title", "url", "publisher", "accessed"),
    "examples": _child("text", "expect"),
    "images": _child(
        "file",
        "phash",
        "dhash",
        "pdq",
        "pdq_quality",
        "note",
        "pdq_threshold",
        "pdq_confirm",
        ints=("pdq_quality", "pdq_threshold", "pdq_confirm"),
    ),  # fmt: skip
    "entry_ideologies": _link("ideology_id", "ideologies"),
    "entry_movements": _link("movement_id", "movements"),
    "related": _link("related_id", "entries"),
    "releases": Table(
        _of(
            "version",
            "content_hash",
            "scope",
            "built_at",
            "git_commit",
            "build_id",
            "entries",
            "patterns",
            "images",
            "sources",
            ints=("entries", "patterns", "images", "sources"),
        ),  # fmt: skip
        "content_hash",
    ),
}
#: Indexes on columns the published pages and the matchers look rows up by.
INDEXES = (
    ("patterns", "entry_id"),
    ("sources", "entry_id"),
    ("examples", "entry_id"),
    ("images", "entry_id"),
    ("patterns", "text"),
)


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every table of `TABLES`, empty."""
    for name, table in TABLES.items():
        if table.foreign_keys:
            db[name].create(table.columns, pk=table.pk, foreign_keys=list(table.foreign_keys))
        else:
            db[name].create(table.columns, pk=table.pk)
