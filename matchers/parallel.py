"""Scan streams of posts or images from a database on several processes, in input order, with
bounded memory.

`scan_stream` and `scan_image_stream` start the helpers for one stream; a `Scanner` keeps them
for many. Each helper loads the database's matcher once (`workercache`); the pool machinery
(how chunks are fed, scanned here or by helpers, and put back in order) is `matchers.pool`.
`scan_matcher` does the same for a `TextMatcher` already built (from rules, say): it is what
`TextMatcher.scan_many(workers=N)` runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import ImageError
from .filters import EntryFilter
from .image import ImageMatcher
from .pool import ChunkFunc, HelperPool, Loader, Sparse, chunked, default_workers, ordered_map
from .text import TextMatcher
from .text.pooled import scan_matcher
from .workercache import worker_matcher

__all__ = ["Scanner", "default_workers", "scan_image_stream", "scan_matcher", "scan_stream"]


def _chosen(filters: EntryFilter | None) -> dict[str, Any]:
    return filters.options() if filters is not None else {}


def _text_chunk(
    matcher: TextMatcher, texts: list[str], options: tuple[bool, EntryFilter | None]
) -> Sparse:
    include_weak, filters = options
    found = matcher.scan_many(texts, include_weak=include_weak, **_chosen(filters))
    return len(texts), [
        (i, [m.to_dict() for m in matches]) for i, matches in enumerate(found) if matches
    ]


def _image_chunk(matcher: ImageMatcher, paths: list[str], filters: EntryFilter | None) -> Sparse:
    results: list[tuple[int, Any]] = []
    chosen = _chosen(filters)
    for i, path in enumerate(paths):
        try:
            found = matcher.scan(path, **chosen)
        except ImageError as exc:
            results.append((i, exc))
        else:
            if found:
                results.append((i, [m.to_dict() for m in found]))
    return len(paths), results


# kind -> how a chunk is scanned, given the matcher, the chunk and the scan's options
_CHUNK_FUNCS: dict[str, ChunkFunc] = {"text": _text_chunk, "image": _image_chunk}


class Scanner(HelperPool):
    """Helper processes kept for many scans, for a service that scans batch after batch.

    `scan_stream` starts its helpers for one stream and stops them after it; a `Scanner` starts
    them on its first scan and keeps them until `close()` (or the end of a `with` block), so
    later scans pay neither the fork nor the copy-on-write faults that follow it. The first
    scan loads the matcher here before the helpers fork, so they share it. `workers=None` means
    all cores. A scan raises, rather than waiting forever, when its Scanner is closed before it
    ends or when a helper process dies (a Scanner that lost a helper must be replaced).

        with Scanner("build/symbolenbank.db", workers=2) as scanner:
            for batch in batches:
                for matches in scanner.scan(batch):
                    ...
    """

    _name = "Scanner"
    _after_death = "close this Scanner and start a new one"

    def __init__(self, db_path: str | os.PathLike[str], *, workers: int | None = None):
        self.db = str(Path(db_path))
        super().__init__(workers)

    def scan(
        self,
        texts: Iterable[str],
        *,
        include_weak: bool = False,
        chunk_size: int = 2000,
        window: int | None = None,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield, for each text in order, its matches as dicts (`TextMatch.to_dict()`)."""
        filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
        return self._map("text", texts, (include_weak, filters), chunk_size, window)

    def scan_images(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        chunk_size: int = 16,
        window: int | None = None,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> Iterator[list[dict[str, Any]] | ImageError]:
        """Yield, for each image path in order, its matches as dicts, or its ImageError."""
        if isinstance(paths, str | bytes | os.PathLike):
            raise TypeError(
                f"Scanner.scan_images() expects an iterable of paths, got one "
                f"{type(paths).__name__}; wrap it in a list"
            )
        filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
        return self._map("image", (str(p) for p in paths), filters, chunk_size, window)

    def _source(self) -> str:
        return self.db

    def _loader(self) -> Loader:
        return worker_matcher

    def _chunk_func(self, kind: str) -> ChunkFunc:
        return _CHUNK_FUNCS[kind]

    def _matcher(self, kind: str) -> Any:
        return worker_matcher(self.db, kind)

    def _start_args(self, kind: str) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return worker_matcher, (self.db, kind)

    def _map(
        self, kind: str, items: Iterable[Any], options: Any, chunk_size: int, window: int | None
    ) -> Iterator[Any]:
        self._check_open()
        if isinstance(items, str | bytes):
            what = "texts" if kind == "text" else "image paths"
            raise TypeError(
                f"Scanner expects an iterable of {what}, got one {type(items).__name__}; "
                "wrap it in a list"
            )
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        return ordered_map(self, kind, chunked(items, chunk_size), options, window)


def scan_stream(
    texts: Iterable[str],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    include_weak: bool = False,
    chunk_size: int = 2000,
    window: int | None = None,
    kinds: Iterable[str] | None = None,
    exclude_kinds: Iterable[str] | None = None,
    min_assessment: str | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield, for each text in order, its matches as dicts (`TextMatch.to_dict()`); the
    helpers start with the stream and stop after it (see `Scanner` to keep them). Bad filter
    values raise ValueError here, before any helper starts."""
    filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
    return _text_stream(texts, db_path, workers, include_weak, chunk_size, window, filters)


def _text_stream(
    texts: Iterable[str],
    db_path: str | os.PathLike[str],
    workers: int | None,
    include_weak: bool,
    chunk_size: int,
    window: int | None,
    filters: EntryFilter | None,
) -> Iterator[list[dict[str, Any]]]:
    with Scanner(db_path, workers=workers) as scanner:
        yield from scanner.scan(
            texts, include_weak=include_weak, chunk_size=chunk_size, window=window,
            **_chosen(filters),
        )  # fmt: skip


def scan_image_stream(
    paths: Iterable[str | os.PathLike[str]],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    chunk_size: int = 16,
    window: int | None = None,
    kinds: Iterable[str] | None = None,
    exclude_kinds: Iterable[str] | None = None,
    min_assessment: str | None = None,
) -> Iterator[list[dict[str, Any]] | ImageError]:
    """Yield, for each image path in order, its matches as dicts, or the ImageError it raised
    (of the knowledge base's entries that the filters let through, as `ImageMatcher.scan`)."""
    filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
    return _image_stream(paths, db_path, workers, chunk_size, window, filters)


def _image_stream(
    paths: Iterable[str | os.PathLike[str]],
    db_path: str | os.PathLike[str],
    workers: int | None,
    chunk_size: int,
    window: int | None,
    filters: EntryFilter | None,
) -> Iterator[list[dict[str, Any]] | ImageError]:
    with Scanner(db_path, workers=workers) as scanner:
        yield from scanner.scan_images(
            paths, chunk_size=chunk_size, window=window, **_chosen(filters)
        )
