"""The `symbolenbank` command (README.md, "Command line"): the group, the data commands
(validate, build, serve, schema) and the subcommands of `symbolenbank.commands`. Library errors
become click errors only in these modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .commands import curation, scanning
from .commands.common import Exit, data_option, db_option
from .paths import data_dir, default_output, default_restricted_output


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
            on_wait=_say_waiting,
        )
    except BuildError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing was built") from exc
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    click.echo(f"{result.output}: {counts}; content hash {result.content_hash}", err=True)
    if result.restricted_output:
        click.echo(
            f"{result.restricted_output}: with restricted entries; build id {result.build_id}",
            err=True,
        )


def _say_waiting(output: Path) -> None:
    click.echo(f"{output}: another build of it is running; waiting for it to end ...", err=True)


def ensure_built(data: Path, db: Path, restricted: Path) -> None:
    """Build `db` and `restricted` unless both are there, built together, from this data."""
    from .build import BuildError, build_database, is_current
    from .loading import load_data

    loaded = load_data(data)
    if not loaded.problems and is_current(loaded, db, restricted):
        return
    click.echo(f"Building {db} and {restricted} from {data} ...", err=True)
    try:
        build_database(data, db, restricted_output=restricted, on_wait=_say_waiting)
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


for _command in (scanning.scan, scanning.hash_image, scanning.scan_image):
    cli.add_command(_command)
for _command in (curation.new, curation.diff, curation.release, curation.feedback):
    cli.add_command(_command)
