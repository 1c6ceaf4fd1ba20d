"""Multi-key search over canonical text: every occurrence of every key, overlapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ahocorasick_rs as acr

#: Above this many key characters the automaton is a contiguous NFA rather than a DFA. A DFA
#: scans about 1.5x faster but takes about 130 bytes per key character (60 MB for 470,000),
#: and at several million key characters it is both larger and slower than the NFA.
DFA_MAX_KEY_CHARS = 600_000


class KeyAutomaton:
    """Aho-Corasick over a fixed set of keys, each with a value.

    `find(text)` returns `(index of the key's last character, value)` for every occurrence,
    overlapping ones included, ordered by where they end. Offsets count code points.
    """

    def __init__(self, keys: Mapping[str, Any]):
        self._values = list(keys.values())
        patterns = list(keys)
        self._ac: Any = None
        if patterns:
            size = sum(map(len, patterns))
            impl = (
                acr.Implementation.DFA
                if size <= DFA_MAX_KEY_CHARS
                else acr.Implementation.ContiguousNFA
            )
            self._ac = acr.AhoCorasick(
                patterns,
                matchkind=acr.MatchKind.Standard,
                implementation=impl,
                store_patterns=False,
            )

    def __len__(self) -> int:
        return len(self._values)

    def find(self, text: str) -> list[tuple[int, Any]]:
        if self._ac is None or not text:
            return []
        values = self._values
        return [
            (end - 1, values[i])
            for i, _start, end in self._ac.find_matches_as_indexes(text, overlapping=True)
        ]
