"""When two patterns are the same, and how common a pattern is as an ordinary word.

The validator refuses common words without a context rule; the diff report rates new patterns by
the same frequency and finds the same duplicates.
"""

from __future__ import annotations

import warnings
from functools import cache

#: Zipf frequency (log10 of occurrences per billion words) from which a word counts as common:
#: 4.0 is ten per million words, e.g. Dutch "zon" or English "storm".
COMMON_WORD_ZIPF = 4.0


def pattern_key(value: str, is_emoji: bool) -> tuple[bool, str]:
    """What makes two patterns the same: case, spacing and punctuation aside."""
    if is_emoji:
        return True, value.replace("\ufe0f", "")
    folded = " ".join("".join(ch if ch.isalnum() else " " for ch in value.casefold()).split())
    # Patterns of symbols alone (☭, ✠, "(((") are compared as written.
    return False, folded or " ".join(value.casefold().split())


@cache
def _zipf(word: str, lang: str) -> float:
    import wordfreq  # loads its word lists; only the checks that rate words need it

    if lang not in wordfreq.available_languages():
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(wordfreq.zipf_frequency(word, lang))


def common_word_frequency(text: str, langs: list[str]) -> tuple[float, str]:
    """The highest Zipf frequency of `text` in any of `langs`, with that language."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()
    best = (0.0, "")
    for lang in langs:
        if lang == "und" or not words:
            continue
        # wordfreq rates a phrase about as common as its rarest word; a phrase of common words is
        # itself rare, so estimate it as if its words were independent.
        zipf = 9.0 + sum(_zipf(w, lang) - 9.0 for w in words)
        best = max(best, (zipf, lang))
    return best
