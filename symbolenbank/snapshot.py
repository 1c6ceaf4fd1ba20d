"""One state of the knowledge base, as nested entry records: from a build, a bundle or a git ref.

A side of a comparison or a release is a built database, a release bundle (`symbolenbank.json`
or the folder holding it), a data folder or a git ref; `snapshot()` turns any of them into a
`Snapshot`. Entry records are shaped like the bundle's: an entry's columns with its children
(`CHILD_TABLES`) as lists, list columns as lists.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from matchers.bundle import CHILD_TABLES, BundleError, bundle_file
from matchers.bundle import read_bundle as parse_bundle

from .build import write_database
from .validate import validate_dir

#: Columns of `entries` that hold JSON lists.
JSON_COLUMNS = (
    "ideologies",
    "movements",
    "languages",
    "context_requires_any",
    "context_common",
    "exceptions",
    "related",
)
VOCABULARIES = ("ideologies", "movements", "kinds", "assessments", "number_cues")

__all__ = [
    "CHILD_TABLES",
    "JSON_COLUMNS",
    "Snapshot",
    "SnapshotError",
    "build_data",
    "export_ref",
    "read_bundle",
    "read_db",
    "snapshot",
]


class SnapshotError(Exception):
    """A side of a comparison could not be read or built; the message says which and why."""

    def __init__(self, message: str, problems: list[Any] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class Snapshot:
    """One state of the knowledge base: entry records by id, and the release row it came from."""

    label: str
    entries: dict[str, dict[str, Any]]
    release: dict[str, Any] = field(default_factory=dict)
    vocab: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    db_path: Path | None = None
    bundle_path: Path | None = None


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql)]


def read_db(path: Path, label: str | None = None) -> Snapshot:
    """Read a built database into nested entry records (children without their row ids)."""
    if not path.is_file():
        raise SnapshotError(f"{path}: no such database")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        entries = {r["id"]: r for r in _rows(conn, "select * from entries order by id")}
        for table in CHILD_TABLES:
            for row in _rows(conn, f"select * from {table} order by id"):  # noqa: S608 - fixed names
                entry = entries.get(row.pop("entry_id"))
                row.pop("id", None)
                if entry is not None:
                    entry.setdefault(table, []).append(row)
        release = next(iter(_rows(conn, "select * from releases limit 1")), {})
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        vocab = {
            name: _rows(conn, f"select * from {name} order by id")  # noqa: S608 - fixed names
            for name in VOCABULARIES
            if name in tables  # a database built before `number_cues` existed has no such table
        }
        conn.close()
    except sqlite3.Error as exc:
        raise SnapshotError(f"{path}: not a Symbolenbank database ({exc})") from None
    for entry in entries.values():
        for column in JSON_COLUMNS:
            if isinstance(entry.get(column), str):
                entry[column] = json.loads(entry[column])
        for table in CHILD_TABLES:
            entry.setdefault(table, [])
    for item in vocab.get("movements", []):
        for column in ("ideologies", "sources"):
            if isinstance(item.get(column), str):
                item[column] = json.loads(item[column])
    return Snapshot(label or str(path), entries, release, vocab, path)


def read_bundle(path: Path, label: str | None = None) -> Snapshot:
    """Read a release bundle's `symbolenbank.json` (`matchers.bundle` checks its format)."""
    try:
        doc = parse_bundle(path)
        entries = {e["id"]: e for e in doc["entries"]}
    except BundleError as exc:
        raise SnapshotError(str(exc)) from None
    except (KeyError, TypeError) as exc:
        raise SnapshotError(f"{path}: not a Symbolenbank bundle ({exc})") from None
    release, vocab = doc.get("release", {}), doc.get("vocab", {})
    return Snapshot(label or str(path), entries, release, vocab, bundle_path=path)


def build_data(data_dir: Path, output: Path) -> Path:
    """Build every entry of `data_dir` (restricted ones too: reviewers see the whole change)."""
    data, problems = validate_dir(data_dir, check_examples=False)
    if problems:
        raise SnapshotError(
            f"{data_dir}: {len(problems)} problem(s); run `symbolenbank validate`", problems
        )
    write_database(data, output, [le.entry for le in data.entries], scope="all")
    return output


def export_ref(ref: str, repo: Path, dest: Path, data_path: str = "data") -> Path:
    """Extract `data_path` as it is at git `ref` into `dest`; return the extracted folder."""

    def git(*args: str) -> bytes:
        try:
            out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
        except FileNotFoundError:
            raise SnapshotError("git is not installed") from None
        except subprocess.CalledProcessError as exc:
            msg = exc.stderr.decode("utf-8", "replace").strip()
            raise SnapshotError(
                f"{ref!r} is neither a database file nor a git ref in {repo}: {msg}"
            ) from None
        return out.stdout

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    blob = git("archive", "--format=tar", ref, "--", data_path)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(dest, filter="data")
    return dest / data_path


def snapshot(spec: str, *, workdir: Path, repo: Path = Path(".")) -> Snapshot:
    """A side of a comparison from a database, bundle JSON, data folder or git ref.

    Data folders and git refs are built into a database under `workdir`, which the caller keeps
    for as long as it uses the snapshot.
    """
    path = Path(spec)
    doc = bundle_file(path)
    if doc is not None:
        return read_bundle(doc, spec)
    if path.is_file():
        return read_db(path, spec)
    tmp = Path(tempfile.mkdtemp(dir=workdir))
    if path.is_dir() and (path / "vocab").is_dir():
        data_dir = path
    else:
        data_dir = export_ref(spec, repo, tmp / "tree")
    return read_db(build_data(data_dir, tmp / "snapshot.db"), spec)
