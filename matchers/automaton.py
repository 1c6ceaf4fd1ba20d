"""Multi-key search over text: every occurrence of every key, overlapping ones included.

The text matcher searches with two Aho-Corasick engines, each for the job it is faster at, and
constructs both only here:

- `KeyAutomaton` (ahocorasick_rs, the Rust `aho-corasick` crate): the key automaton, tens of
  thousands of keys searched over the canonical text of a whole batch of posts (up to 256,000
  characters) in one call. `find_matches_as_indexes(text, overlapping=True)` returns all
  overlapping matches of the batch at once, as one list. Bare, on the posts and keys of
  `benchmarks/text_throughput.py`, it searches two to three times as fast as pyahocorasick.
- `PostAutomaton` (pyahocorasick): the context-term and punctuation automata, a few keys
  searched in one post at a time, and only in the posts that need them. On such short texts a
  call of pyahocorasick costs less (about 1.0 against 1.5 microseconds for a 90-character post
  and four keys, values included), and it stores each key's value itself, where
  ahocorasick_rs returns key indexes to be mapped back.

pyahocorasick searches a copy of its text, converted to four bytes per character, unless the
string is stored that way already. Its `iter(text, start, end)` still copies all of `text`, so
callers pass a post's slice rather than a batch's text with a range.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import ahocorasick  # type: ignore[import-not-found]  # no type information shipped
import ahocorasick_rs as acr

__all__ = ["KeyAutomaton", "PostAutomaton"]

V = TypeVar("V")


class KeyAutomaton(Generic[V]):
    """Aho-Corasick over a fixed set of keys, each with a value, for long texts.

    `find(text)` returns `(index of the key's last character, value)` for every occurrence,
    overlapping ones included, ordered by where they end. Offsets count code points.

    The automaton is a contiguous NFA: in a scan, where batch canonicalisation evicts it from
    the caches between searches, it was as fast as a DFA at a tenth of the memory (a DFA takes
    about 130 bytes per key character).
    """

    def __init__(self, keys: Mapping[str, V]):
        self._values = list(keys.values())
        self._ac: acr.AhoCorasick | None = None
        if self._values:
            self._ac = acr.AhoCorasick(
                list(keys),
                matchkind=acr.MatchKind.Standard,  # the only kind with overlapping matches
                implementation=acr.Implementation.ContiguousNFA,
                store_patterns=False,  # matches are read as indexes, never as strings
            )

    def __len__(self) -> int:
        return len(self._values)

    def find(self, text: str) -> list[tuple[int, V]]:
        if self._ac is None or not text:
            return []
        values = self._values
        return [
            (end - 1, values[i])
            for i, _start, end in self._ac.find_matches_as_indexes(text, overlapping=True)
        ]


class PostAutomaton(Generic[V]):
    """Aho-Corasick over a few keys, each with a value, for one post's text at a time.

    `iter(text)` yields `(index of the key's last character, value)` for every occurrence,
    overlapping ones included, ordered by where they end, as it finds them."""

    def __init__(self, keys: Mapping[str, V]):
        self._n = len(keys)
        self._ac: Any = ahocorasick.Automaton()
        for key, value in keys.items():
            self._ac.add_word(key, value)
        if self._n:
            self._ac.make_automaton()

    def __len__(self) -> int:
        return self._n

    def iter(self, text: str) -> Iterator[tuple[int, V]]:
        if not self._n:
            return iter(())
        it: Iterator[tuple[int, V]] = self._ac.iter(text)
        return it
