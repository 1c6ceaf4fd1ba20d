"""Turning the hits of one post into matches (`resolve`).

The key automaton reports every key ending at every position; `resolve` keeps the hits whose
pattern's double letters are there (`hoog` needs the run of two `o`), drops those inside an
occurrence of their entry's exception phrase (`sieg heilig`), keeps one match per occurrence of
an entry (exact before fuzzy, then the longest, then the first), drops number tokens that are
a field of a date or time (`14-11-2026`, `22:45`), applies the entry's context rule (a match
without its context is weak, and reported only with `include_weak`), maps the span back to the
original string and names the obfuscations undone on the way (`reasons`). Punctuation-only
patterns and terms are found in the original text here too.

The loops over hits and candidates are the hot path of a scan: they stay inline, one function
call per post for each step.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .. import canon as nz
from .fuzzy import FuzzyHit, fuzzy_close
from .index import TextIndex
from .items import EXC, FZ, PAT, TERM, KeyValue, PatItem
from .rules import TextMatch
from .views import View

__all__ = ["Hit", "punct_hits", "resolve"]

#: A hit of the key automaton: (index of the key's last character, key value).
Hit = tuple[int, KeyValue]
# (content start, content end, item, fuzzy) of a candidate match, in canonical positions
_Cand = tuple[int, int, PatItem, bool]
_Spans = dict[int, list[tuple[int, int]]]  # entry or term index -> canonical spans
# (original start, end, canonical start, end, pattern index) of a punctuation-only pattern
_Extra = tuple[int, int, int, int, int]


def resolve(
    ix: TextIndex,
    text: str,
    view: View,
    hits: list[Hit],
    fuzzy_hits: list[FuzzyHit],
    include_weak: bool,
) -> list[TextMatch]:
    """The matches of one post `text`, seen through `view`, ordered by position."""
    cands, exceptions, terms = _candidates(view, hits, fuzzy_hits)
    punct = punct_hits(ix, text) if ix.punct_auto is not None else []
    if not cands and not any(kind == PAT for _s, _e, kind, _r in punct):
        return []
    extra = _place_punct(view, punct, terms)
    if exceptions:
        cands = _drop_inside_exceptions(cands, exceptions)
    if len(cands) == 1:
        kept, taken = cands, {cands[0][2].entry: [(cands[0][0], cands[0][1])]}
    else:
        kept, taken = _one_per_occurrence(cands)
    context = _Context(view.klo, view.khi, taken, terms)
    out = _pattern_matches(ix, text, view, kept, context, include_weak)
    if extra:
        out.extend(_punct_matches(ix, text, view.k, extra, context, include_weak))
    out.sort(key=lambda m: (m.start, m.end, m.entry_id))
    return out


def _candidates(
    view: View, hits: list[Hit], fuzzy_hits: list[FuzzyHit]
) -> tuple[list[_Cand], _Spans, _Spans]:
    """Pattern hits with their double letters (and fuzzy hits not also exact), and the spans
    of exception phrases and context terms."""
    cands: list[_Cand] = []
    exceptions: _Spans = {}
    terms: _Spans = {}
    for end, (klen, items) in hits:
        ks = end - klen + 1
        for it in items:
            if it.kind == FZ:
                fuzzy_hits = [*fuzzy_hits, (ks + 1, end, it.item)]
                continue
            cs = ks + it.lead
            ce = cs + it.length
            if it.kind == PAT:
                if it.need:
                    run_at = view.run_at
                    if any(run_at(cs + j) < r for j, r in it.need):
                        continue
                cands.append((cs, ce, it, False))
            elif it.kind == EXC:
                exceptions.setdefault(it.ref, []).append((cs, ce))
            else:
                terms.setdefault(it.ref, []).append((cs, ce))
    if fuzzy_hits:
        exact = {(c[2].entry, c[0]) for c in cands}
        for cs, ce, fit in fuzzy_hits:
            if (fit.entry, cs) not in exact:
                cands.append((cs, ce, fit, True))
    return cands, exceptions, terms


def punct_hits(ix: TextIndex, text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, kind, ref) of punctuation-only patterns and terms in the original text."""
    auto = ix.punct_auto
    if auto is None or not any(c in text for c in ix.punct_first):
        return []
    out = []
    for end, (klen, refs) in auto.iter(text):
        for kind, ref in refs:
            out.append((end - klen + 1, end + 1, kind, ref))
    return out


def _place_punct(view: View, punct: list[tuple[int, int, int, int]], terms: _Spans) -> list[_Extra]:
    """Punctuation-only hits in canonical positions: terms join `terms`, patterns are
    returned."""
    extra: list[_Extra] = []
    for ps, pe, kind, ref in punct:
        cs = view.kindex(ps)
        ce = max(view.kindex(pe - 1) + 1, cs + 1)
        if kind == TERM:
            terms.setdefault(ref, []).append((cs, ce))
        else:
            extra.append((ps, pe, cs, ce, ref))
    return extra


def _pattern_matches(
    ix: TextIndex,
    text: str,
    view: View,
    kept: list[_Cand],
    context: _Context,
    include_weak: bool,
) -> list[TextMatch]:
    """The matches of the kept candidates, with their reasons; weak ones if asked for."""
    k = view.k
    out: list[TextMatch] = []
    for cs, ce, it, is_fuzzy in kept:
        if is_fuzzy and not fuzzy_close(k[cs:ce], view.runs(cs, ce), it):
            continue
        if it.number and _in_date_or_time(text, view.ostart(cs), view.oend(ce - 1)):
            continue
        weak = False
        if ix.has_context[it.entry]:
            weak = not context_met(ix, it.entry, cs, ce, k, context)
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
        elif it.gaps and any(text[view.ostart(cs + j) : view.oend(cs + j)] != " " for j in it.gaps):
            bits |= nz.SEPARATORS
        if is_fuzzy:
            bits |= nz.FUZZY
        p = ix.patterns[it.pattern]
        e = ix.entries[it.entry]
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
    return out


def _punct_matches(
    ix: TextIndex,
    text: str,
    k: str,
    extra: list[_Extra],
    context: _Context,
    include_weak: bool,
) -> list[TextMatch]:
    """The matches of punctuation-only patterns, as written (no reasons)."""
    out: list[TextMatch] = []
    for ps, pe, cs, ce, pi in extra:
        p = ix.patterns[pi]
        ei = ix.pattern_entry[pi]
        weak = False
        if ix.has_context[ei]:
            weak = not context_met(ix, ei, cs, ce, k, context)
            if weak and not include_weak:
                continue
        e = ix.entries[ei]
        out.append(
            TextMatch(e.id, ps, pe, text[ps:pe], p.text, e.kind, e.assessment, e.title,
                      e.title_en, p.match, weak, False, ())
        )  # fmt: skip
    return out


class _Context:
    """What the context rules of one post need, looked up on first use and kept for the
    other matches of the post: the term hits, per entry its requirements' spans, the spaces."""

    __slots__ = ("lo", "hi", "taken", "terms", "terms_done", "deps", "spaces")

    def __init__(self, lo: int, hi: int, taken: _Spans, terms: _Spans):
        self.lo, self.hi = lo, hi  # the post's canonical range
        self.taken = taken  # entry -> spans of its kept matches
        self.terms = terms  # term -> spans, from the key and punctuation automata so far
        self.terms_done = False  # the term automaton has run over the post
        self.deps: dict[int, tuple[list[int], list[int]]] = {}
        self.spaces: list[int] | None = None


def context_met(ix: TextIndex, entry: int, cs: int, ce: int, k: str, ctx: _Context) -> bool:
    """Whether a required entry or term occurs in the post, and if the entry has a window,
    within that many tokens of the match at cs..ce (or overlapping it)."""
    dep_entries, dep_terms = ix.entry_terms[entry]
    terms = ctx.terms
    if dep_terms and ix.term_auto is not None and not ctx.terms_done:
        ctx.terms_done = True
        lo = ctx.lo
        # the post's slice: searching the batch's text from `lo` would copy all of it
        for end, (klen, ti) in ix.term_auto.iter(k[lo : ctx.hi]):
            terms.setdefault(ti, []).append((lo + end - klen + 2, lo + end))
    deps = ctx.deps.get(entry)
    if deps is None:
        spans: list[tuple[int, int]] = []
        for d in dep_entries:
            spans.extend(ctx.taken.get(d, ()))
        for t in dep_terms:
            spans.extend(terms.get(t, ()))
        spans.sort()
        pmax: list[int] = []
        for _s, e in spans:
            pmax.append(max(e, pmax[-1]) if pmax else e)
        deps = ctx.deps[entry] = ([x[0] for x in spans], pmax)
    starts, pmax = deps
    if not starts:
        return False
    window = ix.entries[entry].context_window
    if window is None:
        return True
    j = bisect_left(starts, ce)  # spans starting before the match ends
    if j and pmax[j - 1] > cs:
        return True  # overlaps the match
    spaces = ctx.spaces
    if spaces is None:
        spaces = ctx.spaces = [i for i in range(ctx.lo, ctx.hi) if k[i] == " "]

    def tokens_between(a: int, b: int) -> int:
        return bisect_left(spaces, b) - bisect_left(spaces, a) - 1

    if j and tokens_between(pmax[j - 1], cs) <= window:
        return True
    return j < len(starts) and tokens_between(ce, starts[j]) <= window


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


def _drop_inside_exceptions(cands: list[_Cand], exceptions: _Spans) -> list[_Cand]:
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


def _one_per_occurrence(cands: list[_Cand]) -> tuple[list[_Cand], _Spans]:
    """Per entry, overlapping candidates are one occurrence: keep exact, longest, first."""
    cands.sort(key=lambda c: (c[2].entry, c[0], c[1]))
    kept: list[_Cand] = []
    taken: _Spans = {}
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
