"""`TextMatcher.scan_many(workers=N)`: a matcher already built (from rules, say) scanned by a
pool of helper processes (`matchers.pool`), in its own batches and in input order. Forked
helpers share the matcher; helpers started otherwise unpickle it (by its rules).

This module does not import the matcher: it takes anything with `scan_many`, so the matcher
can import it and the dependency runs one way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from ..filters import EntryFilter
from ..pool import ChunkFunc, HelperPool, Sparse, hold, ordered_map
from .batch import BATCH, BATCH_CHARS, chunks
from .rules import TextMatch


class ScansMany(Protocol):
    """What a helper needs of a matcher: `TextMatcher.scan_many` in this process."""

    def scan_many(
        self,
        texts: Iterable[str],
        workers: int | None = None,
        include_weak: bool = False,
        fuzzy: bool = False,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> Iterator[list[TextMatch]]: ...


def _match_chunk(
    matcher: ScansMany, texts: list[str], options: tuple[bool, bool, EntryFilter | None]
) -> Sparse:
    """TextMatch lists, for `scan_matcher`; options are (include_weak, fuzzy, filters)."""
    include_weak, fuzzy, filters = options
    chosen = filters.options() if filters is not None else {}
    found = matcher.scan_many(texts, include_weak=include_weak, fuzzy=fuzzy, **chosen)
    return len(texts), [(i, matches) for i, matches in enumerate(found) if matches]


class _MatcherHelpers(HelperPool):
    """Helpers started with a matcher already built, for one stream of `scan_matcher`."""

    def __init__(self, matcher: ScansMany, workers: int | None):
        self._held = matcher
        super().__init__(workers)

    def _source(self) -> None:
        return None

    def _loader(self) -> None:
        return None

    def _chunk_func(self, kind: str) -> ChunkFunc:
        return _match_chunk

    def _matcher(self, kind: str) -> ScansMany:
        return self._held

    def _start_args(self, kind: str) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        # forked helpers share the matcher; started otherwise, they unpickle it (its rules)
        return hold, (self._held,)


def scan_matcher(
    matcher: ScansMany,
    texts: Iterable[str],
    *,
    workers: int | None = None,
    include_weak: bool = False,
    fuzzy: bool = False,
    kinds: Iterable[str] | None = None,
    exclude_kinds: Iterable[str] | None = None,
    min_assessment: str | None = None,
    window: int | None = None,
) -> Iterator[list[TextMatch]]:
    """Yield, for each text in order, its matches as `matcher.scan(text, include_weak, fuzzy,
    kinds=..., exclude_kinds=..., min_assessment=...)` gives them, scanned in the matcher's own
    batches by `workers` processes (default: all cores): this one and helpers started for the
    stream and stopped after it. Bad filter values raise ValueError here, before any scan."""
    options = (include_weak, fuzzy, EntryFilter.of(kinds, exclude_kinds, min_assessment))
    return _scan_pooled(matcher, texts, workers, options, window)


def _scan_pooled(
    matcher: ScansMany,
    texts: Iterable[str],
    workers: int | None,
    options: tuple[bool, bool, EntryFilter | None],
    window: int | None,
) -> Iterator[list[TextMatch]]:
    with _MatcherHelpers(matcher, workers) as helpers:
        yield from ordered_map(
            helpers, "matches", chunks(texts, BATCH, BATCH_CHARS), options, window
        )
