"""`symbolenbank scan`, `hash-image` and `scan-image`: streaming scans of posts and images."""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from .common import Exit, db_option, db_or_default


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

    path = db_or_default(db)
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


@click.command("scan-image")
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
    path = db_or_default(db)
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
