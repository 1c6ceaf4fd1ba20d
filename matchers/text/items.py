"""What a key of the key automaton stands for: the items stored under each canonical key.

A key maps to `(len(key), items)`: one key can be a pattern of several entries, an exception
phrase and a one-edit variant at once. `kind` tells the items apart in the loop over hits with
one integer comparison; it is typed as a literal, so a comparison with `PAT`, `EXC` or `FZ`
also narrows the item's type for a type checker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["EXC", "FZ", "PAT", "TERM", "FzItem", "Item", "KeyValue", "OtherItem", "PatItem"]

PAT: Final = 0  # a pattern
EXC: Final = 1  # an exception phrase of an entry
TERM: Final = 2  # a context term
FZ: Final = 3  # a one-edit variant of a pattern flagged `fuzzy`


@dataclass(frozen=True)
class PatItem:
    """One key of one pattern (a multi-word pattern has a run-together key too)."""

    kind: Literal[0]
    pattern: int  # index into the index's patterns
    entry: int  # index into the index's entries
    lead: int  # 1 if the key starts with a frame space
    length: int  # canonical length of the matched content
    runs: tuple[int, ...]  # required letter run per content character
    need: tuple[tuple[int, int], ...]  # (offset, run) where a double letter is required
    joined: bool  # the run-together key of a multi-word pattern
    gaps: tuple[int, ...]  # offsets of word gaps in the content
    form: str = ""  # the content with its letter runs (for fuzzy verification)
    number: bool = False  # a token of digits only (never part of a date or time)


@dataclass(frozen=True)
class OtherItem:
    """An exception phrase (`EXC`, `ref` is the entry) or a context term (`TERM`, `ref` is the
    term)."""

    kind: Literal[1, 2]
    ref: int
    lead: int
    length: int


@dataclass(frozen=True)
class FzItem:
    """A one-edit variant of a pattern flagged `fuzzy`, as a key of its own."""

    kind: Literal[3]
    item: PatItem


Item = PatItem | OtherItem | FzItem
#: The value of one key: its length and what it stands for.
KeyValue = tuple[int, tuple[Item, ...]]
