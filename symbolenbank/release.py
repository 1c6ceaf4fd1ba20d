"""Versioned releases: the public database, a JSON/CSV bundle, hash lists, a changelog and a delta.

A release directory `release/<version>/` holds files whose bytes depend only on the data and the
release version and date: `symbolenbank.db`, `symbolenbank.json`, `entries.csv`, `patterns.csv`,
`hashes.te.csv` (ThreatExchange `dataset --csv` form), `simple.HASH_*.te` (HMA 1.x),
`delta.json` and `SHA256SUMS`. Where and from which commit it was made goes to `release.json`,
outside the content hash.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchers.bundle import BUNDLE_FORMAT, BUNDLE_JSON
from matchers.hashlists import hma_file_name
from matchers.image import ImageMatcher

from .build import BuildError, build_database, git_commit
from .compare import Diff, compare
from .snapshot import CHILD_TABLES, Snapshot, SnapshotError, read_bundle, read_db

CALVER = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d+)$")
DELTA_FORMAT = "symbolenbank-delta"
FORMAT_VERSION = 1
PATTERN_COLUMNS = ("entry_id", "text", "is_emoji", "match", "lang", "note", "fuzzy")


class ReleaseError(Exception):
    """A release could not be made; the message says what to change."""

    def __init__(self, message: str, problems: list[Any] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class ReleaseResult:
    version: str
    directory: Path
    content_hash: str
    bundle_hash: str
    since: str | None
    diff: Diff
    changelog: Path | None


def parse_version(version: str) -> tuple[int, int, int]:
    m = CALVER.match(version)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ReleaseError(f"version {version!r} is not CalVer YYYY.MM.N (e.g. 2026.11.0)")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def released_versions(root: Path) -> list[str]:
    """Versions with a bundle under `root`, oldest first."""
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if CALVER.match(p.name) and (p / BUNDLE_JSON).is_file()]
    return sorted(found, key=parse_version)


def next_version(existing: list[str], today: dt.date) -> str:
    """`YYYY.MM.N` for `today`, N one more than the last release of that month (else 0)."""
    same_month = [
        parse_version(v)[2] for v in existing if parse_version(v)[:2] == (today.year, today.month)
    ]
    return f"{today.year}.{today.month}.{max(same_month) + 1 if same_month else 0}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def write_csvs(snap: Snapshot, directory: Path) -> None:
    """`entries.csv` (one row per entry, lists as JSON) and `patterns.csv` (one per pattern)."""
    entries = [snap.entries[k] for k in sorted(snap.entries)]
    columns = [k for k in (entries[0] if entries else {}) if k not in CHILD_TABLES]
    with (directory / "entries.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        w.writerows([_csv_value(e.get(c)) for c in columns] for e in entries)
    with (directory / "patterns.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([*PATTERN_COLUMNS, "kind", "assessment", "status"])
        for e in entries:
            for p in e.get("patterns", []):
                row = {**p, "entry_id": e["id"]}
                extra = [e.get("kind"), e.get("assessment"), e.get("status")]
                w.writerow([_csv_value(row.get(c)) for c in PATTERN_COLUMNS] + extra)


def write_hash_lists(db: Path, directory: Path) -> list[str]:
    """The project's image hashes as ThreatExchange CSV and one HMA file per algorithm: those
    that match on their own (`ImageMatcher.export_csv`); a drawing's pHash and dHash count only
    with its PDQ, which a hash list cannot say."""
    matcher = ImageMatcher.from_db(db)
    files = ["hashes.te.csv"]
    matcher.export_csv(directory / "hashes.te.csv", format="te")
    for algorithm in sorted({r.algorithm for r in matcher.records(standalone=True)}):
        name = hma_file_name(algorithm)
        matcher.export_csv(directory / name, format="hma", algorithms=(algorithm,))
        files.append(name)
    return files


def delta_feed(diff: Diff, since: str | None, version: str) -> dict[str, Any]:
    """What a platform applies to go from `since` to `version`: upsert each entry, drop removed."""
    changes: list[dict[str, Any]] = []
    for eid in sorted(set(diff.added) | set(diff.changed) | set(diff.removed)):
        if eid in diff.added:
            kind, fields = "added", []
        elif eid in diff.removed:
            kind, fields = "removed", []
        else:
            fields = [c.field for c in diff.changed[eid]]
            kind = (
                "retired"
                if eid in diff.retired
                else "reactivated"
                if eid in diff.reactivated
                else "changed"
            )
        entry = diff.head.entries.get(eid)
        changes.append({"id": eid, "change": kind, "fields": fields, "entry": entry})
    return {
        "format": DELTA_FORMAT,
        "format_version": FORMAT_VERSION,
        "from": since,
        "to": version,
        "from_content_hash": diff.base.release.get("content_hash"),
        "to_content_hash": diff.head.release.get("content_hash"),
        "changes": changes,
    }


def changelog_section(diff: Diff, version: str, date: dt.date, since: str | None) -> str:
    head = diff.head
    patterns = sum(len(e.get("patterns", [])) for e in head.entries.values())
    changed = [e for e in diff.changed if e not in diff.retired]
    lines = [
        f"## {version} — {date.isoformat()}",
        "",
        f"{len(head.entries)} entries, {patterns} patterns. Since {since or 'the start'}: "
        f"{len(diff.added)} added, {len(changed)} changed, {len(diff.retired)} retired, "
        f"{len(diff.removed)} removed.",
    ]

    def title(eid: str, snap: Snapshot) -> str:
        e = snap.entries[eid]
        return f"`{eid}` — {e.get('title')} ({e.get('assessment')})"

    sections = (
        ("Added", [title(e, head) for e in diff.added]),
        (
            "Changed",
            [f"{title(e, head)}: {', '.join(c.field for c in diff.changed[e])}" for e in changed],
        ),
        ("Retired", [title(e, head) for e in diff.retired]),
        ("Removed", [title(e, diff.base) for e in diff.removed]),
    )
    for name, items in sections:
        if items:
            lines += ["", f"### {name}", ""] + [f"- {item}" for item in items]
    return "\n".join(lines) + "\n"


def _has_section(path: Path, version: str) -> bool:
    if not path.is_file():
        return False
    return bool(re.search(rf"^## {re.escape(version)}\b", path.read_text(encoding="utf-8"), re.M))


def add_to_changelog(path: Path, section: str, version: str) -> None:
    """Insert `section` above the newest release in `path` (created if missing)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if _has_section(path, version):
        raise ReleaseError(f"{path} already has a section for {version}; versions are immutable")
    if not text.strip():
        text = "# Changelog\n\nReleases of the Symbolenbank knowledge base (CalVer YYYY.MM.N).\n"
    m = re.search(r"^## ", text, re.M)
    at = m.start() if m else len(text)
    before = text[:at].rstrip("\n") + "\n\n"
    after = text[at:]
    path.write_text(before + section + ("\n" + after if after else ""), encoding="utf-8")


def _stamp(db: Path, version: str, date: dt.date) -> None:
    """Record the release version and date (not the wall clock) so the file is reproducible."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "update releases set version = ?, built_at = ?, git_commit = null",
            (version, date.isoformat()),
        )
    conn.execute("vacuum")
    conn.close()


def _previous(root: Path, since: str | None, version: str) -> tuple[str | None, Snapshot]:
    empty = Snapshot("(nothing)", {})
    if since is not None:
        path = Path(since)
        if path.is_file() or (path / BUNDLE_JSON).is_file():
            bundle = path if path.is_file() else path / BUNDLE_JSON
            snap = read_bundle(bundle)
            return str(snap.release.get("version") or since), snap
        parse_version(since)
        bundle = root / since / BUNDLE_JSON
        if not bundle.is_file():
            raise ReleaseError(f"no release {since} under {root}/ (looked for {bundle})")
        return since, read_bundle(bundle, since)
    older = [v for v in released_versions(root) if parse_version(v) < parse_version(version)]
    if not older:
        return None, empty
    return older[-1], read_bundle(root / older[-1] / BUNDLE_JSON, older[-1])


def make_release(
    data_dir: Path,
    root: Path = Path("release"),
    *,
    version: str | None = None,
    since: str | None = None,
    changelog: Path | None = Path("CHANGELOG.md"),
    date: dt.date | None = None,
) -> ReleaseResult:
    """Validate and build `data_dir`, then write `root/<version>/` and the changelog section."""
    date = date or dt.date.today()
    version = version or next_version(released_versions(root), date)
    parse_version(version)
    directory = root / version
    if directory.exists():
        raise ReleaseError(
            f"{directory} already exists; releases are immutable, pick a new version"
        )
    if changelog is not None and _has_section(changelog, version):
        raise ReleaseError(f"{changelog} already has a section for {version}")
    try:
        since, base = _previous(root, since, version)
    except SnapshotError as exc:
        raise ReleaseError(f"cannot read the release to compare with: {exc}") from exc
    directory.mkdir(parents=True)
    db = directory / "symbolenbank.db"
    try:
        result = build_database(data_dir, db)
    except BuildError as exc:
        directory.rmdir()
        raise ReleaseError(f"{len(exc.problems)} problem(s) in the data", exc.problems) from exc
    _stamp(db, version, date)
    head = read_db(db, version)
    bundle = {
        "format": BUNDLE_FORMAT,
        "format_version": FORMAT_VERSION,
        "version": version,
        "release": head.release,
        "vocab": head.vocab,
        "entries": [head.entries[k] for k in sorted(head.entries)],
    }
    _write_json(directory / BUNDLE_JSON, bundle)
    write_csvs(head, directory)
    hash_files = write_hash_lists(db, directory)
    diff = compare(base, head)
    _write_json(directory / "delta.json", delta_feed(diff, since, version))
    files = [
        "symbolenbank.db",
        BUNDLE_JSON,
        "entries.csv",
        "patterns.csv",
        *hash_files,
        "delta.json",
    ]
    sums = "".join(f"{_sha256(directory / f)}  {f}\n" for f in sorted(files))
    (directory / "SHA256SUMS").write_text(sums, encoding="utf-8")
    bundle_hash = hashlib.sha256(sums.encode()).hexdigest()
    _write_json(
        directory / "release.json",
        {
            "version": version,
            "date": date.isoformat(),
            "since": since,
            "content_hash": result.content_hash,
            "bundle_hash": bundle_hash,
            "git_commit": git_commit(data_dir),
            "files": sorted(files),
        },
    )
    if changelog is not None:
        add_to_changelog(changelog, changelog_section(diff, version, date, since), version)
    return ReleaseResult(
        version, directory, result.content_hash, bundle_hash, since, diff, changelog
    )
