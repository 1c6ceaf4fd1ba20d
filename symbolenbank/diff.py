"""Compare two builds of the knowledge base: entries, fields and patterns, for review and release.

A side of a comparison is a built database, a release bundle (`symbolenbank.json`), a data folder
or a git ref; `snapshot()` turns any of them into a `Snapshot` of nested entry records.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

#: Columns of `entries` that hold JSON lists.
JSON_COLUMNS = (
    "ideologies",
    "movements",
    "languages",
    "context_requires_any",
    "exceptions",
    "related",
)
#: Child tables carried inside each entry record, in this order.
CHILD_TABLES = ("patterns", "sources", "examples", "images")
#: Derived or location-only columns, not part of what an entry says.
NOT_COMPARED = ("source_file", "pattern_texts")


class DiffError(Exception):
    """A side of the comparison could not be read or built; the message says which and why."""

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
        raise DiffError(f"{path}: no such database")
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
        vocab = {
            name: _rows(conn, f"select * from {name} order by id")  # noqa: S608 - fixed names
            for name in ("ideologies", "movements", "kinds", "assessments")
        }
        conn.close()
    except sqlite3.Error as exc:
        raise DiffError(f"{path}: not a Symbolenbank database ({exc})") from None
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
    """Read a release bundle's `symbolenbank.json`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["id"]: e for e in doc["entries"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DiffError(f"{path}: not a Symbolenbank bundle ({exc})") from None
    release, vocab = doc.get("release", {}), doc.get("vocab", {})
    return Snapshot(label or str(path), entries, release, vocab, bundle_path=path)


def build_data(data_dir: Path, output: Path) -> Path:
    """Build every entry of `data_dir` (restricted ones too: reviewers see the whole change)."""
    from .build import write_database
    from .validate import validate_dir

    data, problems = validate_dir(data_dir, check_examples=False)
    if problems:
        raise DiffError(
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
            raise DiffError("git is not installed") from None
        except subprocess.CalledProcessError as exc:
            msg = exc.stderr.decode("utf-8", "replace").strip()
            raise DiffError(
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
    if path.is_file():
        return read_bundle(path, spec) if path.suffix == ".json" else read_db(path, spec)
    if path.is_dir() and (path / "symbolenbank.json").is_file():
        return read_bundle(path / "symbolenbank.json", spec)
    tmp = Path(tempfile.mkdtemp(dir=workdir))
    if path.is_dir() and (path / "vocab").is_dir():
        data_dir = path
    else:
        data_dir = export_ref(spec, repo, tmp / "tree")
    return read_db(build_data(data_dir, tmp / "snapshot.db"), spec)


def diff_report(
    base: str, head: str, *, repo: Path = Path("."), corpus: list[Path] | None = None
) -> tuple[Diff, str]:
    """Compare `base` with `head` and render the pull-request report.

    `corpus` is the benign text to measure new patterns against (see `corpus_paths`); an empty
    list skips that measurement.
    """
    with tempfile.TemporaryDirectory(prefix="symbolenbank-diff-") as tmp:
        diff = compare(
            snapshot(base, workdir=Path(tmp), repo=repo),
            snapshot(head, workdir=Path(tmp), repo=repo),
        )
        text_corpus = read_corpus(corpus) if corpus else None
        risks, note = assess(diff, text_corpus)
    return diff, render_markdown(diff, risks, text_corpus, note)


# ---------------------------------------------------------------------------------------------
# Comparing two snapshots


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def items_added(self) -> list[Any]:
        return _list_minus(self.after, self.before)

    @property
    def items_removed(self) -> list[Any]:
        return _list_minus(self.before, self.after)


@dataclass(frozen=True)
class PatternRef:
    entry_id: str
    text: str
    match: str
    lang: str | None
    is_emoji: bool


@dataclass
class Diff:
    base: Snapshot
    head: Snapshot
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    patterns_added: list[PatternRef] = field(default_factory=list)
    patterns_removed: list[PatternRef] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.removed or self.reactivated)


def _list_minus(a: Any, b: Any) -> list[Any]:
    a, b = a or [], b or []
    return [x for x in a if x not in b] if isinstance(a, list) else []


def comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """What an entry says, without derived and location-only columns."""
    return {k: v for k, v in entry.items() if k not in NOT_COMPARED}


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    a, b = comparable(before), comparable(after)
    keys = list(a) + [k for k in b if k not in a]
    return [FieldChange(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def _pattern_refs(snap: Snapshot) -> dict[tuple[str, bool, str], PatternRef]:
    from .validate import pattern_key

    refs = {}
    for eid, entry in snap.entries.items():
        if entry.get("status") != "active":
            continue
        for p in entry.get("patterns", []):
            ref = PatternRef(eid, p["text"], p["match"], p.get("lang"), bool(p["is_emoji"]))
            refs[(eid, *pattern_key(p["text"], ref.is_emoji))] = ref
    return refs


def compare(base: Snapshot, head: Snapshot) -> Diff:
    """Entries added, changed field by field, retired, removed; active patterns added/removed."""
    diff = Diff(base, head)
    for eid in sorted(set(base.entries) | set(head.entries)):
        before, after = base.entries.get(eid), head.entries.get(eid)
        if before is None:
            diff.added.append(eid)
            continue
        if after is None:
            diff.removed.append(eid)
            continue
        changes = field_changes(before, after)
        if not changes:
            continue
        diff.changed[eid] = changes
        if before.get("status") == "active" and after.get("status") == "retired":
            diff.retired.append(eid)
        elif before.get("status") == "retired" and after.get("status") == "active":
            diff.reactivated.append(eid)
    old, new = _pattern_refs(base), _pattern_refs(head)
    diff.patterns_added = [new[k] for k in sorted(new.keys() - old.keys())]
    diff.patterns_removed = [old[k] for k in sorted(old.keys() - new.keys())]
    return diff


# ---------------------------------------------------------------------------------------------
# False-positive risk of new patterns

#: Real prose nobody in this project wrote: the Debian Edu manuals in Dutch and English
#: (GPL-2+, installed by scripts/system-deps.sh). They are read in place, never copied.
DEFAULT_CORPUS = (
    Path("/usr/share/doc/debian-edu-doc-nl"),
    Path("/usr/share/doc/debian-edu-doc-en"),
)
CORPUS_ENV = "SYMBOLENBANK_BENIGN_CORPUS"
CORPUS_SUFFIXES = (".html", ".htm", ".txt", ".md")
SAMPLE_CONTEXT = 40


class _TextOnly(HTMLParser):
    BLOCKS = {"p", "li", "div", "br", "tr", "td", "th", "dt", "dd", "pre", "title", "section"}
    BLOCKS |= {f"h{i}" for i in range(1, 7)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


@dataclass
class Corpus:
    """Paragraphs of benign text, and the paths asked for that were not there."""

    paths: list[Path]
    lines: list[str] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(line.split()) for line in self.lines)


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        parser = _TextOnly()
        parser.feed(text)
        text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if len(line.split()) >= 3]


def corpus_paths(option: list[Path] | None = None) -> list[Path]:
    """The paths given, else $SYMBOLENBANK_BENIGN_CORPUS (os.pathsep-separated), else Debian's."""
    if option:
        return list(option)
    env = os.environ.get(CORPUS_ENV)
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return list(DEFAULT_CORPUS)


def read_corpus(paths: list[Path]) -> Corpus:
    """Distinct paragraphs of every text or HTML file in `paths` (files or folders)."""
    corpus, seen = Corpus(paths), set()
    for root in paths:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.suffix in CORPUS_SUFFIXES)
        else:
            corpus.missing.append(root)
            continue
        for path in files:
            for line in _paragraphs(path):
                if line not in seen:
                    seen.add(line)
                    corpus.lines.append(line)
    return corpus


@dataclass
class PatternRisk:
    """How likely a new pattern is to fire on ordinary text, and what it overlaps."""

    ref: PatternRef
    zipf: float = 0.0
    zipf_lang: str = ""
    corpus_hits: int | None = None
    weak_hits: int = 0
    samples: list[str] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)

    @property
    def per_million_words(self) -> float:
        return 10 ** (self.zipf - 3) if self.zipf > 0 else 0.0

    @property
    def risky(self) -> bool:
        from .validate import COMMON_WORD_ZIPF

        # A new phrase that contains an older entry's word fires both, which is usually meant;
        # a new pattern that is the same as, or fires inside, another entry's pattern is broader.
        broader = any(c.startswith(("same pattern", "fires inside")) for c in self.collisions)
        return self.zipf >= COMMON_WORD_ZIPF or bool(self.corpus_hits) or broader


def _load_matcher(snap: Snapshot) -> Any | None:
    try:
        from matchers import TextMatcher
        from matchers.bundle import text_matcher
    except ImportError:
        return None
    if snap.db_path is not None:
        return TextMatcher.from_db(snap.db_path)
    if snap.bundle_path is not None:
        return text_matcher(snap.bundle_path)
    return None


def _fired(matches: list[Any], ref: PatternRef) -> list[Any]:
    from .validate import pattern_key

    want = pattern_key(ref.text, ref.is_emoji)
    return [
        m
        for m in matches
        if m.entry_id == ref.entry_id and pattern_key(str(m.pattern), ref.is_emoji) == want
    ]


def _sample(text: str, start: int, end: int) -> str:
    left = max(0, start - SAMPLE_CONTEXT)
    right = min(len(text), end + SAMPLE_CONTEXT)
    return f"{'…' if left else ''}{text[left:start]}**{text[start:end]}**{text[end:right]}…"


def assess(diff: Diff, corpus: Corpus | None, *, samples: int = 2) -> tuple[list[PatternRisk], str]:
    """Risk of every added pattern, and a note on what could not be measured."""
    from .validate import common_word_frequency, pattern_key

    notes = []
    matcher = _load_matcher(diff.head)
    if matcher is None:
        notes.append(
            "the text matcher could not be loaded, so corpus hits and overlaps are not measured"
        )
    risks = []
    for ref in diff.patterns_added:
        risk = PatternRisk(ref)
        entry = diff.head.entries[ref.entry_id]
        if not ref.is_emoji:
            langs = [ref.lang] if ref.lang else list(entry.get("languages") or [])
            risk.zipf, risk.zipf_lang = common_word_frequency(ref.text, langs)
        key = pattern_key(ref.text, ref.is_emoji)
        for other, rec in diff.head.entries.items():
            if other != ref.entry_id and rec.get("status") == "active":
                for p in rec.get("patterns", []):
                    if pattern_key(p["text"], bool(p["is_emoji"])) == key:
                        risk.collisions.append(f"same pattern as `{other}`")
        risks.append(risk)
    if matcher is not None:
        _overlaps(diff, risks, matcher)
        if corpus is not None and corpus.lines:
            for risk in risks:
                risk.corpus_hits = 0
            for line in corpus.lines:
                found = matcher.scan(line, include_weak=True)
                for risk in risks:
                    for m in _fired(found, risk.ref):
                        if m.weak:
                            risk.weak_hits += 1
                            continue
                        risk.corpus_hits = (risk.corpus_hits or 0) + 1
                        if len(risk.samples) < samples:
                            risk.samples.append(_sample(line, m.start, m.end))
    return risks, "; ".join(notes)


def _overlaps(diff: Diff, risks: list[PatternRisk], matcher: Any) -> None:
    """New patterns that contain another entry's pattern, or fire inside one."""
    for risk in risks:
        for m in matcher.scan(risk.ref.text, include_weak=True):
            if m.entry_id != risk.ref.entry_id:
                note = f"contains `{m.entry_id}` pattern `{m.pattern}`"
                if note not in risk.collisions:
                    risk.collisions.append(note)
    by_entry: dict[str, list[PatternRisk]] = {}
    for risk in risks:
        by_entry.setdefault(risk.ref.entry_id, []).append(risk)
    for other, rec in diff.head.entries.items():
        if rec.get("status") != "active":
            continue
        for p in rec.get("patterns", []):
            found = matcher.scan(p["text"], include_weak=True)
            for eid, entry_risks in by_entry.items():
                if eid == other:
                    continue
                for risk in entry_risks:
                    if _fired(found, risk.ref):
                        note = f"fires inside `{other}` pattern `{p['text']}`"
                        if note not in risk.collisions:
                            risk.collisions.append(note)


# ---------------------------------------------------------------------------------------------
# The Markdown report for a pull request

MAX_CELL = 160
EMPTY_CELL = "—"


def _item(value: Any) -> str:
    if isinstance(value, dict):
        if "is_emoji" in value:
            extra = ", ".join(f"{k}: {value[k]}" for k in ("lang", "fuzzy") if value.get(k))
            return f"`{value['text']}` ({value['match']}{', ' + extra if extra else ''})"
        if "expect" in value:
            return f"{value['expect']}: “{value['text']}”"
        if "url" in value:
            return f"{value.get('title')} <{value['url']}>"
        if "phash" in value or "file" in value:
            return str(value.get("file") or f"phash {value.get('phash')}")
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _cell(value: Any) -> str:
    if value is None or value == []:
        return EMPTY_CELL
    text = ", ".join(_item(v) for v in value) if isinstance(value, list) else _item(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _change_row(change: FieldChange) -> str:
    before, after = change.before, change.after
    if isinstance(before, list) or isinstance(after, list):
        removed = [f"− {_cell([v])}" for v in change.items_removed]
        added = [f"+ {_cell([v])}" for v in change.items_added]
        if removed or added:
            return f"| `{change.field}` | {'<br>'.join(removed) or EMPTY_CELL} | " + (
                f"{'<br>'.join(added) or EMPTY_CELL} |"
            )
        return f"| `{change.field}` | (order changed) | |"
    return f"| `{change.field}` | {_cell(before)} | {_cell(after)} |"


def _title(snap: Snapshot, eid: str) -> str:
    entry = snap.entries.get(eid, {})
    return f"`{eid}` — {entry.get('title', '?')}"


def _zipf_cell(risk: PatternRisk) -> str:
    if risk.ref.is_emoji:
        return "emoji"
    if risk.zipf <= 0:
        return "not in wordfreq"
    return f"{risk.zipf:.1f} ({risk.per_million_words:.2g}/M, {risk.zipf_lang})"


def _corpus_cell(risk: PatternRisk, corpus: Corpus | None) -> str:
    if risk.corpus_hits is None or corpus is None or not corpus.lines:
        return "not measured"
    rate = risk.corpus_hits / len(corpus.lines) * 10_000
    weak = f"; {risk.weak_hits} more without its context" if risk.weak_hits else ""
    return f"{risk.corpus_hits} ({rate:.1f} per 10k paragraphs{weak})"


def corpus_summary(corpus: Corpus | None) -> str:
    if corpus is None:
        return "Benign corpus: not used (`--no-corpus`)."
    names = ", ".join(f"`{p}`" for p in corpus.paths)
    if not corpus.lines:
        return (
            f"Benign corpus: **not found** ({names}). Only wordfreq frequencies are reported; "
            "install `debian-edu-doc-nl` and `debian-edu-doc-en` (scripts/system-deps.sh) or "
            "pass `--corpus PATH`."
        )
    missing = f" Missing: {', '.join(f'`{p}`' for p in corpus.missing)}." if corpus.missing else ""
    return (
        f"Benign corpus: {len(corpus.lines):,} distinct paragraphs ({corpus.words:,} words) "
        f"from {names}.{missing}"
    )


def render_markdown(
    diff: Diff, risks: list[PatternRisk], corpus: Corpus | None, note: str = ""
) -> str:
    """The pull-request report: what changed, and how likely the new patterns are to misfire."""
    base, head = diff.base, diff.head
    changed_only = [e for e in diff.changed if e not in diff.retired]
    out = [
        f"## Symbolenbank changes: `{base.label}` → `{head.label}`",
        "",
        f"**{len(diff.added)} added, {len(changed_only)} changed, {len(diff.retired)} retired, "
        f"{len(diff.removed)} removed** · patterns +{len(diff.patterns_added)} "
        f"−{len(diff.patterns_removed)} · {len(base.entries)} → {len(head.entries)} entries",
    ]
    if diff.empty:
        out += ["", "No entry changed."]
    if diff.added:
        out += ["", f"### Added entries ({len(diff.added)})", ""]
        for eid in diff.added:
            e = head.entries[eid]
            out.append(
                f"- {_title(head, eid)} / {e.get('title_en')} · {e.get('kind')} · "
                f"**{e.get('assessment')}** · {', '.join(e.get('ideologies') or [])} · "
                f"{len(e.get('patterns', []))} pattern(s), {len(e.get('sources', []))} source(s)"
                + (" · status retired" if e.get("status") == "retired" else "")
                + (" · **restricted**" if e.get("visibility") == "restricted" else "")
            )
    for title, ids in (("Changed entries", changed_only), ("Retired entries", diff.retired)):
        if ids:
            out += ["", f"### {title} ({len(ids)})"]
            for eid in ids:
                out += ["", f"#### {_title(head, eid)}", "", "| field | before | after |"]
                out.append("|---|---|---|")
                out += [_change_row(c) for c in diff.changed[eid]]
    if diff.reactivated:
        out += [
            "",
            "Reactivated (retired → active): " + ", ".join(f"`{e}`" for e in diff.reactivated),
        ]
    if diff.removed:
        out += ["", f"### Removed entries ({len(diff.removed)})", ""]
        out.append(
            "> **Entry ids are never reused.** Retire an entry (`status: retired`) instead of "
            "deleting its file, so platforms can follow the change."
        )
        out += [""] + [f"- {_title(base, eid)}" for eid in diff.removed]
    if diff.patterns_added:
        out += ["", f"### Patterns added ({len(diff.patterns_added)})", ""]
        out.append("| entry | pattern | match | wordfreq Zipf | benign corpus hits | overlaps |")
        out.append("|---|---|---|---|---|---|")
        for risk in risks:
            r = risk.ref
            flag = "⚠️ " if risk.risky else ""
            out.append(
                f"| `{r.entry_id}` | {flag}`{_cell(r.text)}` | {r.match} | {_zipf_cell(risk)} | "
                f"{_corpus_cell(risk, corpus)} | {_cell(risk.collisions)} |"
            )
    if diff.patterns_removed:
        out += ["", f"### Patterns removed ({len(diff.patterns_removed)})", ""]
        out += [f"- `{r.entry_id}`: `{r.text}` ({r.match})" for r in diff.patterns_removed]
    if diff.patterns_added:
        out += ["", "### False-positive risk", "", corpus_summary(corpus)]
        if note:
            out += ["", f"Not measured: {note}."]
        flagged = [r for r in risks if r.risky]
        out += [
            "",
            f"{len(flagged)} of {len(risks)} new pattern(s) flagged (⚠️): common word "
            "(Zipf ≥ 4), fires on the benign corpus, or is the same as or fires inside another "
            "entry's pattern. Check their `match` mode, `context` and `exceptions`.",
        ]
        for risk in flagged:
            for sample in risk.samples:
                out.append(f"- `{risk.ref.text}` ({risk.ref.entry_id}): {_cell(sample)}")
    return "\n".join(out) + "\n"
