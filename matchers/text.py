"""Find knowledge-base patterns in text, through the obfuscations of SPEC §4.

    tm = TextMatcher.from_db("build/symbolenbank.db")
    tm = TextMatcher.from_rules(entries, patterns)      # plain data, no database needed
    tm.scan("S1eg h.e.i.l!")                            # -> [TextMatch(...)]
    tm.scan(text, include_weak=True, fuzzy=True)
    list(tm.scan_many(posts, workers=4))                # same as [tm.scan(p) for p in posts]

`from_rules(entries: list[EntryRule], patterns: list[PatternRule])` is the constructor `from_db`
uses; the validator can call it with rules built from YAML.

How it works. Every pattern is canonicalised by `matchers.normalize` (case folding, NFKC,
diacritics, homoglyphs, invisible characters, leetspeak, spaced and stretched letters,
separators, emoji) into one Aho-Corasick key, framed by spaces according to its boundary mode
(word/token `" k "`, prefix `" k"`, substring `"k"`), because the canonical text frames every
token with single spaces; multi-word patterns get a second, run-together key (`#ZwarteZon`).
A post is canonicalised the same way, the automaton runs once over it (over a whole batch of
posts for `scan_many`), and each hit is checked for the pattern's own double letters, for the
entry's exceptions and context rule, then mapped back to the original string. Scanning is
linear in the text length and independent of the number of patterns; no regular expressions
run on user text.

Tokens where letters touch digits are also read as leetspeak throughout and split into letters
and number (`normalize.canonicalize(reading=...)`), re-canonicalised token by token and spliced
into the post; a split match counts only when the piece on the other side of the cut matches
too (`heil1488`). A number token inside a date or time (`14-11-2026`, `22:45`) is no match.
Punctuation-only patterns and context terms (`(((`) match the original text as written. A
pattern flagged `fuzzy` also gets its one-edit variants as keys (substitutions and insertions
of a-z and its own letters), verified with double letters counted (`shared` is two edits from
`shaheed`); `fuzzy=True` searches every token against every eligible pattern instead.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import numpy as np

from . import canon as nz
from .automaton import KeyAutomaton
from .errors import DatabaseError

__all__ = ["EntryRule", "PatternRule", "TextMatch", "TextMatcher"]

MODES = ("word", "prefix", "substring", "token")
FUZZY_MIN_LETTERS = 6
# Posts canonicalised and searched at once, and at most this many characters: larger batches
# need multi-megabyte temporary arrays, and glibc hands memory that size back to the system
# after each batch, so the next one page-faults it in again (up to 23,000 faults per 4 MB of
# posts with 2,048 posts per batch; none with 1,024).
_BATCH = 1024
_BATCH_CHARS = 256_000


@dataclass(frozen=True)
class EntryRule:
    """What the matcher needs to know about one entry."""

    id: str
    title: str = ""
    title_en: str = ""
    kind: str = ""
    assessment: str = ""
    status: str = "active"
    context_requires_any: tuple[str, ...] = ()
    context_window: int | None = None
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatternRule:
    """One pattern of an entry: `text` as written (emoji included) and its boundary mode."""

    entry_id: str
    text: str
    match: str = "word"
    fuzzy: bool = False


@dataclass(frozen=True)
class TextMatch:
    """One occurrence of an entry's pattern; `text[start:end] == matched`."""

    entry_id: str
    start: int
    end: int
    matched: str
    pattern: str
    kind: str
    assessment: str
    title: str
    title_en: str
    mode: str
    weak: bool = False
    fuzzy: bool = False
    reasons: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The fields of one match in `symbolenbank scan --format jsonl`."""
        return {
            "entry_id": self.entry_id,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "pattern": self.pattern,
            "kind": self.kind,
            "assessment": self.assessment,
            "title": self.title,
            "title_en": self.title_en,
            "mode": self.mode,
            "weak": self.weak,
            "fuzzy": self.fuzzy,
            "reasons": list(self.reasons),
        }

    def explain(self) -> str:
        """One sentence for a moderator."""
        how = "" if not self.reasons else f" after undoing {', '.join(self.reasons)}"
        weak = " The entry's context rule is not met, so this is only a weak signal." * self.weak
        return (
            f"{self.matched!r} at {self.start}-{self.end} matches pattern {self.pattern!r} "
            f"({self.mode} match{how}) of entry {self.entry_id!r} "
            f"({self.title_en or self.title}; {self.kind}, assessed {self.assessment}).{weak}"
        )


# automaton item kinds
_PAT, _EXC, _TERM, _FZ = 0, 1, 2, 3


@dataclass(frozen=True)
class _PatItem:
    kind: int
    pattern: int  # index into self._patterns
    entry: int  # index into self._entries
    lead: int  # 1 if the key starts with a frame space
    length: int  # canonical length of the matched content
    runs: tuple[int, ...]  # required letter run per content character
    need: tuple[tuple[int, int], ...]  # (offset, run) where a double letter is required
    joined: bool  # the run-together key of a multi-word pattern
    gaps: tuple[int, ...]  # offsets of word gaps in the content
    form: str = ""  # the content with its letter runs (for fuzzy verification)
    number: bool = False  # a token of digits only (never part of a date or time)


@dataclass(frozen=True)
class _OtherItem:
    kind: int
    ref: int  # entry index (exceptions) or term index (context)
    lead: int
    length: int


@dataclass(frozen=True)
class _FzItem:
    """A one-edit variant of a pattern flagged `fuzzy`, as a key of its own."""

    kind: int
    item: _PatItem


_VARIANT_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit_variants(form: str) -> set[str]:
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


def _squeeze(s: str) -> str:
    """Repeated letters as one, as in canonical text."""
    out: list[str] = []
    for c in s:
        if not (out and c == out[-1] and c.isalpha()):
            out.append(c)
    return "".join(out)


def _content(canon: nz.Canon) -> tuple[str, list[int]]:
    k = canon.k
    a = 1 if k.startswith(" ") else 0
    b = len(k) - 1 if k.endswith(" ") and len(k) > 1 else len(k)
    return k[a:b], canon.run[a:b]


def _joined(content: str, runs: list[int]) -> tuple[str, list[int]]:
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


class _ListView:
    """Hit geometry of one post canonicalised by the reference path."""

    __slots__ = ("c", "k", "base", "klo", "khi")
    one_to_one = False  # `ß` is one character of the original and a run of two

    def __init__(self, c: nz.Canon):
        self.c = c
        self.k = c.k
        self.base = 0
        self.klo, self.khi = 0, len(c.k)

    def ostart(self, i: int) -> int:
        return self.c.start[i]

    def oend(self, i: int) -> int:
        return self.c.end[i]

    def runs(self, a: int, b: int) -> list[int]:
        return self.c.run[a:b]

    def run_at(self, i: int) -> int:
        return self.c.run[i]

    def kindex(self, o: int) -> int:
        """The canonical character whose original span holds offset `o`."""
        return max(bisect_right(self.c.start, o) - 1, 0)

    def arrays(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Original start, end, letter run and reason bits of every canonical character."""
        c = self.c
        return c.start, c.end, c.run, c.bits

    def bits(self, a: int, b: int) -> int:
        out = 0
        for x in self.c.bits[a:b]:
            out |= x
        return out


class _BatchView:
    """Hit geometry of one post inside a canonicalised batch."""

    __slots__ = ("b", "k", "base", "klo", "khi")
    # every canonical character of a letter run comes from its own original character, so a
    # span as long as its canonical text has no runs (posts with expansions are `slow`)
    one_to_one = True

    def __init__(self, b: nz.Batch, base: int, klo: int, khi: int):
        self.b = b
        self.k = b.k
        self.base = base
        self.klo, self.khi = klo, khi

    def ostart(self, i: int) -> int:
        return self.b.ostart(i) - self.base

    def oend(self, i: int) -> int:
        return self.b.oend(i) - self.base

    def runs(self, a: int, b: int) -> list[int]:
        run_at = self.b.run_at
        return [run_at(i) for i in range(a, b)]

    def run_at(self, i: int) -> int:
        return self.b.run_at(i)

    def bits(self, a: int, b: int) -> int:
        pos = self.b.bits_pos
        i = bisect_left(pos, a)
        out = 0
        while i < len(pos) and pos[i] < b:
            out |= self.b.bits_at(pos[i])
            i += 1
        return out

    def kindex(self, o: int) -> int:
        """The canonical character whose original span holds offset `o`."""
        starts = self.b.arrays(self.klo, self.khi)[0]
        return max(int(np.searchsorted(starts, o + self.base, side="right")) - 1, 0) + self.klo

    def arrays(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Original start, end, letter run and reason bits of the post's canonical characters."""
        starts, ends, run, bits = self.b.arrays(self.klo, self.khi)
        return (
            (starts - self.base).tolist(),
            (ends - self.base).tolist(),
            run.tolist(),
            bits.tolist(),
        )


class TextMatcher:
    """Aho-Corasick over canonical text; build with `from_db` or `from_rules`."""

    def __init__(self, entries: Sequence[EntryRule], patterns: Sequence[PatternRule]):
        self._rules = (tuple(entries), tuple(patterns))
        self._build()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_rules(
        cls, entries: Iterable[EntryRule], patterns: Iterable[PatternRule]
    ) -> TextMatcher:
        """Build from plain rules; patterns of unknown or retired entries are ignored."""
        return cls(list(entries), list(patterns))

    @classmethod
    def from_db(cls, path: str | os.PathLike[str]) -> TextMatcher:
        """Build from the `entries` and `patterns` tables of a built database."""
        from .db import connect

        conn = connect(path)
        try:
            erows = conn.execute(
                "select id, title, title_en, kind, assessment, status, context_requires_any,"
                " context_window, exceptions from entries"
            ).fetchall()
            prows = conn.execute(
                "select entry_id, text, match, fuzzy from patterns order by id"
            ).fetchall()
        except Exception as exc:  # sqlite3.Error, but also a half-built file
            raise DatabaseError(f"{path}: cannot read entries/patterns ({exc})") from exc
        finally:
            conn.close()
        entries = [
            EntryRule(
                id=r[0],
                title=r[1] or "",
                title_en=r[2] or "",
                kind=r[3] or "",
                assessment=r[4] or "",
                status=r[5] or "active",
                context_requires_any=tuple(_json_list(r[6])),
                context_window=r[7],
                exceptions=tuple(_json_list(r[8])),
            )
            for r in erows
        ]
        patterns = [
            PatternRule(entry_id=r[0], text=r[1], match=r[2] or "word", fuzzy=bool(r[3]))
            for r in prows
            if r[1]
        ]
        return cls(entries, patterns)

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self._rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._rules = state["rules"]
        self._build()

    def _build(self) -> None:
        entries, patterns = self._rules
        self._entries = [e for e in entries if e.status != "retired"]
        eidx = {e.id: i for i, e in enumerate(self._entries)}
        self._patterns = [p for p in patterns if p.entry_id in eidx]
        # emoji of patterns get one private-use character each
        codes: dict[str, str] = {}
        texts = [p.text for p in self._patterns]
        for e in self._entries:
            texts.extend(e.exceptions)
            texts.extend(t for t in e.context_requires_any if t not in eidx)
        for t in texts:
            for s, e, kind in nz.segment(t):
                if kind == nz.U_EMOJI:
                    key = nz.emoji_key(t[s:e])
                    if key not in codes and len(codes) < 0xF8FF - 0xE100:
                        codes[key] = chr(0xE100 + len(codes))
        self._codes = codes
        self._tables = nz.fast_tables(codes)
        keys: dict[str, list[Any]] = {}
        # punctuation-only patterns and context terms (`(((`) match the original text as written
        punct: dict[str, list[tuple[int, int]]] = {}
        self._fuzzy_forms: list[tuple[str, _PatItem]] = []
        self._fuzzy_flagged: list[tuple[str, _PatItem]] = []
        for pi, p in enumerate(self._patterns):
            if p.match not in MODES:
                raise ValueError(f"pattern {p.text!r} of {p.entry_id}: unknown match {p.match!r}")
            content, runs = _content(nz.canonicalize(p.text, codes))
            ei = eidx[p.entry_id]
            if not content:
                if p.text.strip():
                    punct.setdefault(p.text.strip(), []).append((_PAT, pi))
                continue
            variants = [(content, runs, False)]
            if " " in content and all(c == " " or c.isalnum() or c in ".," for c in content):
                jc, jr = _joined(content, runs)
                variants.append((jc, jr, True))
                if "-" in p.text and " " in p.text.strip():
                    # hyphens and spaces of a pattern may each vanish on their own
                    # (`a-l-f-u-r-q-a-n m-e-d-i-a`, `a l-s a h a b m e d i a`)
                    for t in (p.text.replace("-", ""), p.text.replace(" ", "")):
                        vc, vr = _content(nz.canonicalize(t, codes))
                        if vc not in (content, jc) and " " in vc:
                            variants.append((vc, vr, True))
            for c, r, joined in variants:
                lead = 0 if p.match == "substring" else 1
                trail = 1 if p.match in ("word", "token") else 0
                key = " " * lead + c + " " * trail
                item = _PatItem(
                    _PAT,
                    pi,
                    ei,
                    lead,
                    len(c),
                    tuple(r),
                    tuple((j, x) for j, x in enumerate(r) if x > 1),
                    joined,
                    tuple(j for j, ch in enumerate(c) if ch == " "),
                    _expand(c, r),
                    p.match == "token" and c.isdigit(),
                )
                keys.setdefault(key, []).append(item)
                letters = sum(x for ch, x in zip(c, r, strict=True) if ch.isalpha())
                if " " not in c and letters >= FUZZY_MIN_LETTERS:
                    self._fuzzy_forms.append((c, item))
                    if p.fuzzy:
                        self._fuzzy_flagged.append((c, item))
        # one-edit variants of flagged patterns are keys too, so that default scans need no
        # token-by-token search (`fuzzy=True` searches every eligible pattern that way)
        for _form, item in self._fuzzy_flagged:
            fz_item = _FzItem(_FZ, item)
            for v in {_squeeze(v) for v in _one_edit_variants(item.form)}:
                keys.setdefault(" " + v + " ", []).append(fz_item)
        # exceptions (substring) and context terms (word)
        self._terms: list[str] = []
        self._entry_terms: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        term_ids: dict[str, int] = {}
        all_ids = {x.id for x in entries}
        for ei, e in enumerate(self._entries):
            for phrase in e.exceptions:
                c, _ = _content(nz.canonicalize(phrase, codes))
                if c:
                    keys.setdefault(c, []).append(_OtherItem(_EXC, ei, 0, len(c)))
            dep_entries: list[int] = []
            dep_terms: list[int] = []
            for term in e.context_requires_any:
                if term in eidx:
                    dep_entries.append(eidx[term])
                    continue
                if term in all_ids:
                    continue  # a retired entry never matches
                c, _ = _content(nz.canonicalize(term, codes))
                if not c:
                    if term.strip():
                        c = "\x00" + term.strip()  # a term index of its own, never in text
                        if c not in term_ids:
                            punct.setdefault(term.strip(), []).append((_TERM, len(self._terms)))
                    else:
                        continue
                if c not in term_ids:
                    term_ids[c] = len(self._terms)
                    self._terms.append(c)
                dep_terms.append(term_ids[c])
            self._entry_terms.append((tuple(dep_entries), tuple(dep_terms)))
        self._has_context = [bool(e.context_requires_any) for e in self._entries]
        self._auto = KeyAutomaton({key: (len(key), tuple(items)) for key, items in keys.items()})
        self._nkeys = len(keys)
        # context terms are often common words: a separate automaton, run on demand
        terms = ahocorasick.Automaton()
        for ti, c in enumerate(self._terms):
            if not c.startswith("\x00"):
                terms.add_word(" " + c + " ", (len(c) + 2, ti))
        self._has_term_keys = any(not c.startswith("\x00") for c in self._terms)
        if self._has_term_keys:
            terms.make_automaton()
        self._pattern_entry = [eidx[p.entry_id] for p in self._patterns]
        self._term_auto = terms
        pa = ahocorasick.Automaton()
        for key, refs in punct.items():
            pa.add_word(key, (len(key), tuple(refs)))
        if punct:
            pa.make_automaton()
        self._punct_auto = pa if punct else None
        self._punct_first = frozenset(key[0] for key in punct)
        self._punct_patterns = any(kind == _PAT for refs in punct.values() for kind, _ in refs)
        self._fuzzy_index: dict[bool, tuple[dict[str, list[tuple[str, _PatItem]]], int, int]] = {}
        self._fuzzy_cache: dict[bool, tuple[set[str], dict[str, tuple[Any, ...]]]] = {}
        self._token_cache: dict[tuple[str, str], nz.Canon] = {}  # tokens read another way

    # -- scanning -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._patterns)

    def scan(self, text: str, include_weak: bool = False, fuzzy: bool = False) -> list[TextMatch]:
        """All matches in `text`, ordered by position. Raises TypeError for non-str input."""
        if not isinstance(text, str):
            raise TypeError(f"TextMatcher.scan() expects str, got {type(text).__name__}")
        return self._scan_batch([text], include_weak, fuzzy).get(0) or []

    def scan_many(
        self,
        texts: Iterable[str],
        workers: int | None = None,
        include_weak: bool = False,
        fuzzy: bool = False,
    ) -> Iterator[list[TextMatch]]:
        """Matches per text, in input order; `workers` > 1 scans batches in processes."""
        chunks = _chunks(texts, _BATCH, _BATCH_CHARS)
        if workers is None or workers <= 1:
            for chunk in chunks:
                found = self._scan_batch(chunk, include_weak, fuzzy)
                for i in range(len(chunk)):
                    yield found.get(i) or []
            return
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(self,)
        ) as pool:
            for result in pool.map(
                _worker_scan, ((c, include_weak, fuzzy) for c in chunks), chunksize=1
            ):
                yield from result

    def scan_reference(
        self, text: str, include_weak: bool = False, fuzzy: bool = False
    ) -> list[TextMatch]:
        """`scan` through the exact per-character path only (for tests and debugging)."""
        if not isinstance(text, str):
            raise TypeError(f"TextMatcher.scan() expects str, got {type(text).__name__}")
        canon = nz.canonicalize(text, self._codes)
        view = _ListView(canon)
        hits = self._auto.find(canon.k) if self._nkeys else []
        fz = self._fuzzy_hits(canon.k, fuzzy) if self._fuzzy_wanted(fuzzy) else []
        out = self._resolve(text, view, hits, fz, include_weak)
        if self._nkeys and len(nz.letter_digit_positions(canon.k)):
            out = self._with_readings(text, out, view, include_weak, fuzzy)
        return out

    def _with_readings(
        self,
        text: str,
        primary: list[TextMatch],
        view: _ListView | _BatchView,
        include_weak: bool,
        fuzzy: bool,
        glued: list[int] | None = None,
    ) -> list[TextMatch]:
        """Add the matches of the alternative readings of tokens where letters touch digits.

        `leet` reads digit runs at token ends as leetspeak (`wh173 power`); `split` parts them
        from the letters (`heil1488`), and its matches at such a cut count only when the piece
        on the other side matches as well. Each such token is canonicalised again on its own
        with the reading and spliced into the post's canonical text."""
        k = view.k[view.klo : view.khi]
        n = len(k) - 1 if k.endswith("\x01") else len(k)
        toks: list[tuple[int, int]] = []
        if glued is None:
            glued = nz.letter_digit_positions(k[:n]).tolist()
        for p in glued:
            if toks and p < toks[-1][1]:
                continue
            a = k.rfind(" ", 0, p) + 1
            b = k.find(" ", p)
            toks.append((a, n if b < 0 else b))
        if not toks:
            return primary
        found = list(primary)
        arrays = None
        for reading in ("leet", "split"):
            # the spliced canonical text first; the offsets only when a hit touches a token
            pieces: list[str] = []
            canons: list[tuple[int, int, int, nz.Canon, int]] = []  # (a, b, o, canon, at)
            prev = 0
            at = 0
            for a, b in toks:
                pieces.append(k[prev:a])
                at += a - prev
                o = view.ostart(view.klo + a)
                tok = text[o : view.oend(view.klo + b - 1)]
                t = self._token_cache.get((tok, reading))
                if t is None:
                    if len(self._token_cache) > 100_000:
                        self._token_cache.clear()
                    t = nz.canonicalize(tok, self._codes, reading)
                    self._token_cache[tok, reading] = t
                pieces.append(t.k[1:-1])
                canons.append((a, b, o, t, at))
                at += len(t.k) - 2
                prev = b
            pieces.append(k[prev:n])
            ks = "".join(pieces)
            if ks == k[:n]:
                continue
            hits = self._auto.find(ks)
            fz = self._fuzzy_hits(ks, fuzzy) if self._fuzzy_wanted(fuzzy) else []
            regions = [(at - 1, at + len(t.k) - 1) for _a, _b, _o, t, at in canons]
            if not any(
                e - kl + 1 < r1 and e >= r0 for e, (kl, _items) in hits for r0, r1 in regions
            ) and not any(cs < r1 and ce > r0 for cs, ce, _it in fz for r0, r1 in regions):
                continue
            if arrays is None:
                arrays = view.arrays()
            start, end, run, bits = arrays
            st: list[int] = []
            en: list[int] = []
            ru: list[int] = []
            bi: list[int] = []
            cuts: set[int] = set()
            prev = 0
            for a, b, o, t, _at in canons:
                st += start[prev:a]
                en += end[prev:a]
                ru += run[prev:a]
                bi += bits[prev:a]
                m = len(t.k) - 1
                st += [x + o for x in t.start[1:m]]
                en += [x + o for x in t.end[1:m]]
                ru += t.run[1:m]
                bi += t.bits[1:m]
                cuts.update(
                    t.start[i] + o for i in range(1, m) if t.k[i] == " " and t.start[i] == t.end[i]
                )
                prev = b
            st += start[prev:n]
            en += end[prev:n]
            ru += run[prev:n]
            bi += bits[prev:n]
            canon = nz.Canon(ks, st, en, ru, bi)
            ms = self._resolve(text, _ListView(canon), hits, fz, True)
            if cuts:
                starts = {m.start for m in ms}
                ends = {m.end for m in ms}
                ms = [
                    m
                    for m in ms
                    if (m.start not in cuts or m.start in ends)
                    and (m.end not in cuts or m.end in starts)
                ]
            for m in ms:
                if m.weak and not include_weak:
                    continue
                same = [
                    f
                    for f in found
                    if f.entry_id == m.entry_id and f.start < m.end and m.start < f.end
                ]
                if all(
                    m.start <= f.start and f.end <= m.end and f.end - f.start < m.end - m.start
                    for f in same
                ):
                    # a longer occurrence of the entry replaces those it covers (`r4b14 51gn`)
                    found = [f for f in found if f not in same]
                    found.append(m)
        if found != primary:
            found.sort(key=lambda m: (m.start, m.end, m.entry_id))
        return found

    def _scan_batch(
        self, posts: list[str], include_weak: bool, fuzzy: bool
    ) -> dict[int, list[TextMatch]]:
        """The matches of the posts that have any, by index. Sparse: most posts match nothing,
        and a list per post held through the batch would be promoted by the garbage collector
        and walked by its full collections again and again."""
        try:
            has_nul = "\x00" in "".join(posts)  # one pass in C, and a type check
        except TypeError:
            bad = next(p for p in posts if not isinstance(p, str))
            raise TypeError(f"TextMatcher.scan() expects str, got {type(bad).__name__}") from None
        out: dict[int, list[TextMatch]] = {}
        if not posts:
            return out
        if has_nul:
            clean = [p if "\x00" not in p else "" for p in posts]
            batch = nz.canonicalize_batch(clean, self._tables)
            for i, p in enumerate(posts):
                if "\x00" in p:
                    batch.slow[i] = True
        else:
            batch = nz.canonicalize_batch(posts, self._tables)
        slow = batch.slow
        per_post: dict[int, list[tuple[int, Any]]] = {}
        if self._nkeys:
            hits = self._auto.find(batch.k)
            if hits:
                ends = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
                owners = np.searchsorted(batch.post_kstart, ends, side="right") - 1
                slow_l = slow.tolist()
                for h, o in zip(hits, owners.tolist(), strict=True):
                    if not slow_l[o]:
                        got = per_post.get(o)
                        if got is None:
                            per_post[o] = [h]
                        else:
                            got.append(h)
        fz_post: dict[int, list[tuple[int, int, _PatItem]]] = {}
        if self._fuzzy_wanted(fuzzy):
            for cs, ce, item in self._fuzzy_hits(batch.k, fuzzy, batch.k_arr):
                o = int(np.searchsorted(batch.post_kstart, cs, side="right") - 1)
                if not slow[o]:
                    fz_post.setdefault(o, []).append((cs, ce, item))
        todo = set(per_post) | set(fz_post)
        if self._punct_patterns:
            first = self._punct_first
            todo.update(i for i, p in enumerate(posts) if any(c in p for c in first))
        for o in todo:
            if slow[o]:
                continue
            klo = int(batch.post_kstart[o])
            khi = int(batch.post_kstart[o + 1]) if o + 1 < len(posts) else len(batch.k)
            view = _BatchView(batch, int(batch.post_base[o]), klo, khi)
            out[o] = self._resolve(
                posts[o], view, per_post.get(o, []), fz_post.get(o, []), include_weak
            )
        if self._nkeys:
            glued = nz.letter_digit_positions(batch.k_arr)
            if len(glued):
                owners = np.searchsorted(batch.post_kstart, glued, side="right") - 1
                by_post: dict[int, list[int]] = {}
                for o, g in zip(owners.tolist(), glued.tolist(), strict=True):
                    by_post.setdefault(o, []).append(g)
                for o, positions in by_post.items():
                    if not slow[o]:
                        klo = int(batch.post_kstart[o])
                        khi = int(batch.post_kstart[o + 1]) if o + 1 < len(posts) else len(batch.k)
                        local = [g - klo for g in positions]  # posts are framed by spaces
                        view = _BatchView(batch, int(batch.post_base[o]), klo, khi)
                        out[o] = self._with_readings(
                            posts[o], out.get(o, []), view, include_weak, fuzzy, local
                        )
        for o in np.flatnonzero(slow).tolist():
            out[o] = self.scan_reference(posts[o], include_weak, fuzzy)
        return out

    # -- fuzzy --------------------------------------------------------------------------------

    def _fuzzy_wanted(self, fuzzy: bool) -> bool:
        return fuzzy and bool(self._fuzzy_forms)

    def _fuzzy_hits(
        self, k: str, fuzzy: bool, k_arr: np.ndarray | None = None
    ) -> list[tuple[int, int, _PatItem]]:
        """(content start, end, item) for tokens one edit away from an eligible pattern."""
        from rapidfuzz.distance import OSA

        index = self._fuzzy_index.get(fuzzy)
        if index is None:
            forms = self._fuzzy_forms if fuzzy else self._fuzzy_flagged
            table: dict[str, list[tuple[str, _PatItem]]] = {}
            for form, item in forms:
                # deletions of the form with its double letters, squeezed (`sonnnrad`)
                f2 = item.form
                for d in {form} | {_squeeze(f2[:i] + f2[i + 1 :]) for i in range(len(f2))}:
                    table.setdefault(d, []).append((form, item))
            lo = min(len(f) for f, _ in forms) - 2
            hi = max(len(f) for f, _ in forms) + 1
            index = self._fuzzy_index[fuzzy] = (table, lo, hi)
            self._fuzzy_cache[fuzzy] = (set(), {})
        table, lo, hi = index
        seen, hits = self._fuzzy_cache[fuzzy]
        if k_arr is None:
            toks = set(k.split(" "))
        else:
            # only tokens whose length could be one edit from an eligible pattern
            sp = np.flatnonzero(k_arr == 32)
            lens = np.diff(sp) - 1
            sel = np.flatnonzero((lens >= lo) & (lens <= hi))
            a = (sp[sel] + 1).tolist()
            b = sp[sel + 1].tolist()
            toks = {k[x:y] for x, y in zip(a, b, strict=True)}
        new = toks - seen
        if len(seen) + len(new) > 1_000_000:
            seen.clear()
            hits.clear()
        for tok in new:
            if not lo <= len(tok) <= hi or tok.isdigit():
                continue
            cands: dict[int, tuple[str, _PatItem]] = {}
            for d in {tok} | {tok[:i] + tok[i + 1 :] for i in range(len(tok))}:
                for form, item in table.get(d, ()):
                    cands[id(item)] = (form, item)
            res = tuple(
                (form, item)
                for form, item in cands.values()
                if OSA.distance(form, tok, score_cutoff=2) <= 2  # decided by `_fuzzy_close`
            )
            if res:
                hits[tok] = res
        seen |= new
        found: list[tuple[int, int, _PatItem]] = []
        for tok in toks & hits.keys():
            res = hits[tok]
            needle = " " + tok + " "
            pos = k.find(needle)
            while pos >= 0:
                for _form, item in res:
                    found.append((pos + 1, pos + 1 + len(tok), item))
                pos = k.find(needle, pos + len(needle) - 1)
        return found

    # -- rules --------------------------------------------------------------------------------

    def _resolve(
        self,
        text: str,
        view: _ListView | _BatchView,
        hits: list[tuple[int, Any]],
        fuzzy_hits: list[tuple[int, int, _PatItem]],
        include_weak: bool,
    ) -> list[TextMatch]:
        cands: list[tuple[int, int, _PatItem, bool]] = []
        exceptions: dict[int, list[tuple[int, int]]] = {}
        terms: dict[int, list[tuple[int, int]]] = {}
        for end, (klen, items) in hits:
            ks = end - klen + 1
            for it in items:
                if it.kind == _FZ:
                    fuzzy_hits = [*fuzzy_hits, (ks + 1, end, it.item)]
                    continue
                cs = ks + it.lead
                ce = cs + it.length
                if it.kind == _PAT:
                    if it.need:
                        run_at = view.run_at
                        if any(run_at(cs + j) < r for j, r in it.need):
                            continue
                    cands.append((cs, ce, it, False))
                elif it.kind == _EXC:
                    exceptions.setdefault(it.ref, []).append((cs, ce))
                else:
                    terms.setdefault(it.ref, []).append((cs, ce))
        if fuzzy_hits:
            exact = {(c[2].entry, c[0]) for c in cands}
            for cs, ce, it in fuzzy_hits:
                if (it.entry, cs) not in exact:
                    cands.append((cs, ce, it, True))
        punct = self._punct_hits(text) if self._punct_auto is not None else []
        if not cands and not any(kind == _PAT for _s, _e, kind, _r in punct):
            return []
        extra: list[tuple[int, int, int, int, int]] = []  # (start, end, cs, ce, pattern)
        for ps, pe, kind, ref in punct:
            cs = view.kindex(ps)
            ce = max(view.kindex(pe - 1) + 1, cs + 1)
            if kind == _TERM:
                terms.setdefault(ref, []).append((cs, ce))
            else:
                extra.append((ps, pe, cs, ce, ref))
        if exceptions:
            cands = _drop_inside_exceptions(cands, exceptions)
        if len(cands) == 1:
            kept, taken = cands, {cands[0][2].entry: [(cands[0][0], cands[0][1])]}
        else:
            kept, taken = _one_per_occurrence(cands)
        k = view.k
        out: list[TextMatch] = []
        cache: dict[Any, Any] = {"range": (view.klo, view.khi), "terms": terms}
        for cs, ce, it, is_fuzzy in kept:
            if is_fuzzy and not _fuzzy_close(k[cs:ce], view.runs(cs, ce), it):
                continue
            if it.number and _in_date_or_time(text, view.ostart(cs), view.oend(ce - 1)):
                continue
            weak = False
            if self._has_context[it.entry]:
                weak = not self._context_met(it.entry, cs, ce, k, taken, terms, cache)
                if weak and not include_weak:
                    continue
            start = view.ostart(cs)
            end = view.oend(ce - 1)
            matched = text[start:end]
            bits = nz.slice_reasons(matched) | view.bits(cs, ce)
            if (end - start != ce - cs or not view.one_to_one) and any(
                a > b for a, b in zip(view.runs(cs, ce), it.runs, strict=False)
            ):
                bits |= nz.STRETCHED
            if it.joined:
                bits |= nz.RUN_TOGETHER
            elif it.gaps and any(
                text[view.ostart(cs + j) : view.oend(cs + j)] != " " for j in it.gaps
            ):
                bits |= nz.SEPARATORS
            if is_fuzzy:
                bits |= nz.FUZZY
            p = self._patterns[it.pattern]
            e = self._entries[it.entry]
            out.append(
                TextMatch(
                    entry_id=e.id,
                    start=start,
                    end=end,
                    matched=matched,
                    pattern=p.text,
                    kind=e.kind,
                    assessment=e.assessment,
                    title=e.title,
                    title_en=e.title_en,
                    mode=p.match,
                    weak=weak,
                    fuzzy=is_fuzzy,
                    reasons=tuple(name for bit, name in nz.REASONS if bits & bit),
                )
            )
        for ps, pe, cs, ce, pi in extra:
            p = self._patterns[pi]
            ei = self._pattern_entry[pi]
            weak = False
            if self._has_context[ei]:
                weak = not self._context_met(ei, cs, ce, k, taken, terms, cache)
                if weak and not include_weak:
                    continue
            e = self._entries[ei]
            out.append(
                TextMatch(e.id, ps, pe, text[ps:pe], p.text, e.kind, e.assessment, e.title,
                          e.title_en, p.match, weak, False, ())
            )  # fmt: skip
        out.sort(key=lambda m: (m.start, m.end, m.entry_id))
        return out

    def _punct_hits(self, text: str) -> list[tuple[int, int, int, int]]:
        """(start, end, kind, ref) of punctuation-only patterns and terms in the original text."""
        auto = self._punct_auto
        if auto is None or not any(c in text for c in self._punct_first):
            return []
        out = []
        for end, (klen, refs) in auto.iter(text):
            for kind, ref in refs:
                out.append((end - klen + 1, end + 1, kind, ref))
        return out

    def _context_met(
        self,
        entry: int,
        cs: int,
        ce: int,
        k: str,
        taken: dict[int, list[tuple[int, int]]],
        terms: dict[int, list[tuple[int, int]]],
        cache: dict[Any, Any],
    ) -> bool:
        dep_entries, dep_terms = self._entry_terms[entry]
        deps = cache.get(("deps", entry))
        if dep_terms and self._has_term_keys and not cache.get("terms_done"):
            cache["terms_done"] = True
            lo, hi = cache["range"]
            for end, (klen, ti) in self._term_auto.iter(k, lo, hi):
                terms.setdefault(ti, []).append((end - klen + 2, end))
        if deps is None:
            spans: list[tuple[int, int]] = []
            for d in dep_entries:
                spans.extend(taken.get(d, ()))
            for t in dep_terms:
                spans.extend(terms.get(t, ()))
            spans.sort()
            starts = [x[0] for x in spans]
            pmax: list[int] = []
            for _s, e in spans:
                pmax.append(max(e, pmax[-1]) if pmax else e)
            deps = cache[("deps", entry)] = (starts, pmax)
        starts, pmax = deps
        if not starts:
            return False
        window = self._entries[entry].context_window
        if window is None:
            return True
        j = bisect_left(starts, ce)  # spans starting before the match ends
        if j and pmax[j - 1] > cs:
            return True  # overlaps the match
        spaces = cache.get("spaces")
        if spaces is None:
            lo, hi = cache["range"]
            spaces = cache["spaces"] = [i for i in range(lo, hi) if k[i] == " "]

        def tokens_between(a: int, b: int) -> int:
            return bisect_left(spaces, b) - bisect_left(spaces, a) - 1

        if j and tokens_between(pmax[j - 1], cs) <= window:
            return True
        return j < len(starts) and tokens_between(ce, starts[j]) <= window


def _expand(content: str, runs: Sequence[int]) -> str:
    """Letters repeated as in their run, at most three times (`shaheed`, `sonnnrad`)."""
    return "".join(c * min(r, 3) for c, r in zip(content, runs, strict=False))


def _fuzzy_close(tok: str, runs: Sequence[int], item: _PatItem) -> bool:
    """One edit between a token and a pattern, double letters counted (`shared` != `shaheed`)."""
    from rapidfuzz.distance import OSA

    return OSA.distance(item.form, _expand(tok, runs), score_cutoff=1) <= 1


_DATE_CHARS = frozenset("0123456789-/.:")


def _in_date_or_time(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a field of a date (d-m-y, d/m/y, d.m.y, y-m-d) or a time."""
    a = start
    while a > 0 and start - a < 12 and text[a - 1] in _DATE_CHARS:
        a -= 1
    b = end
    while b < len(text) and b - end < 12 and text[b] in _DATE_CHARS:
        b += 1
    seg = text[a:b].strip("-/.:")
    if seg == text[start:end]:
        return False
    for sep in "-/.":
        parts = seg.split(sep)
        if len(parts) == 3 and all(x.isdigit() for x in parts):
            lens = [len(x) for x in parts]
            if (lens[0] <= 2 and lens[1] <= 2 and 2 <= lens[2] <= 4) or (
                lens[0] == 4 and lens[1] <= 2 and lens[2] <= 2
            ):
                return True
    parts = seg.split(":")
    return (
        len(parts) in (2, 3)
        and all(x.isdigit() for x in parts)
        and len(parts[0]) <= 2
        and all(len(x) == 2 for x in parts[1:])
    )


def _drop_inside_exceptions(
    cands: list[tuple[int, int, _PatItem, bool]], exceptions: dict[int, list[tuple[int, int]]]
) -> list[tuple[int, int, _PatItem, bool]]:
    """Leave out candidates lying inside an occurrence of their entry's exception phrase."""
    index: dict[int, tuple[list[int], list[int]]] = {}
    for entry, spans in exceptions.items():
        spans.sort()
        pmax: list[int] = []
        for _s, e in spans:
            pmax.append(max(e, pmax[-1]) if pmax else e)
        index[entry] = ([x[0] for x in spans], pmax)
    out = []
    for c in cands:
        ix = index.get(c[2].entry)
        if ix is not None:
            j = bisect_right(ix[0], c[0])
            if j and ix[1][j - 1] >= c[1]:
                continue
        out.append(c)
    return out


def _one_per_occurrence(
    cands: list[tuple[int, int, _PatItem, bool]],
) -> tuple[list[tuple[int, int, _PatItem, bool]], dict[int, list[tuple[int, int]]]]:
    """Per entry, overlapping candidates are one occurrence: keep exact, longest, first."""
    cands.sort(key=lambda c: (c[2].entry, c[0], c[1]))
    kept: list[tuple[int, int, _PatItem, bool]] = []
    taken: dict[int, list[tuple[int, int]]] = {}
    i = 0
    n = len(cands)
    while i < n:
        entry = cands[i][2].entry
        end = cands[i][1]
        j = i + 1
        while j < n and cands[j][2].entry == entry and cands[j][0] < end:
            end = max(end, cands[j][1])
            j += 1
        best = min(cands[i:j], key=lambda c: (c[3], c[0] - c[1], c[0], c[2].pattern))
        kept.append(best)
        taken.setdefault(entry, []).append((best[0], best[1]))
        i = j
    return kept, taken


def _json_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _chunks(texts: Iterable[str], size: int, chars: int | None = None) -> Iterator[list[str]]:
    """Lists of up to `size` texts and, past the first text, up to `chars` characters."""
    chunk: list[str] = []
    total = 0
    for t in texts:
        n = len(t) if type(t) is str else 1  # other types fail in the scan, with their name
        if chunk and chars is not None and total + n > chars:
            yield chunk
            chunk, total = [], 0
        chunk.append(t)
        total += n
        if len(chunk) >= size:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


_WORKER: TextMatcher | None = None


def _init_worker(matcher: TextMatcher) -> None:
    global _WORKER
    _WORKER = matcher


def _worker_scan(args: tuple[list[str], bool, bool]) -> list[list[TextMatch]]:
    chunk, include_weak, fuzzy = args
    assert _WORKER is not None
    found = _WORKER._scan_batch(chunk, include_weak, fuzzy)
    return [found.get(i) or [] for i in range(len(chunk))]
