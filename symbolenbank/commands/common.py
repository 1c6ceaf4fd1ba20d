"""What the `symbolenbank` commands share: exit codes and the --data and --db options."""

from __future__ import annotations

import enum
from pathlib import Path

import click


class Exit(enum.IntEnum):
    """Exit codes of every command (the last two as a shell reports death by that signal)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of the output went away (`| head`)


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


def db_or_default(db: Path | None) -> Path:
    """The database to scan: `db`, or the default, checked to open."""
    import matchers

    try:
        path = db or matchers.default_db_path()
        matchers.db.connect(path).close()
    except matchers.MatcherError as exc:
        raise click.ClickException(str(exc)) from exc
    return Path(path)
