"""Compiling rules into the index a scan runs on (`compile_index` -> `TextIndex`).

Every pattern is canonicalised by `matchers.canon` into one key of the key automaton,
framed by spaces according to its boundary mode (word/token `" k "`, prefix `" k"`, substring
`"k"`), because canonical text frames every token with single spaces. A multi-word pattern
also gets a run-together key (`#ZwarteZon`), and a hyphenated one keys without its hyphens or
without its spaces. Patterns flagged `fuzzy` add their one-edit variants as keys; exception
phrases are substring keys. Context terms get an automaton of their own, and punctuation-only
patterns and terms (`(((`), which have no canonical form, one over the original text. Emoji of
patterns, exceptions and terms get one private-use character each (`codes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import canon as nz
from ..automaton import KeyAutomaton, PostAutomaton
from .cues import numeric_kind
from .fuzzy import FUZZY_MIN_LETTERS, FuzzyIndex, expand, one_edit_variants, squeeze
from .items import EXC, FZ, PAT, TERM, FzItem, Item, KeyValue, OtherItem, PatItem
from .rules import MODES, EntryRule, NumberCues, PatternRule

__all__ = ["PunctRef", "TextIndex", "compile_index"]

#: (PAT, pattern index) or (TERM, term index): what a punctuation-only key stands for.
PunctRef = tuple[int, int]
# (entries, terms) a context rule requires, by index
_Needs = tuple[tuple[int, ...], tuple[int, ...]]
# the private-use characters emoji codes are taken from
_FIRST_CODE, _LAST_CODE = 0xE100, 0xF8FF


@dataclass(slots=True, eq=False)
class TextIndex:
    """Everything a scan needs, compiled once from the rules of a matcher."""

    entries: list[EntryRule]  # active entries; items refer to them by index
    patterns: list[PatternRule]  # patterns of active entries; items refer to them by index
    pattern_entry: list[int]  # entry index of each pattern
    codes: dict[str, str]  # emoji key -> private-use character
    tables: tuple[np.ndarray, np.ndarray]  # batch canonicalisation tables for `codes`
    keys: KeyAutomaton[KeyValue]  # every canonical key -> (key length, items)
    nkeys: int
    fuzzy: FuzzyIndex
    terms: list[str]  # canonical context terms ("\x00" + text for punctuation-only ones)
    entry_terms: list[tuple[tuple[int, ...], tuple[int, ...]]]  # per entry: (entries, terms)
    term_labels: list[str]  # each term as an entry's rule first writes it
    term_numeric: list[bool]  # each term: a number (a quantity or year does not confirm)
    entry_common: list[frozenset[int]]  # per entry: its terms that are everyday words
    has_context: list[bool]  # per entry: has a context rule
    cues: NumberCues  # what makes a number a quantity, an identifier or a year
    numeric: list[int]  # per pattern: `cues.numeric_kind` of its text
    numeric_entry: list[bool]  # per entry: has a number pattern
    term_auto: PostAutomaton[tuple[int, int]] | None  # " term " -> (key length, term index)
    punct_auto: PostAutomaton[tuple[int, tuple[PunctRef, ...]]] | None  # over original text
    punct_first: frozenset[str]  # first characters of the punctuation-only keys
    punct_patterns: bool  # any punctuation-only pattern (not only terms)
    # tokens canonicalised with another reading (`readings`), bounded there
    token_cache: dict[tuple[str, str], nz.Canon] = field(default_factory=dict)
    token_cache_chars: int = 0  # characters of the tokens in `token_cache`


def compile_index(
    entries: Sequence[EntryRule], patterns: Sequence[PatternRule], cues: NumberCues | None = None
) -> TextIndex:
    """The index of the rules; patterns of unknown or retired entries are left out.

    Raises ValueError for a pattern with an unknown boundary mode."""
    active = [e for e in entries if e.status != "retired"]
    eidx = {e.id: i for i, e in enumerate(active)}
    pats = [p for p in patterns if p.entry_id in eidx]
    codes = _emoji_codes(active, pats, eidx)
    keys: dict[str, list[Item]] = {}
    punct: dict[str, list[PunctRef]] = {}
    fuzzy = FuzzyIndex()
    for pi, p in enumerate(pats):
        _add_pattern(keys, punct, fuzzy, pi, p, eidx[p.entry_id], codes)
    _add_fuzzy_variants(keys, fuzzy)
    _add_exceptions(keys, active, codes)
    terms, labels, entry_terms, common = _context_terms(
        active, eidx, {x.id for x in entries}, codes, punct
    )
    numeric = [numeric_kind(p.text) for p in pats]
    numeric_entry = [False] * len(active)
    for pi, p in enumerate(pats):
        if numeric[pi]:
            numeric_entry[eidx[p.entry_id]] = True
    return TextIndex(
        entries=active,
        patterns=pats,
        pattern_entry=[eidx[p.entry_id] for p in pats],
        codes=codes,
        tables=nz.fast_tables(codes),
        keys=KeyAutomaton({key: (len(key), tuple(items)) for key, items in keys.items()}),
        nkeys=len(keys),
        fuzzy=fuzzy,
        terms=terms,
        entry_terms=entry_terms,
        term_labels=labels,
        term_numeric=[numeric_kind(t) > 0 for t in labels],
        entry_common=common,
        has_context=[bool(e.context_requires_any) for e in active],
        cues=cues or NumberCues(),
        numeric=numeric,
        numeric_entry=numeric_entry,
        term_auto=_term_automaton(terms),
        punct_auto=PostAutomaton({k: (len(k), tuple(refs)) for k, refs in punct.items()})
        if punct
        else None,
        punct_first=frozenset(key[0] for key in punct),
        punct_patterns=any(kind == PAT for refs in punct.values() for kind, _ in refs),
    )


def _emoji_codes(
    entries: list[EntryRule], patterns: list[PatternRule], eidx: dict[str, int]
) -> dict[str, str]:
    """One private-use character per emoji of the patterns, exceptions and context terms."""
    codes: dict[str, str] = {}
    texts = [p.text for p in patterns]
    for entry in entries:
        texts.extend(entry.exceptions)
        texts.extend(t for t in entry.context_requires_any if t not in eidx)
    for t in texts:
        for a, b, kind in nz.segment(t):
            if kind == nz.U_EMOJI:
                key = nz.emoji_key(t[a:b])
                if key not in codes and len(codes) < _LAST_CODE - _FIRST_CODE:
                    codes[key] = chr(_FIRST_CODE + len(codes))
    return codes


def _content(canon: nz.Canon) -> tuple[str, list[int]]:
    """A canonical text without its frame spaces, and its letter runs."""
    k = canon.k
    a = 1 if k.startswith(" ") else 0
    b = len(k) - 1 if k.endswith(" ") and len(k) > 1 else len(k)
    return k[a:b], canon.run[a:b]


def _joined(content: str, runs: list[int]) -> tuple[str, list[int]]:
    """The run-together form of a multi-word content (`zwarte zon` -> `zwartezon`)."""
    chars: list[str] = []
    out_runs: list[int] = []
    for c, r in zip(content, runs, strict=True):
        if c in " .,":
            continue
        if chars and c.isalpha() and chars[-1] == c:
            out_runs[-1] += r
            continue
        chars.append(c)
        out_runs.append(r)
    return "".join(chars), out_runs


def _key_forms(
    p: PatternRule, content: str, runs: list[int], codes: dict[str, str]
) -> list[tuple[str, list[int], bool]]:
    """(content, runs, run together) of every key of a pattern."""
    forms = [(content, runs, False)]
    if " " in content and all(c == " " or c.isalnum() or c in ".," for c in content):
        jc, jr = _joined(content, runs)
        forms.append((jc, jr, True))
        if "-" in p.text and " " in p.text.strip():
            # hyphens and spaces of a pattern may each vanish on their own
            # (`a-l-f-u-r-q-a-n m-e-d-i-a`, `a l-s a h a b m e d i a`)
            for t in (p.text.replace("-", ""), p.text.replace(" ", "")):
                vc, vr = _content(nz.canonicalize(t, codes))
                if vc not in (content, jc) and " " in vc:
                    forms.append((vc, vr, True))
    return forms


def _add_pattern(
    keys: dict[str, list[Item]],
    punct: dict[str, list[PunctRef]],
    fuzzy: FuzzyIndex,
    pi: int,
    p: PatternRule,
    ei: int,
    codes: dict[str, str],
) -> None:
    """The keys of pattern `pi` (of entry `ei`), and its fuzzy forms if it is eligible."""
    if p.match not in MODES:
        raise ValueError(f"pattern {p.text!r} of {p.entry_id}: unknown match {p.match!r}")
    content, runs = _content(nz.canonicalize(p.text, codes))
    if not content:
        if p.text.strip():
            punct.setdefault(p.text.strip(), []).append((PAT, pi))
        return
    lead = 0 if p.match == "substring" else 1
    trail = 1 if p.match in ("word", "token") else 0
    for c, r, joined in _key_forms(p, content, runs, codes):
        item = PatItem(
            PAT,
            pi,
            ei,
            lead,
            len(c),
            tuple(r),
            tuple((j, x) for j, x in enumerate(r) if x > 1),
            joined,
            tuple(j for j, ch in enumerate(c) if ch == " "),
            expand(c, r),
            p.match == "token" and c.isdigit(),
        )
        keys.setdefault(" " * lead + c + " " * trail, []).append(item)
        letters = sum(x for ch, x in zip(c, r, strict=True) if ch.isalpha())
        if " " not in c and letters >= FUZZY_MIN_LETTERS:
            fuzzy.add(c, item, p.fuzzy)


def _add_fuzzy_variants(keys: dict[str, list[Item]], fuzzy: FuzzyIndex) -> None:
    """One-edit variants of flagged patterns are keys too, so that default scans need no
    token-by-token search (`fuzzy=True` searches every eligible pattern that way)."""
    for _form, item in fuzzy.flagged:
        fz_item = FzItem(FZ, item)
        for v in {squeeze(v) for v in one_edit_variants(item.form)}:
            keys.setdefault(" " + v + " ", []).append(fz_item)


def _add_exceptions(
    keys: dict[str, list[Item]], entries: list[EntryRule], codes: dict[str, str]
) -> None:
    """Exception phrases are substring keys of their entry."""
    for ei, e in enumerate(entries):
        for phrase in e.exceptions:
            c, _ = _content(nz.canonicalize(phrase, codes))
            if c:
                keys.setdefault(c, []).append(OtherItem(EXC, ei, 0, len(c)))


def _context_terms(
    entries: list[EntryRule],
    eidx: dict[str, int],
    all_ids: set[str],
    codes: dict[str, str],
    punct: dict[str, list[PunctRef]],
) -> tuple[list[str], list[str], list[_Needs], list[frozenset[int]]]:
    """The canonical context terms with their written forms, per entry the entries and terms
    its rule requires, and per entry those of its terms that are everyday words.

    A requirement naming an active entry is that entry's matches; one naming a retired entry
    never holds; any other is a term matched as a word (punctuation-only ones as written)."""
    terms: list[str] = []
    labels: list[str] = []
    term_ids: dict[str, int] = {}
    entry_terms: list[_Needs] = []
    entry_common: list[frozenset[int]] = []
    for e in entries:
        dep_entries: list[int] = []
        dep_terms: list[int] = []
        common: set[int] = set()
        for term in e.context_requires_any:
            if term in eidx:
                dep_entries.append(eidx[term])
                continue
            if term in all_ids:
                continue  # a retired entry never matches
            c, _ = _content(nz.canonicalize(term, codes))
            if not c:
                if not term.strip():
                    continue
                c = "\x00" + term.strip()  # a term index of its own, never in text
                if c not in term_ids:
                    punct.setdefault(term.strip(), []).append((TERM, len(terms)))
            if c not in term_ids:
                term_ids[c] = len(terms)
                terms.append(c)
                labels.append(term)
            dep_terms.append(term_ids[c])
            if term in e.context_common:
                common.add(term_ids[c])
        entry_terms.append((tuple(dep_entries), tuple(dep_terms)))
        entry_common.append(frozenset(common))
    return terms, labels, entry_terms, entry_common


def _term_automaton(terms: list[str]) -> PostAutomaton[tuple[int, int]] | None:
    """Context terms as words (framed by spaces), or None when all are punctuation-only."""
    words = {" " + c + " ": (len(c) + 2, ti) for ti, c in enumerate(terms) if c[0] != "\x00"}
    return PostAutomaton(words) if words else None
