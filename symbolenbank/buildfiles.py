"""How a build puts its files in place: each written under a name of its own next to its output,
then renamed over it; the public and restricted pair by one build at a time.

The temporary file is unique to the build and lives in the output's own folder, so that renaming
it over the output is atomic and two builds never write one file. A build of a public and a
restricted file, which must be replaced as a pair, also holds an exclusive lock (`fcntl.flock`)
on `<output>.lock` next to each, so a second build of the same pair waits for the first; the
kernel releases the lock of a build that dies, so none is ever left stale. What a killed build
left of its temporary files is removed by the next one, under the lock.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: two builds of one pair must not run at once there
    fcntl = None  # type: ignore[assignment]


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


@contextmanager
def locked(
    outputs: Iterable[Path], on_wait: Callable[[Path], None] | None = None
) -> Iterator[None]:
    """Hold the build lock of every output (in one order, so that two builds cannot each wait
    for the other); `on_wait(output)` is called before waiting for another build's lock."""
    with ExitStack() as stack:
        for output in sorted({Path(os.path.abspath(p)) for p in outputs}):
            output.parent.mkdir(parents=True, exist_ok=True)
            handle = stack.enter_context(open(lock_path(output), "ab"))
            if fcntl is None:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(output)
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _temporary_name(output: Path) -> Path:
    return output.with_name(f".{output.name}.{secrets.token_hex(8)}.tmp")


# A build writes its temporary file from start to rename within seconds; one untouched for this
# long belongs to a build that was killed. (A public-only build takes no lock, so a younger file
# may be its file, mid-write.)
LEFTOVER_AGE_S = 15 * 60


def remove_leftovers(output: Path) -> None:
    """Remove the temporary files (and SQLite journals) that killed builds of `output` left;
    only under its lock, and only files untouched for LEFTOVER_AGE_S."""
    pattern = re.compile(rf"\.{re.escape(output.name)}\.[0-9a-f]{{16}}\.tmp(-journal)?")
    now = time.time()
    for name in os.listdir(output.parent):
        if pattern.fullmatch(name):
            path = output.parent / name
            try:
                if now - path.stat().st_mtime >= LEFTOVER_AGE_S:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:  # its build renamed or removed it meanwhile
                continue


@contextmanager
def temporary(output: Path) -> Iterator[Path]:
    """A new, empty file next to `output` with a name of its own, removed at the end of the
    block unless it was renamed (`replace`)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = _temporary_name(output)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        Path(f"{path}-journal").unlink(missing_ok=True)


def replace(path: Path, output: Path) -> None:
    """Rename `path` over `output`, and make the rename last through a power cut."""
    os.replace(path, output)
    try:
        folder = os.open(output.parent, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on every system
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)
