"""The line streams of `scan` and `scan-image`: input decoded by one policy, output kept whole.

Input is read as bytes and decoded as UTF-8 line by line. Invalid bytes become U+FFFD and the
line's record says so (`REPLACED`), so the output never carries them raw; so do lone surrogates
that a JSON escape such as `\\ud800` puts in a string, which no UTF-8 text can hold.

Output is written as bytes: JSON lines always as UTF-8, whatever the locale says (LANG=C or
PYTHONIOENCODING=ascii included), text lines in the output's own encoding with escapes for what it
cannot show. Records go out in batches of whole lines. Ctrl-C writes the records already finished
and ends the command with exit code 130; a reader that goes away (`| head`) ends it quietly with
141. Neither prints a traceback.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import signal
import sys
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import IO, Any

import click

from .common import Exit

REPLACED = "invalid UTF-8 replaced with U+FFFD"
#: One JSON line: `json.dumps` without making an encoder each time, non-ASCII as it is.
dumps = json.JSONEncoder(ensure_ascii=False).encode
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> tuple[str, bool]:
    """`text` with each lone surrogate replaced by U+FFFD (one for one: spans stay put), and
    whether there was one."""
    if _SURROGATE.search(text) is None:
        return text, False
    return _SURROGATE.sub("\ufffd", text), True


def lines(stream: IO[bytes]) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, whether invalid UTF-8 was replaced) for each line of `stream`.

    Lines end at "\\n" (a "\\r" before it is dropped); a UTF-8 byte order mark that starts the
    stream is dropped too."""
    for n, raw in enumerate(stream, start=1):
        raw = raw.rstrip(b"\r\n")
        if n == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text, replaced = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, replaced = raw.decode("utf-8", errors="replace"), True
        yield n, text, replaced


class Output:
    """Whole lines to standard output, `batch` at a time, for a `with` block around a scan.

    In the block, Ctrl-C (SIGINT) that arrives while a batch is being written waits until it is
    written; helper processes forked in the block inherit a handler that ignores it, since the
    command's own process stops them (the terminal sends SIGINT to all of them).
    """

    def __init__(self, *, json_lines: bool, batch: int = 1000) -> None:
        # A JSON line is UTF-8. Only a lone surrogate (in a JSON id, say) can fail to encode,
        # and `backslashreplace` writes it as `\udXXX`, which inside a JSON string is its escape.
        # Text goes out as the output says it wants it (click would take UTF-8 for ASCII).
        wanted = getattr(sys.stdout, "encoding", None) or "utf-8"
        self._encoding = "utf-8" if json_lines else wanted
        sys.stdout.flush()
        # Bytes go to the binary stream under sys.stdout (a stand-in without one gets text).
        binary = getattr(sys.stdout, "buffer", None)
        self._out: Any = binary or _TextOut(sys.stdout, self._encoding)
        self._batch = batch
        self._lines: list[str] = []
        self._writing = False
        self._interrupted = False
        self._main = os.getpid()
        self._previous: Any = None

    def write(self, line: str) -> None:
        """Add one line (without its newline); a full batch is written."""
        self._lines.append(line)
        if len(self._lines) >= self._batch:
            self.flush()

    def note(self, message: str) -> None:
        """A line on stderr, after the records before it."""
        self.flush()
        click.echo(message, err=True)

    def flush(self) -> None:
        """Write the lines added so far; a Ctrl-C meanwhile is raised once they are out."""
        self._writing = True
        try:
            if self._lines:
                data = "\n".join(self._lines).encode(self._encoding, "backslashreplace")
                self._lines.clear()
                self._out.write(data + b"\n")
                self._out.flush()
        finally:
            self._writing = False
        if self._interrupted:
            self._interrupted = False
            raise KeyboardInterrupt

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self._main:
            return  # a forked helper: the command's own process stops it
        if self._writing:
            self._interrupted = True
            return
        raise KeyboardInterrupt

    def __enter__(self) -> Output:
        try:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not the main thread: signals stay as they are
            self._previous = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        interrupted = exc_type is not None and issubclass(exc_type, KeyboardInterrupt)
        if interrupted and self._previous is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut a line
        closed = exc_type is not None and issubclass(exc_type, BrokenPipeError)
        try:
            if not closed:
                self.flush()  # the records finished before the end, a Ctrl-C or an error
        except KeyboardInterrupt:  # came while the last batch was written; it is out
            interrupted = True
        except BrokenPipeError:
            closed = True
        finally:
            if self._previous is not None:
                signal.signal(signal.SIGINT, self._previous)
        if closed:
            _discard_stdout()
            sys.exit(Exit.BROKEN_PIPE)
        if interrupted:
            click.echo("\nInterrupted; the records written are complete.", err=True)
            sys.exit(Exit.INTERRUPTED)


class _TextOut:
    """Bytes written to a text stream, for a sys.stdout that has no binary stream under it."""

    def __init__(self, stream: IO[str], encoding: str) -> None:
        self._stream, self._encoding = stream, encoding

    def write(self, data: bytes) -> int:
        return self._stream.write(data.decode(self._encoding, "replace"))

    def flush(self) -> None:
        self._stream.flush()


def _discard_stdout() -> None:
    """Point standard output at the null device: the reader has gone, and the interpreter's own
    flush at exit would otherwise fail on the closed pipe and print an error."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
