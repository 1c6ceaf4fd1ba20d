"""Turn `data/` into the public and restricted SQLite databases.

The tables are those of ARCHITECTURE.md; which entries go to which file is in data/README.md
("Restricted entries"). The matcher's columns come from `rules`, which the validator shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from . import __version__, buildfiles, common_shapes
from .loading import KnowledgeData, Problem
from .models import Entry
from .rules import context_columns, knowledge_languages, pattern_row
from .tables import FTS_COLUMNS, INDEXES, create_tables
from .validate import validate_dir


class BuildError(Exception):
    """The data has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the data")
        self.problems = problems


@dataclass(frozen=True)
class BuildResult:
    output: Path
    content_hash: str
    counts: dict[str, int]
    restricted_output: Path | None = None
    restricted_hash: str | None = None
    build_id: str | None = None  # the same in both files; None for a public file alone


def published(entries: Iterable[Entry]) -> list[Entry]:
    """`entries` sorted by id, as a database holding only them shows them: `related` names no
    entry outside them, so the public file never gives away the id of a restricted entry."""
    chosen = sorted(entries, key=lambda e: e.id)
    ids = {e.id for e in chosen}
    return [e.model_copy(update={"related": [r for r in e.related if r in ids]}) for e in chosen]


def content_hash(data: KnowledgeData, entries: Iterable[Entry]) -> str:
    """SHA-256 of the data a database is built from: same data, same hash. Only what the
    database shows counts (:func:`published`), so the public hash cannot confirm a guessed
    restricted id."""
    chosen = published(entries)
    files = sorted({img.file for e in chosen for img in e.images if img.file})
    doc = {
        "entries": [e.model_dump(mode="json") for e in chosen],
        "vocab": {
            name: [item.model_dump(mode="json") for item in items]
            for name, items in sorted(data.vocab.items())
        },
        "images": {f: hashlib.sha256((data.root / f).read_bytes()).hexdigest() for f in files},
    }
    blob = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def git_commit(path: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _image_hashes(data: KnowledgeData, file: str) -> dict[str, Any]:
    from matchers.hashing import hash_image

    return dict(hash_image(data.root / file))


#: Columns of an entry row taken from the entry as they are; the rest are derived.
ENTRY_FIELDS = {
    "id", "title", "title_en", "kind", "assessment", "status", "visibility", "summary",
    "summary_en", "benign_uses", "benign_uses_en", "ideologies", "movements", "languages",
    "exceptions", "related", "added", "updated",
}  # fmt: skip


def _entry_row(e: Entry, source_file: str | None, langs: list[str]) -> dict[str, Any]:
    return {
        **e.model_dump(mode="json", include=ENTRY_FIELDS),
        **context_columns(e, langs),
        "pattern_texts": " | ".join(p.value for p in e.patterns),
        "image": next((img.file for img in e.images if img.file), None),
        "source_file": source_file,
    }


def _example_rows(e: Entry) -> list[dict[str, Any]]:
    if not e.examples:
        return []
    return [{"entry_id": e.id, "text": text, "expect": "match"} for text in e.examples.match] + [
        {"entry_id": e.id, "text": text, "expect": "no_match"} for text in e.examples.no_match
    ]


def _image_rows(data: KnowledgeData, e: Entry, hash_images: bool) -> list[dict[str, Any]]:
    """The image rows of `e`: hashes given in the entry win over those computed from its file.
    Each row gets the thresholds that keep it from matching common shapes (`common_shapes`)."""
    rows = []
    for img in e.images:
        row: dict[str, Any] = {"entry_id": e.id, **img.model_dump(mode="json")}
        row["pdq_quality"] = None
        if img.file and hash_images:
            computed = _image_hashes(data, img.file)
            for key in ("phash", "dhash", "pdq", "pdq_quality"):
                if row.get(key) is None:
                    row[key] = computed.get(key)
        row.update(common_shapes.guard(row))
        rows.append(row)
    return rows


def entry_rows(
    data: KnowledgeData, entries: list[Entry], *, hash_images: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """The rows of `entries` for each table that holds them, in the order they are inserted."""
    ids = {e.id for e in entries}
    sources_of = {le.entry.id: data.rel(le.source.path) for le in data.entries}
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "entries", "patterns", "sources", "examples", "images",
            "entry_ideologies", "entry_movements", "related",
        )
    }  # fmt: skip
    # the languages of what this file holds: a restricted entry must not shape the public file
    langs = knowledge_languages(entries)
    for e in entries:
        rows["entries"].append(_entry_row(e, sources_of.get(e.id), langs))
        rows["patterns"] += [pattern_row(e.id, p) for p in e.patterns]
        rows["sources"] += [{"entry_id": e.id, **s.model_dump(mode="json")} for s in e.sources]
        rows["examples"] += _example_rows(e)
        rows["images"] += _image_rows(data, e, hash_images)
        rows["entry_ideologies"] += [{"entry_id": e.id, "ideology_id": i} for i in e.ideologies]
        rows["entry_movements"] += [{"entry_id": e.id, "movement_id": m} for m in e.movements]
        rows["related"] += [{"entry_id": e.id, "related_id": r} for r in e.related if r in ids]
    return rows


def write_database(
    data: KnowledgeData,
    output: Path,
    entries: list[Entry],
    *,
    hash_images: bool = True,
    scope: str = "public",
    commit: str | None = None,
    check_foreign_keys: bool = True,
) -> dict[str, int]:
    """Write `entries` (and the vocabularies) to a new SQLite file at `output`, atomically: to a
    temporary file of its own next to it first (`buildfiles`)."""
    with buildfiles.temporary(output) as tmp:
        counts = fill_database(
            data, tmp, entries, hash_images=hash_images, scope=scope, commit=commit,
            check_foreign_keys=check_foreign_keys,
        )  # fmt: skip
        buildfiles.replace(tmp, output)
    return counts


def fill_database(
    data: KnowledgeData,
    path: Path,
    entries: list[Entry],
    *,
    hash_images: bool = True,
    scope: str = "public",
    commit: str | None = None,
    check_foreign_keys: bool = True,
    build_id: str | None = None,
) -> dict[str, int]:
    """Fill the new, empty SQLite file `path` with `entries` and the vocabularies."""
    entries = published(entries)
    db = sqlite_utils.Database(path)
    create_tables(db)
    for name in ("ideologies", "kinds", "assessments"):
        db[name].insert_all(item.model_dump() for item in data.vocab.get(name, []))
    db["movements"].insert_all(m.model_dump(mode="json") for m in data.vocab.get("movements", []))
    db["number_cues"].insert_all(c.model_dump() for c in data.vocab.get("number_cues", []))
    rows = entry_rows(data, entries, hash_images=hash_images)
    for table, table_rows in rows.items():
        db[table].insert_all(table_rows)
    for table, column in INDEXES:
        db[table].create_index([column])
    db["entries"].enable_fts(FTS_COLUMNS, tokenize="unicode61 remove_diacritics 2")
    counts = {name: len(rows[name]) for name in ("entries", "patterns", "images", "sources")}
    db["releases"].insert(
        {
            "version": __version__,
            "content_hash": content_hash(data, entries),
            "scope": scope,
            "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "git_commit": commit,
            "build_id": build_id,
            **counts,
        }
    )
    problems = list(db.conn.execute("PRAGMA foreign_key_check")) if check_foreign_keys else []
    db.conn.commit()
    db.close()
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    return counts


def build_database(
    data_dir: Path,
    output: Path,
    *,
    restricted_output: Path | None = None,
    check_examples: bool = True,
    on_wait: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Validate `data_dir`, then write the public database and, if asked, the restricted one.

    The public file holds only `visibility: public` entries. The restricted file holds the whole
    knowledge base, restricted entries included, for authenticated analysts. The two are one
    build: their `releases` rows carry the same random `build_id` (`is_current` checks it). Both
    are written in full before either is put in place, the restricted one first and the public
    one last: a build killed in between leaves the old public file, and a pair whose ids
    differ. A second build of the same pair waits for this one (`on_wait` is told), so that the
    renames of two builds cannot interleave.
    """
    data, problems = validate_dir(data_dir, check_examples=check_examples)
    if problems:
        raise BuildError(problems)
    commit = git_commit(data_dir)
    public = [le.entry for le in data.entries if le.entry.visibility == "public"]
    everything = [le.entry for le in data.entries]
    if restricted_output is None:  # one file needs no lock: its temporary name is its own
        counts = write_database(data, output, public, commit=commit)
        return BuildResult(output, content_hash(data, public), counts)
    build_id = uuid.uuid4().hex
    with buildfiles.locked([output, restricted_output], on_wait):
        buildfiles.remove_leftovers(output)
        buildfiles.remove_leftovers(restricted_output)
        with buildfiles.temporary(output) as tmp, buildfiles.temporary(restricted_output) as rtmp:
            counts = fill_database(data, tmp, public, commit=commit, build_id=build_id)
            fill_database(
                data, rtmp, everything, scope="restricted", commit=commit, build_id=build_id
            )
            buildfiles.replace(rtmp, restricted_output)
            buildfiles.replace(tmp, output)
    return BuildResult(
        output,
        content_hash(data, public),
        counts,
        restricted_output,
        content_hash(data, everything),
        build_id,
    )


def stored_release(db_path: Path) -> dict[str, Any] | None:
    """The `releases` row of a built database, or None if it is not a build."""
    if not db_path.is_file():
        return None
    try:
        db = sqlite_utils.Database(db_path)
        try:
            row = next(db.query("select * from releases limit 1"), None)
        finally:
            db.close()
    except Exception:  # any unreadable or foreign file counts as stale
        return None
    return row


def is_current(data: KnowledgeData, output: Path, restricted_output: Path) -> bool:
    """Whether `output` and `restricted_output` are one build (the same `build_id`) of `data`."""
    public = [le.entry for le in data.entries if le.entry.visibility == "public"]
    everything = [le.entry for le in data.entries]
    releases = [stored_release(output), stored_release(restricted_output)]
    if releases[0] is None or releases[1] is None:
        return False
    ids = {release.get("build_id") for release in releases}
    return (
        len(ids) == 1
        and None not in ids
        and releases[0].get("content_hash") == content_hash(data, public)
        and releases[1].get("content_hash") == content_hash(data, everything)
    )


def stored_hash(db_path: Path) -> str | None:
    """The content hash a built database was made from, or None if it is not a build."""
    release = stored_release(db_path)
    return release.get("content_hash") if release else None
