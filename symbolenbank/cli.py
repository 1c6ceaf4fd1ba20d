"""The `symbolenbank` command (SPEC §8). Library errors become click errors only here."""

from __future__ import annotations

import enum
import json
import sys
import time
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
    ds = make_datasette(db, restricted if restricted.is_file() else None, data=data)
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
    ids: list[Any] = []

    def texts() -> Iterator[str]:
        for post_id, text in posts:
            ids.append(post_id)
            yield text

    show_progress = sys.stderr.isatty() and not silent
    started, count, hits = time.monotonic(), 0, 0
    for n, found in enumerate(scan_stream(texts(), path, workers=workers, include_weak=weak), 1):
        post_id = ids[n - 1]
        ids[n - 1] = None  # keep memory flat on long inputs
        count, hits = n, hits + len(found)
        if fmt == "jsonl":
            record: dict[str, Any] = {"line": n}
            if input_format == "jsonl":
                record["id"] = post_id
            record["matches"] = found
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            for m in found:
                flag = " (weak)" if m["weak"] else ""
                label = n if input_format == "lines" else post_id
                click.echo(
                    f"{label}:{m['start']}-{m['end']}\t{m['entry_id']}\t{m['assessment']}{flag}"
                    f"\t{m['matched']!r}"
                )
        if show_progress and n % 5000 == 0:
            click.echo(f"\r{n:,} posts, {hits:,} matches ...", err=True, nl=False)
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


@cli.command("scan-image")
@db_option
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
def scan_image(db: Path | None, images: tuple[Path, ...]) -> None:
    """Match each IMAGE against the knowledge base's image hashes."""
    import matchers

    try:
        matcher = matchers.ImageMatcher.from_db(_db_or_default(db))
    except matchers.MatcherError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = 0
    for path in images:
        try:
            found = matcher.scan(path)
        except matchers.ImageError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        record = {"file": str(path), "matches": [m.to_dict() for m in found]}
        click.echo(json.dumps(record, ensure_ascii=False))
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
