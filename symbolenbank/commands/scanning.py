"""`symbolenbank scan`, `hash-image` and `scan-image`: streaming scans of posts and images."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from matchers.filters import ASSESSMENT_ORDER, KINDS, EntryFilter

from . import streams
from .common import Exit, db_option, db_or_default

#: A post's id when its line could not be read as a JSON object.
NO_ID: Any = object()


def filter_options(command: Any) -> Any:
    """`--kind`, `--exclude-kind` and `--min-assessment`, for the commands that print matches."""
    choices = click.Choice(KINDS)
    for option in reversed(
        (
            click.option("--kind", "kinds", multiple=True, type=choices, metavar="KIND",
                         help=f"Only matches of this kind (repeatable): {', '.join(KINDS)}."),
            click.option("--exclude-kind", "exclude_kinds", multiple=True, type=choices,
                         metavar="KIND", help="Leave out matches of this kind (repeatable)."),
            click.option("--min-assessment", type=click.Choice(ASSESSMENT_ORDER), default=None,
                         help="Only matches of this tier or a more serious one: "
                         f"{' < '.join(ASSESSMENT_ORDER)}."),
        )
    ):  # fmt: skip
        command = option(command)
    return command


def chosen_filter(
    kinds: tuple[str, ...], exclude_kinds: tuple[str, ...], min_assessment: str | None
) -> dict[str, Any]:
    """The scan's keyword arguments for the filter options; a usage error when they leave no
    kind to scan for."""
    if kinds and not set(kinds) - set(exclude_kinds):
        raise click.UsageError(
            f"--exclude-kind leaves none of the kinds of --kind ({', '.join(kinds)}) to scan for"
        )
    flt = EntryFilter.of(kinds or None, exclude_kinds, min_assessment)  # click checked them
    return flt.options() if flt is not None else {}


@dataclass(slots=True)  # not frozen: a frozen one takes five times as long to make
class Post:
    """One input line, without its text: what its record needs, or why it is no post (`error`)."""

    line: int
    id: Any = NO_ID
    error: str | None = None
    replaced: bool = False  # invalid UTF-8 or a lone surrogate became U+FFFD


def _read_posts(
    stream: IO[bytes], input_format: str, id_field: str, text_field: str
) -> Iterator[tuple[Post, str]]:
    """(Post, text to scan) per input line; plain lines have no id (their number names them)."""
    for n, line, replaced in streams.lines(stream):
        if input_format == "lines":
            yield Post(n, NO_ID, None, replaced), line
        else:
            yield _json_post(n, line, replaced, id_field, text_field)


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}  # fmt: skip


def _json_post(
    n: int, line: str, replaced: bool, id_field: str, text_field: str
) -> tuple[Post, str]:
    """The post of one JSONL line and its text ("" for a line that is no post). A blank line
    is an empty post, as in plain input."""
    if not line.strip():
        return Post(n, None, replaced=replaced), ""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Post(n, error=f"not JSON ({exc.msg} at column {exc.colno})"), ""
    except RecursionError:
        return Post(n, error="JSON nested too deeply to read"), ""
    if not isinstance(record, dict):
        return Post(n, error=f"not a JSON object but {_JSON_TYPES[type(record)]}"), ""
    post_id = record.get(id_field)
    if text_field not in record:
        return Post(n, post_id, error=f"no {text_field!r} field (see --text-field)"), ""
    text = record[text_field]
    if not isinstance(text, str):
        what = _JSON_TYPES.get(type(text), "not text")
        return Post(n, post_id, error=f"{text_field!r} is {what}, not a string"), ""
    text, surrogates = streams.clean(text)
    return Post(n, post_id, replaced=replaced or surrogates), text


def _record(post: Post, found: list[dict[str, Any]]) -> dict[str, Any]:
    """A post's JSON line: its matches, or its error."""
    record: dict[str, Any] = {"line": post.line}
    if post.id is not NO_ID:
        record["id"] = post.id
    if post.error is not None:
        record["error"] = post.error
        return record
    if post.replaced:
        record["warnings"] = [streams.REPLACED]
    record["matches"] = found
    return record


def _text_lines(found: list[dict[str, Any]], label: Any) -> Iterator[str]:
    """The text format: a line per match, `label:start-end`, entry, tier, the matched text and
    the evidence in plain words."""
    for m in found:
        flag = " (weak)" if m["weak"] else ""
        why = f"\t{m['evidence']['text']}" if "evidence" in m else ""
        yield (
            f"{label}:{m['start']}-{m['end']}\t{m['entry_id']}\t{m['assessment']}{flag}"
            f"\t{m['matched']!r}{why}"
        )


@dataclass
class _Tally:
    """What the summary line counts."""

    posts: int = 0
    matches: int = 0
    errors: int = 0
    replaced: int = 0
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        rate = self.posts / max(time.monotonic() - self.started, 1e-9)
        parts = [f"{self.posts:,} posts", f"{self.matches:,} matches"]
        if self.errors:
            parts.append(f"{self.errors:,} error" + ("s" if self.errors > 1 else ""))
        if self.replaced:
            parts.append(f"{self.replaced:,} with invalid UTF-8")
        return ", ".join(parts) + f", {rate:,.0f} posts/s"


def _emit(
    out: streams.Output, post: Post, found: list[dict[str, Any]], fmt: str, tally: _Tally
) -> None:
    """Write one post's record (JSONL) or its matches and problems (text), and count it."""
    if post.error is not None:
        tally.errors += 1
    else:
        tally.posts += 1
        tally.matches += len(found)
        tally.replaced += post.replaced
    if fmt == "jsonl":
        out.write(streams.dumps(_record(post, found)))
        return
    label = post.line if post.id is NO_ID else post.id
    if post.error is not None:
        out.note(f"line {post.line}: {post.error}")
        return
    if post.replaced:
        out.note(f"line {post.line}: {streams.REPLACED}")
    for line in _text_lines(found, label):
        out.write(line)


@click.command()
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
    "--on-error",
    type=click.Choice(["continue", "stop"]),
    default="continue",
    show_default=True,
    help="A line that is not a post: write its error and go on, or stop after it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to scan with (default: all cores).",
)
@click.option("--weak", is_flag=True, help="Also report matches whose context rule is not met.")
@filter_options
@click.option("-s", "--silent", is_flag=True, help="No progress or summary on stderr.")
@click.argument("file", type=click.File("rb"), default="-")
def scan(
    db: Path | None,
    fmt: str,
    input_format: str,
    id_field: str,
    text_field: str,
    on_error: str,
    workers: int | None,
    weak: bool,
    kinds: tuple[str, ...],
    exclude_kinds: tuple[str, ...],
    min_assessment: str | None,
    silent: bool,
    file: IO[bytes],
) -> None:
    """Scan FILE (or standard input), one post per line, in input order.

    Every line gets a record; a line that is not a post gets an error record in its place, and
    the exit code is then 1. Entries left out by --kind, --exclude-kind or --min-assessment
    still count as context for the others."""
    from matchers.parallel import scan_stream

    chosen = chosen_filter(kinds, exclude_kinds, min_assessment)
    path = db_or_default(db)
    posts = _read_posts(file, input_format, id_field, text_field)
    # Posts wait here until their results come back, in order: at most the chunks in flight.
    waiting: deque[Post] = deque()

    def texts() -> Iterator[str]:
        for post, text in posts:
            waiting.append(post)
            yield text  # "" for a line that is no post: it keeps its place, its result is dropped
            if post.error is not None and on_error == "stop":
                return

    show_progress = sys.stderr.isatty() and not silent
    tally = _Tally()
    with streams.Output(json_lines=fmt == "jsonl") as out:
        results = scan_stream(texts(), path, workers=workers, include_weak=weak, **chosen)
        with closing(results):
            for n, found in enumerate(results, 1):
                _emit(out, waiting.popleft(), found, fmt, tally)
                if show_progress and n % 5000 == 0:
                    click.echo(f"\r{n:,} lines, {tally.matches:,} matches ...", err=True, nl=False)
    if not silent:
        click.echo(("\r" if show_progress else "") + tally.summary(), err=True)
    if tally.errors:
        sys.exit(Exit.ERROR)


@click.command("hash-image")
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
#: What an image that cannot be named in UTF-8 is replaced by in the stream, to keep its place.
_PLACEHOLDER = os.devnull
_NOT_UTF8 = "file name is not valid UTF-8 (shown with U+FFFD); rename the file to scan it"


@dataclass(frozen=True, slots=True)
class _Image:
    """One image to scan: its name in the output, and why it cannot be scanned (`error`)."""

    name: str
    path: str
    error: str | None = None


def _image(name: str) -> _Image:
    """An image named by `name`, which may hold undecodable bytes as lone surrogates (how
    Python spells a file name that is not UTF-8): such a name cannot go into a JSON line."""
    shown, replaced = streams.clean(name)
    if replaced:
        return _Image(shown, _PLACEHOLDER, _NOT_UTF8)
    return _Image(name, name)


def _images(images: tuple[Path, ...], files_from: IO[bytes] | None) -> Iterator[_Image]:
    """The images named, the images below named folders, then those listed in `files_from`."""
    for path in images:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in IMAGE_SUFFIXES:
                    yield _image(str(child))
        else:
            yield _image(str(path))
    if files_from is not None:
        for _, line, replaced in streams.lines(files_from):
            if line.strip():
                yield _Image(line, _PLACEHOLDER, _NOT_UTF8) if replaced else _image(line)


def _image_error(image: _Image, result: list[dict[str, Any]] | Exception) -> str | None:
    """Why `image` was not scanned, if it was not: without the file name an ImageError's
    message starts with (the record has it)."""
    if image.error is not None:
        return image.error
    if isinstance(result, Exception):
        return str(result).removeprefix(f"{image.path}: ")
    return None


@click.command("scan-image")
@db_option
@click.option(
    "--files-from",
    type=click.File("rb"),
    default=None,
    help="Also scan the image paths listed in this file, one per line (- for stdin).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to scan with (default: all cores).",
)
@filter_options
@click.option("-s", "--silent", is_flag=True, help="No progress or summary on stderr.")
@click.argument("images", nargs=-1, type=click.Path(path_type=Path))
def scan_image(
    db: Path | None,
    files_from: IO[bytes] | None,
    workers: int | None,
    kinds: tuple[str, ...],
    exclude_kinds: tuple[str, ...],
    min_assessment: str | None,
    silent: bool,
    images: tuple[Path, ...],
) -> None:
    """Match each IMAGE (or every image below a folder) against the knowledge base's hashes.

    Every image gets a JSON line in order: its matches, or its error (also on stderr)."""
    from matchers.parallel import scan_image_stream

    if not images and files_from is None:
        raise click.UsageError("name at least one IMAGE or folder, or use --files-from")
    chosen = chosen_filter(kinds, exclude_kinds, min_assessment)
    path = db_or_default(db)
    waiting: deque[_Image] = deque()

    def listed() -> Iterator[str]:
        for image in _images(images, files_from):
            waiting.append(image)
            yield image.path

    show_progress = sys.stderr.isatty() and not silent
    started, count, failed, hits = time.monotonic(), 0, 0, 0
    with streams.Output(json_lines=True, batch=1) as out:
        results = scan_image_stream(listed(), path, workers=workers, **chosen)
        with closing(results):
            for n, result in enumerate(results, 1):
                image, count = waiting.popleft(), n
                error = _image_error(image, result)
                if error is not None:
                    failed += 1
                    out.write(streams.dumps({"file": image.name, "error": error}))
                    out.note(f"Error: {image.name}: {error}")
                    continue
                hits += len(result)
                out.write(streams.dumps({"file": image.name, "matches": result}))
                if show_progress and n % 100 == 0:
                    click.echo(f"\r{n:,} images ...", err=True, nl=False)
    if not silent:
        elapsed = max(time.monotonic() - started, 1e-9)
        prefix = "\r" if show_progress else ""
        summary = f"{count:,} images, {hits:,} matches, {failed:,} errors, {count / elapsed:,.1f}/s"
        click.echo(prefix + summary, err=True)
    if failed:
        sys.exit(Exit.ERROR)
