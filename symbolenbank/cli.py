"""The `symbolenbank` command (README.md, "Command line"). Library errors become click errors
only here."""

from __future__ import annotations

import enum
import json
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .paths import data_dir, default_output, default_restricted_output


class Exit(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2


data_option = click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data folder (default: the knowledge base's data/).",
)
db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A built database (default: the shipped knowledge base, or $SYMBOLENBANK_DB).",
)


@click.group()
@click.version_option(__version__, prog_name="symbolenbank")
def cli() -> None:
    """Symbolenbank: a knowledge base of extremist code language and symbols."""


@cli.command()
@data_option
@click.option("--no-examples", is_flag=True, help="Skip running the entries' examples.")
def validate(data: Path | None, no_examples: bool) -> None:
    """Check every entry and vocabulary; print problems as path:line: message."""
    from .validate import validate_dir

    loaded, problems = validate_dir(data or data_dir(), check_examples=not no_examples)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(Exit.ERROR)
    click.echo(f"{len(loaded.entries)} entries are valid.", err=True)


@cli.command()
@data_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Public database (default: build/symbolenbank.db).",
)
@click.option(
    "--restricted-output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Database with restricted entries too (default: build/symbolenbank-restricted.db).",
)
def build(data: Path | None, output: Path | None, restricted_output: Path | None) -> None:
    """Validate the data and build the SQLite databases."""
    from .build import BuildError, build_database

    try:
        result = build_database(
            data or data_dir(),
            output or default_output(),
            restricted_output=restricted_output or default_restricted_output(),
        )
    except BuildError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing was built") from exc
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    click.echo(f"{result.output}: {counts}; content hash {result.content_hash}", err=True)
    if result.restricted_output:
        click.echo(f"{result.restricted_output}: with restricted entries", err=True)


def ensure_built(data: Path, db: Path, restricted: Path) -> None:
    """Build `db` if it is missing or was built from other data."""
    from .build import BuildError, build_database, content_hash, stored_hash
    from .loading import load_data

    loaded = load_data(data)
    public = [le.entry for le in loaded.entries if le.entry.visibility == "public"]
    if not loaded.problems and stored_hash(db) == content_hash(loaded, public):
        return
    click.echo(f"Building {db} from {data} ...", err=True)
    try:
        build_database(data, db, restricted_output=restricted)
    except BuildError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the data has problems; fix them and serve again") from exc


@cli.command()
@data_option
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
def serve(data: Path | None, db: Path | None, host: str, port: int) -> None:
    """Build if needed, then publish the knowledge base with Datasette."""
    from .publish import RESTRICTED_NAME, make_datasette
    from .publish import serve as run

    data = data or data_dir()
    if db is None:
        db = default_output()
        ensure_built(data, db, default_restricted_output())
    elif not db.is_file():
        raise click.ClickException(f"{db}: no such database; run `symbolenbank build` first")
    restricted = db.with_name(f"{RESTRICTED_NAME}.db")
    try:
        ds = make_datasette(db, restricted if restricted.is_file() else None, data=data)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Serving {db} on http://{host}:{port}/", err=True)
    run(ds, host, port)


def _db_or_default(db: Path | None) -> Path:
    import matchers

    try:
        path = db or matchers.default_db_path()
        matchers.db.connect(path).close()
    except matchers.MatcherError as exc:
        raise click.ClickException(str(exc)) from exc
    return Path(path)


def _read_posts(
    stream: IO[str], input_format: str, id_field: str, text_field: str
) -> Iterator[tuple[Any, str]]:
    """(id, text) per input line; the id is the line number for plain lines."""
    for n, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if input_format == "lines":
            yield n, line
            continue
        if not line.strip():
            yield None, ""
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {n}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get(text_field, ""), str):
            raise click.ClickException(f"line {n}: expected an object with a string {text_field!r}")
        yield record.get(id_field), record.get(text_field) or ""


@cli.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
@click.option(
    "--input-format",
    type=click.Choice(["lines", "jsonl"]),
    default="lines",
    show_default=True,
    help="One post per line, or one JSON object per line.",
)
@click.option("--id-field", default="id", show_default=True, help="JSONL input: the id field.")
@click.option("--text-field", default="text", show_default=True, help="JSONL input: the text.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to scan with (default: all cores).",
)
@click.option("--weak", is_flag=True, help="Also report matches whose context rule is not met.")
@click.option("-s", "--silent", is_flag=True, help="No progress or summary on stderr.")
@click.argument(
    "file", type=click.File("r", encoding="utf-8", errors="surrogateescape"), default="-"
)
def scan(
    db: Path | None,
    fmt: str,
    input_format: str,
    id_field: str,
    text_field: str,
    workers: int | None,
    weak: bool,
    silent: bool,
    file: IO[str],
) -> None:
    """Scan FILE (or standard input), one post per line, in input order."""
    from matchers.parallel import scan_stream

    path = _db_or_default(db)
    posts = _read_posts(file, input_format, id_field, text_field)
    # Ids wait here until their results come back, in order: at most the chunks in flight.
    ids: deque[Any] = deque()

    def texts() -> Iterator[str]:
        for post_id, text in posts:
            ids.append(post_id)
            yield text

    show_progress = sys.stderr.isatty() and not silent
    started, count, hits = time.monotonic(), 0, 0
    out: list[str] = []  # lines written a thousand at a time: one write and flush per batch
    for n, found in enumerate(scan_stream(texts(), path, workers=workers, include_weak=weak), 1):
        post_id = ids.popleft()
        count, hits = n, hits + len(found)
        if fmt == "jsonl":
            record: dict[str, Any] = {"line": n}
            if input_format == "jsonl":
                record["id"] = post_id
            record["matches"] = found
            out.append(json.dumps(record, ensure_ascii=False))
        else:
            for m in found:
                flag = " (weak)" if m["weak"] else ""
                label = n if input_format == "lines" else post_id
                out.append(
                    f"{label}:{m['start']}-{m['end']}\t{m['entry_id']}\t{m['assessment']}{flag}"
                    f"\t{m['matched']!r}"
                )
        if len(out) >= 1000:
            click.echo("\n".join(out))
            out.clear()
        if show_progress and n % 5000 == 0:
            click.echo(f"\r{n:,} posts, {hits:,} matches ...", err=True, nl=False)
    if out:
        click.echo("\n".join(out))
    if not silent:
        elapsed = max(time.monotonic() - started, 1e-9)
        prefix = "\r" if show_progress else ""
        summary = f"{count:,} posts, {hits:,} matches, {count / elapsed:,.0f} posts/s"
        click.echo(prefix + summary, err=True)


@cli.command("hash-image")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
def hash_image(images: tuple[Path, ...]) -> None:
    """Print the perceptual hashes of each IMAGE as a JSON line."""
    from matchers.errors import ImageError
    from matchers.hashing import hash_image as compute

    failed = 0
    for path in images:
        try:
            hashes = compute(path)
        except ImageError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        click.echo(json.dumps({"file": str(path), **dict(hashes)}))
    if failed:
        sys.exit(Exit.ERROR)


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}


def _image_paths(images: tuple[Path, ...], files_from: IO[str] | None) -> Iterator[Path]:
    """The images named, the images below named folders, then those listed in `files_from`."""
    for path in images:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in IMAGE_SUFFIXES:
                    yield child
        else:
            yield path
    if files_from is not None:
        for line in files_from:
            if line.strip():
                yield Path(line.rstrip("\r\n"))


@cli.command("scan-image")
@db_option
@click.option(
    "--files-from",
    type=click.File("r", encoding="utf-8", errors="surrogateescape"),
    default=None,
    help="Also scan the image paths listed in this file, one per line (- for stdin).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to scan with (default: all cores).",
)
@click.option("-s", "--silent", is_flag=True, help="No progress or summary on stderr.")
@click.argument("images", nargs=-1, type=click.Path(path_type=Path))
def scan_image(
    db: Path | None,
    files_from: IO[str] | None,
    workers: int | None,
    silent: bool,
    images: tuple[Path, ...],
) -> None:
    """Match each IMAGE (or every image below a folder) against the knowledge base's hashes."""
    from matchers.errors import ImageError
    from matchers.parallel import scan_image_stream

    if not images and files_from is None:
        raise click.UsageError("name at least one IMAGE or folder, or use --files-from")
    path = _db_or_default(db)
    paths: deque[Path] = deque()

    def listed() -> Iterator[Path]:
        for p in _image_paths(images, files_from):
            paths.append(p)
            yield p

    show_progress = sys.stderr.isatty() and not silent
    started, count, failed, hits = time.monotonic(), 0, 0, 0
    for n, result in enumerate(scan_image_stream(listed(), path, workers=workers), 1):
        file = paths.popleft()
        count = n
        if isinstance(result, ImageError):
            failed += 1
            click.echo(f"Error: {result}", err=True)
            continue
        hits += len(result)
        record = {"file": str(file), "matches": result}
        click.echo(json.dumps(record, ensure_ascii=False))
        if show_progress and n % 100 == 0:
            click.echo(f"\r{n:,} images ...", err=True, nl=False)
    if not silent:
        elapsed = max(time.monotonic() - started, 1e-9)
        prefix = "\r" if show_progress else ""
        summary = f"{count:,} images, {hits:,} matches, {failed:,} errors, {count / elapsed:,.1f}/s"
        click.echo(prefix + summary, err=True)
    if failed:
        sys.exit(Exit.ERROR)


@cli.command()
@data_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("schema/entry.schema.json"),
    show_default=True,
)
def schema(data: Path | None, output: Path) -> None:
    """Write the JSON Schema of an entry file, for editors."""
    from .schema import entry_schema

    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(entry_schema(data or data_dir()), indent=2, ensure_ascii=False) + "\n"
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}", err=True)


def main() -> None:
    cli()


def _prompt_list(label: str, at_least: int, split: bool) -> list[str]:
    """Ask for several values: comma-separated, or one per prompt until an empty answer."""
    if split:
        answer = click.prompt(f"{label} (comma-separated)")
        return [v.strip() for v in answer.split(",") if v.strip()]
    values: list[str] = []
    while True:
        done = len(values) >= at_least
        answer = click.prompt(
            f"{label} {len(values) + 1}{' (empty to finish)' if done else ''}",
            default="" if done else None,
            show_default=False,
        )
        if not answer.strip():
            return values
        values.append(answer.strip())


_NEW_PROMPTS = {
    "id": "Id (slug, becomes the file name)",
    "title": "Title (Dutch)",
    "title_en": "Title (English)",
    "kind": "Kind",
    "ideologies": "Ideologies",
    "languages": "Languages (ISO 639-1, und for numbers/emoji)",
    "assessment": "Assessment (terrorist, illegal, borderline, context)",
    "summary": "Summary (Dutch, >= 80 characters, your own words)",
    "summary_en": "Summary (English, >= 80 characters)",
    "benign_uses": "Where it is harmless (Dutch)",
    "benign_uses_en": "Where it is harmless (English)",
    "patterns": "Pattern",
    "examples_match": "Example that must match",
    "examples_no_match": "Example that must not match",
    "source_url": "Source URL (public, read by you)",
    "source_title": "Source title",
    "source_publisher": "Source publisher",
}
_LIST_FIELDS = {"ideologies": (1, True), "languages": (1, True), "patterns": (1, False)}
_LIST_FIELDS |= {"examples_match": (2, False), "examples_no_match": (1, False)}


@cli.command()
@data_option
@click.option("--id", "entry_id", help="The new entry's id (a slug; the file name).")
@click.option("--title", help="Dutch display name.")
@click.option("--title-en", help="English display name.")
@click.option("--kind", help="expression, codeword, acronym, number, emoji, hashtag, symbol, ...")
@click.option("--ideology", "ideologies", multiple=True, help="Ideology id (repeatable).")
@click.option("--movement", "movements", multiple=True, help="Movement id (repeatable).")
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code (repeatable).")
@click.option("--assessment", help="terrorist, illegal, borderline or context.")
@click.option("--summary", help="Dutch summary, >= 80 characters.")
@click.option("--summary-en", help="English summary, >= 80 characters.")
@click.option("--benign-uses", help="Dutch: where the same sign is harmless.")
@click.option("--benign-uses-en", help="English: where the same sign is harmless.")
@click.option("--pattern", "patterns", multiple=True, help="A pattern (repeatable).")
@click.option("--match", "match_mode", type=click.Choice(["word", "prefix", "substring", "token"]))
@click.option("--match-example", "examples_match", multiple=True, help="Must match (>= 2).")
@click.option("--no-match-example", "examples_no_match", multiple=True, help="Must not match.")
@click.option("--source-url", help="URL of a public source you have read.")
@click.option("--source-title", help="Title of that source.")
@click.option("--source-publisher", help="Publisher of that source.")
@click.option("--related", multiple=True, help="Related entry id (repeatable).")
@click.option("--no-input", is_flag=True, help="Never prompt; fail if a required value is missing.")
@click.option("--no-examples", is_flag=True, help="Skip running the examples when validating.")
def new(data: Path | None, no_input: bool, no_examples: bool, **given: Any) -> None:
    """Write a new entry file with every required field and today's dates, then validate it."""
    from .scaffold import NewEntry, ScaffoldError, missing, problems_of, write_entry

    values: dict[str, Any] = {
        ("id" if k == "entry_id" else "match" if k == "match_mode" else k): (
            list(v) if isinstance(v, tuple) else v
        )
        for k, v in given.items()
    }
    gaps = missing(values)
    if gaps and no_input:
        flags = ", ".join("--" + g.replace("_", "-") for g in gaps)
        raise click.UsageError(f"missing required values: {flags}")
    for name in gaps:
        if name in _LIST_FIELDS:
            at_least, split = _LIST_FIELDS[name]
            values[name] = _prompt_list(_NEW_PROMPTS[name], at_least, split)
        else:
            values[name] = click.prompt(_NEW_PROMPTS[name]).strip()
    root = data or data_dir()
    try:
        path = write_entry(root, NewEntry(**values))
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {path}", err=True)
    problems = problems_of(root, path, check_examples=not no_examples)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(
            f"{len(problems)} problem(s): edit {path} and run `symbolenbank validate`.", err=True
        )
        sys.exit(Exit.ERROR)
    click.echo(f"{path} is valid.", err=True)


@cli.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The git repository BASE/HEAD refs are looked up in.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Benign text (file or folder of .html/.txt/.md) to count new patterns' hits on "
    "(default: $SYMBOLENBANK_BENIGN_CORPUS or Debian's debian-edu-doc-nl/-en).",
)
@click.option("--no-corpus", is_flag=True, help="Only report wordfreq frequencies.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
def diff(
    base: str,
    head: str | None,
    repo: Path,
    corpus: tuple[Path, ...],
    no_corpus: bool,
    output: Path | None,
) -> None:
    """Markdown report of what changed from BASE to HEAD, for a pull request.

    BASE and HEAD are built databases, release bundles, data folders or git refs (HEAD defaults
    to the data folder). For every new pattern it reports its wordfreq frequency, its hits on a
    benign corpus and its overlaps with other entries.
    """
    from .corpus import corpus_paths
    from .diff import diff_report
    from .snapshot import SnapshotError

    try:
        _, report = diff_report(
            base,
            head or str(data_dir()),
            repo=repo,
            corpus=[] if no_corpus else corpus_paths(list(corpus)),
        )
    except SnapshotError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(report, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(report, nl=False)


@cli.command()
@data_option
@click.option("--version", "version_", help="CalVer YYYY.MM.N (default: the next for today).")
@click.option("--since", help="Version (or bundle) the delta feed starts from (default: last).")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("release"),
    show_default=True,
    help="Releases go to OUTPUT_DIR/<version>/.",
)
@click.option(
    "--changelog",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("CHANGELOG.md"),
    show_default=True,
)
@click.option("--no-changelog", is_flag=True, help="Do not write a changelog section.")
@click.option(
    "--date",
    "date_",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Release date (default: today); fixes the date stamped into the files.",
)
def release(
    data: Path | None,
    version_: str | None,
    since: str | None,
    output_dir: Path,
    changelog: Path,
    no_changelog: bool,
    date_: Any,
) -> None:
    """Stamp a version and export the database, JSON/CSV bundle, hash lists and delta feed."""
    from .release import ReleaseError, make_release

    try:
        result = make_release(
            data or data_dir(),
            output_dir,
            version=version_,
            since=since,
            changelog=None if no_changelog else changelog,
            date=date_.date() if date_ else None,
        )
    except ReleaseError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from exc
    d = result.diff
    click.echo(
        f"Released {result.version} in {result.directory}: since {result.since or 'the start'} "
        f"{len(d.added)} added, {len(d.changed)} changed, {len(d.retired)} retired, "
        f"{len(d.removed)} removed; bundle hash {result.bundle_hash}",
        err=True,
    )
    click.echo(str(result.directory))


@cli.command()
@data_option
@click.option("--entry", "entry_id", help="The entry id the report is about.")
@click.option("--kind", type=click.Choice(["false-positive", "missed-variant"]))
@click.option("--text", help="The post text that was wrongly matched, or that was missed.")
@click.option("--exception", help="False positive: a benign phrase to add to `exceptions`.")
@click.option("--pattern", help="Missed variant: a pattern to add.")
@click.option(
    "--json",
    "json_file",
    type=click.File("r", encoding="utf-8"),
    help="A report as JSON ({entry_id, kind, text, ...}); - for standard input.",
)
@click.option(
    "--issue-body",
    type=click.File("r", encoding="utf-8"),
    help="The body of a feedback issue (.github/ISSUE_TEMPLATE/feedback.yml).",
)
@click.option("--no-examples", is_flag=True, help="Skip running the examples when validating.")
def feedback(
    data: Path | None,
    entry_id: str | None,
    kind: str | None,
    text: str | None,
    exception: str | None,
    pattern: str | None,
    json_file: IO[str] | None,
    issue_body: IO[str] | None,
    no_examples: bool,
) -> None:
    """Turn a false-positive or missed-variant report into a draft edit of the entry."""
    from .feedback import FeedbackError, Report, apply_report, parse_issue, parse_json
    from .scaffold import problems_of

    root = data or data_dir()
    try:
        if json_file is not None:
            report = parse_json(json_file.read())
        elif issue_body is not None:
            report = parse_issue(issue_body.read())
        else:
            fields = {"entry_id": entry_id, "kind": kind, "text": text}
            report = Report.from_dict({**fields, "exception": exception, "pattern": pattern})
        path = apply_report(root, report)
    except FeedbackError as exc:
        raise click.ClickException(str(exc)) from exc
    where = "examples.no_match" if report.kind == "false-positive" else "examples.match"
    click.echo(f"Added the text to {where} of {path}", err=True)
    problems = problems_of(root, path, check_examples=not no_examples)
    for problem in problems:
        click.echo(f"to resolve: {problem}", err=True)
    if problems and report.kind == "false-positive":
        click.echo(
            "The entry still matches the text: add an `exceptions` phrase, a `context` rule or "
            "narrow the pattern's `match` mode, then run `symbolenbank validate`.",
            err=True,
        )
    elif problems:
        click.echo(
            "The entry does not match the text yet: add a pattern for the variant, then run "
            "`symbolenbank validate`.",
            err=True,
        )
