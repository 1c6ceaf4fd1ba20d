"""Fuzzy matching: tokens one edit away from a pattern, double letters counted.

Patterns with at least `FUZZY_MIN_LETTERS` letters and no word gap are eligible. Those flagged
`fuzzy` get their one-edit variants as keys of the key automaton (`one_edit_variants`, added by
`index`), so a default scan needs no token-by-token search. `scan(fuzzy=True)` searches every
token of the text against every eligible pattern instead (`FuzzyIndex.hits`): a token is a
candidate when it, or the token with one character deleted, equals the pattern's form with at
most one of its (double-letter) characters deleted; candidates within two edits are kept per
token, and each hit is verified by `fuzzy_close` with the letter runs of the text. Nothing here
runs a regular expression, and the cost per token is independent of the number of patterns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .items import PatItem

__all__ = [
    "FUZZY_MIN_LETTERS",
    "FuzzyHit",
    "FuzzyIndex",
    "expand",
    "fuzzy_close",
    "one_edit_variants",
    "squeeze",
]

#: Fewer letters than this and one edit turns too many ordinary words into a pattern.
FUZZY_MIN_LETTERS = 6
_VARIANT_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# tokens looked up so far, per mode; forgotten past this many (a stream of random tokens)
_SEEN_MAX = 1_000_000

#: (content start, content end, pattern item) in a canonical text.
FuzzyHit = tuple[int, int, PatItem]
_Form = tuple[str, PatItem]  # (squeezed content, its item)


def one_edit_variants(form: str) -> set[str]:
    """The form, its deletions, adjacent transpositions, and substitutions and insertions of
    a-z and its own letters: the tokens a flagged pattern matches by default (verified with
    double letters counted)."""
    letters = set(_VARIANT_LETTERS) | set(form)
    out: set[str] = set()
    for i in range(len(form) + 1):
        a, b = form[:i], form[i:]
        if b:
            out.add(a + b[1:])
            if len(b) > 1:
                out.add(a + b[1] + b[0] + b[2:])
            for c in letters:
                out.add(a + c + b[1:])
        for c in letters:
            out.add(a + c + b)
    out.add(form)  # the same letters with other double letters (`kalifat` for `kalifaat`)
    return out


def squeeze(s: str) -> str:
    """Repeated letters as one, as in canonical text."""
    out: list[str] = []
    for c in s:
        if not (out and c == out[-1] and c.isalpha()):
            out.append(c)
    return "".join(out)


def expand(content: str, runs: Sequence[int]) -> str:
    """Letters repeated as in their run, at most three times (`shaheed`, `sonnnrad`)."""
    return "".join(c * min(r, 3) for c, r in zip(content, runs, strict=False))


def fuzzy_close(tok: str, runs: Sequence[int], item: PatItem) -> bool:
    """One edit between a token and a pattern, double letters counted (`shared` != `shaheed`)."""
    from rapidfuzz.distance import OSA

    return OSA.distance(item.form, expand(tok, runs), score_cutoff=1) <= 1


class FuzzyIndex:
    """The patterns eligible for fuzzy matching and, per mode, the lookup table of their
    deletions and the tokens already looked up (both built on first use).

    Mode `True` (`scan(fuzzy=True)`) searches every eligible pattern, mode `False` only those
    flagged `fuzzy` (whose variants are also keys of the key automaton)."""

    __slots__ = ("forms", "flagged", "_tables", "_seen")

    def __init__(self) -> None:
        self.forms: list[_Form] = []
        self.flagged: list[_Form] = []
        self._tables: dict[bool, tuple[dict[str, list[_Form]], int, int]] = {}
        self._seen: dict[bool, tuple[set[str], dict[str, tuple[_Form, ...]]]] = {}

    def add(self, form: str, item: PatItem, flagged: bool) -> None:
        self.forms.append((form, item))
        if flagged:
            self.flagged.append((form, item))

    def wanted(self, fuzzy: bool) -> bool:
        """Whether a scan with `fuzzy` searches tokens at all."""
        return fuzzy and bool(self.forms)

    def hits(self, k: str, fuzzy: bool, k_arr: np.ndarray | None = None) -> list[FuzzyHit]:
        """(content start, end, item) for tokens of canonical text `k` one edit away from an
        eligible pattern. `k_arr` (`k` as code points) lets a batch skip tokens of the wrong
        length without slicing them."""
        table, lo, hi = self._table(fuzzy)
        seen, hits = self._seen[fuzzy]
        toks = _tokens(k, k_arr, lo, hi)
        new = toks - seen
        if len(seen) + len(new) > _SEEN_MAX:
            seen.clear()
            hits.clear()
        _look_up(new, table, lo, hi, hits)
        seen |= new
        found: list[FuzzyHit] = []
        for tok in toks & hits.keys():
            res = hits[tok]
            needle = " " + tok + " "
            pos = k.find(needle)
            while pos >= 0:
                for _form, item in res:
                    found.append((pos + 1, pos + 1 + len(tok), item))
                pos = k.find(needle, pos + len(needle) - 1)
        return found

    def _table(self, fuzzy: bool) -> tuple[dict[str, list[_Form]], int, int]:
        """The deletions table of the mode's patterns and the token lengths worth a look."""
        got = self._tables.get(fuzzy)
        if got is not None:
            return got
        forms = self.forms if fuzzy else self.flagged
        table: dict[str, list[_Form]] = {}
        for form, item in forms:
            # deletions of the form with its double letters, squeezed (`sonnnrad`)
            f2 = item.form
            for d in {form} | {squeeze(f2[:i] + f2[i + 1 :]) for i in range(len(f2))}:
                table.setdefault(d, []).append((form, item))
        lo = min(len(f) for f, _ in forms) - 2
        hi = max(len(f) for f, _ in forms) + 1
        got = self._tables[fuzzy] = (table, lo, hi)
        self._seen[fuzzy] = (set(), {})
        return got


def _tokens(k: str, k_arr: np.ndarray | None, lo: int, hi: int) -> set[str]:
    """The distinct tokens of canonical text `k`; with `k_arr`, only those of length lo..hi."""
    if k_arr is None:
        return set(k.split(" "))
    sp = np.flatnonzero(k_arr == 32)
    lens = np.diff(sp) - 1
    sel = np.flatnonzero((lens >= lo) & (lens <= hi))
    a = (sp[sel] + 1).tolist()
    b = sp[sel + 1].tolist()
    return {k[x:y] for x, y in zip(a, b, strict=True)}


def _look_up(
    toks: set[str],
    table: dict[str, list[_Form]],
    lo: int,
    hi: int,
    hits: dict[str, tuple[_Form, ...]],
) -> None:
    """Add to `hits` the patterns within two edits of each token (`fuzzy_close` decides)."""
    from rapidfuzz.distance import OSA

    for tok in toks:
        if not lo <= len(tok) <= hi or tok.isdigit():
            continue
        cands: dict[int, _Form] = {}
        for d in {tok} | {tok[:i] + tok[i + 1 :] for i in range(len(tok))}:
            for form, item in table.get(d, ()):
                cands[id(item)] = (form, item)
        res = tuple(
            (form, item)
            for form, item in cands.values()
            if OSA.distance(form, tok, score_cutoff=2) <= 2
        )
        if res:
            hits[tok] = res
