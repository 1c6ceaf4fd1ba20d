"""Why a post leaves the batch path: every reason, and the collector the batch stages report to.

The batch path handles what is common at numpy speed; a post with anything else is marked
`slow` and its caller canonicalises it with the reference path instead. A batch stage that
meets such a case calls `slow.add(Reason.X, positions)`; a new case gets a member here first.
"""

from __future__ import annotations

from enum import Enum

import numpy as np


class Reason(Enum):
    """A reason to send a post to the reference path; the value says when it applies."""

    UNMAPPED = (
        "a code point the batch tables leave to the reference path: an expansion (`ß`, `™`), a "
        "combining mark, a keycap, a tag, a code point from U+3000 on that is no emoji (`中`), "
        "above U+1FFFF, or part of a pattern emoji of several code points"
    )
    INVISIBLE_NEXT_TO_EMOJI = (
        "an invisible character beside an emoji, a modifier, a joiner, a flag letter, a symbol "
        "or a pattern emoji (between letters, digits and punctuation it simply vanishes)"
    )
    LONE_JOINER = "a zero-width joiner that does not link an emoji to a next one (`a\u200db`)"
    MODIFIED_PATTERN_EMOJI_SEQUENCE = (
        "an emoji ZWJ sequence on a pattern emoji with modifiers (`🏴\ufe0f\u200d😂`), which is "
        "another emoji"
    )
    STRAY_MODIFIER = (
        "a variation selector or skin tone after no emoji (`a\ufe0f`), also after a flag letter"
    )
    NUL = "a NUL character, which joins the posts of a batch: the post is left out of it"
    PATTERN_EMOJI_TOUCHES_TEXT = (
        "a pattern emoji without a separator on both sides (`x🏴`): the reference path frames it"
    )

    @property
    def key(self) -> str:
        """The reason's name in `SLOW_REASONS` and `Batch.slow_reasons`."""
        return self.name.lower().replace("_", "-")


# Every reason a post leaves the batch path: name -> when it applies.
SLOW_REASONS: dict[str, str] = {r.key: r.value for r in Reason}


class SlowPosts:
    """Collects, by reason, the positions in a joined batch that send their post to the
    reference path; `flags()` marks the posts, `counts()` says how many posts each reason
    sent (a post may count for several). Positions are kept as found: counting costs nothing
    until asked for."""

    __slots__ = ("_ends", "_found")

    def __init__(self, post_ends: np.ndarray):
        self._ends = post_ends  # index in the joined batch of the joiner after each post
        self._found: list[tuple[Reason, np.ndarray]] = []

    def add(self, reason: Reason, positions: np.ndarray) -> None:
        self._found.append((reason, positions))

    def flags(self) -> np.ndarray:
        """Per post, whether any reason applies to it."""
        slow = np.zeros(len(self._ends), dtype=bool)
        if self._found:
            flagged = np.concatenate([p for _, p in self._found])
            if len(flagged):
                slow[np.searchsorted(self._ends, flagged)] = True
        return slow

    def counts(self) -> dict[str, int]:
        """Per reason (all of `SLOW_REASONS`), the number of posts it sends."""
        by_reason: dict[Reason, list[np.ndarray]] = {}
        for reason, positions in self._found:
            by_reason.setdefault(reason, []).append(positions)
        out = dict.fromkeys(SLOW_REASONS, 0)
        for reason, parts in by_reason.items():
            posts = np.searchsorted(self._ends, np.concatenate(parts))
            out[reason.key] = len(np.unique(posts))
        return out
