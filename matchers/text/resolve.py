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
from .cues import benign_cue, code_form
from .fuzzy import FuzzyHit, fuzzy_close
from .index import TextIndex
from .items import EXC, FZ, PAT, TERM, KeyValue, PatItem
from .rules import DEFAULT_CONTEXT_WINDOW, STANDALONE, ContextHit, Evidence, TextMatch
from .views import View

__all__ = ["Hit", "punct_hits", "resolve"]

#: A hit of the key automaton: (index of the key's last character, key value).
Hit = tuple[int, KeyValue]
# (content start, content end, item, fuzzy) of a candidate match, in canonical positions
_Cand = tuple[int, int, PatItem, bool]
_Spans = dict[int, list[tuple[int, int]]]  # entry or term index -> canonical spans
_Origin = dict[tuple[int, int], tuple[int, int]]  # canonical -> original span of punct terms
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
    origin: _Origin = {}
    extra = _place_punct(view, punct, terms, origin) if punct else []
    if exceptions:
        cands = _drop_inside_exceptions(cands, exceptions)
    if len(cands) == 1:
        kept, taken = cands, {cands[0][2].entry: [(cands[0][0], cands[0][1])]}
    else:
        kept, taken = _one_per_occurrence(cands)
    context = _Context(ix, text, view, taken, terms, origin)
    out = _pattern_matches(ix, text, view, kept, context, include_weak)
    if extra:
        out.extend(_punct_matches(ix, text, view.k, extra, context, include_weak, view))
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


def _place_punct(
    view: View, punct: list[tuple[int, int, int, int]], terms: _Spans, origin: _Origin
) -> list[_Extra]:
    """Punctuation-only hits in canonical positions: terms join `terms` (and `origin` keeps
    their spans in the original text, which canonical positions cannot give back), patterns
    are returned."""
    extra: list[_Extra] = []
    for ps, pe, kind, ref in punct:
        cs = view.kindex(ps)
        ce = max(view.kindex(pe - 1) + 1, cs + 1)
        if kind == TERM:
            terms.setdefault(ref, []).append((cs, ce))
            origin[(cs, ce)] = (ps, pe)
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
    """The matches of the kept candidates, with their reasons and evidence; weak ones if asked
    for. The loop runs once per candidate; the evidence of numbers and context rules is looked
    up only for the entries that have them."""
    k = view.k
    out: list[TextMatch] = []
    for cs, ce, it, is_fuzzy in kept:
        if is_fuzzy and not fuzzy_close(k[cs:ce], view.runs(cs, ce), it):
            continue
        start = view.ostart(cs)
        end = view.oend(ce - 1)
        if it.number and _in_date_or_time(text, start, end):
            continue
        numeric = ix.numeric[it.pattern]
        ev = STANDALONE
        if numeric and (cue := benign_cue(ix.cues, text, start, end)) is not None:
            ev = Evidence("benign_cue", cue_kind=cue[0], cue=cue[1])
        elif ix.has_context[it.entry]:
            ev = context_evidence(ix, it.entry, cs, ce, view, context)
        if not include_weak and ev is not STANDALONE and not ev.strict:
            continue
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
        reasons = tuple(name for bit, name in nz.REASONS if bits & bit)
        if numeric == 2 and ev is STANDALONE:
            form = code_form(text, start, end, reasons) or _post_form(ix, it.entry, cs, ce, context)
            ev = Evidence("code_form", form=form) if form else BARE_NUMBER
            if not form and not include_weak:
                continue
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
                weak=not ev.strict,
                fuzzy=is_fuzzy,
                reasons=reasons,
                evidence=ev,
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
    view: View,
) -> list[TextMatch]:
    """The matches of punctuation-only patterns, as written (no reasons)."""
    out: list[TextMatch] = []
    for ps, pe, cs, ce, pi in extra:
        p = ix.patterns[pi]
        ei = ix.pattern_entry[pi]
        ev = STANDALONE
        if ix.has_context[ei]:
            ev = context_evidence(ix, ei, cs, ce, view, context)
            if not ev.strict and not include_weak:
                continue
        e = ix.entries[ei]
        out.append(
            TextMatch(e.id, ps, pe, text[ps:pe], p.text, e.kind, e.assessment, e.title,
                      e.title_en, p.match, not ev.strict, False, (), ev)
        )  # fmt: skip
    return out


#: How many words may stand between an everyday context term and the match for the term to
#: confirm it alone (`heil en 88`, not `heil angekommen, Opa ist 88`).
TIGHT_WINDOW = 2
BARE_NUMBER = Evidence("bare_number")
NO_CONTEXT = Evidence("no_context")
# (canonical start, end, label, everyday word) of a requirement found in a post
_Dep = tuple[int, int, str, bool]
# the requirements by position, their starts, and the longest one's length
_Deps = tuple[list[_Dep], list[int], int]


class _Context:
    """What the context rules of one post need, looked up on first use and kept for the
    other matches of the post: the term hits, per entry its requirements' spans, the spaces,
    and which number occurrences are harmless (a quantity, a year, a date)."""

    __slots__ = (
        "ix", "text", "view", "lo", "hi", "taken", "terms", "origin", "terms_done", "deps",
        "spaces", "harmless",
    )  # fmt: skip

    def __init__(
        self, ix: TextIndex, text: str, view: View, taken: _Spans, terms: _Spans, origin: _Origin
    ):
        self.ix, self.text, self.view = ix, text, view
        self.lo, self.hi = view.klo, view.khi  # the post's canonical range
        self.taken = taken  # entry -> spans of its kept matches
        self.terms = terms  # term -> spans, from the key and punctuation automata so far
        self.origin = origin  # original spans of punctuation-only terms
        self.terms_done = False  # the term automaton has run over the post
        self.deps: dict[int, _Deps] = {}
        self.spaces: list[int] | None = None
        self.harmless: dict[tuple[int, int], bool] = {}

    def _spaces(self, k: str) -> list[int]:
        spaces = self.spaces
        if spaces is None:
            spaces = self.spaces = [i for i in range(self.lo, self.hi) if k[i] == " "]
        return spaces

    def words_between(self, k: str, a: int, b: int) -> int:
        """Words of the post strictly between canonical positions a <= b (0: adjacent)."""
        spaces = self._spaces(k)
        return max(0, bisect_left(spaces, b) - bisect_left(spaces, a) - 1)

    def window_bounds(self, k: str, cs: int, ce: int, window: int) -> tuple[int, int]:
        """Canonical positions that enclose every word within `window` words of cs..ce."""
        spaces = self._spaces(k)
        if not spaces:
            return self.lo, self.hi
        a = bisect_left(spaces, cs) - window - 2
        b = bisect_left(spaces, ce) + window + 1
        return (spaces[a] if a >= 0 else self.lo), (spaces[b] if b < len(spaces) else self.hi)

    def original(self, s: int, e: int) -> tuple[int, int]:
        """The span in the original text of the requirement at canonical s..e."""
        span = self.origin.get((s, e))
        if span is not None:
            return span
        return self.view.ostart(s), self.view.oend(e - 1)

    def is_harmless(self, s: int, e: int) -> bool:
        """Whether the number at canonical s..e reads as a quantity, identifier or year, or is a
        field of a date or time: then it neither confirms another entry nor makes a code form."""
        key = (s, e)
        found = self.harmless.get(key)
        if found is None:
            start, end = self.original(s, e)
            found = _in_date_or_time(self.text, start, end) or (
                benign_cue(self.ix.cues, self.text, start, end) is not None
            )
            self.harmless[key] = found
        return found


def _requirements(ix: TextIndex, entry: int, k: str, ctx: _Context) -> _Deps:
    """The required entries and terms of `entry` found in the post, by position, with their
    starts for bisection."""
    found = ctx.deps.get(entry)
    if found is not None:
        return found
    dep_entries, dep_terms = ix.entry_terms[entry]
    terms = ctx.terms
    if dep_terms and ix.term_auto is not None and not ctx.terms_done:
        ctx.terms_done = True
        lo = ctx.lo
        # the post's slice: searching the batch's text from `lo` would copy all of it
        for end, (klen, ti) in ix.term_auto.iter(k[lo : ctx.hi]):
            terms.setdefault(ti, []).append((lo + end - klen + 2, lo + end))
    deps: list[_Dep] = []
    harmless = ctx.is_harmless
    for d in dep_entries:
        label, number = ix.entries[d].id, ix.numeric_entry[d]
        deps.extend(
            (s, e, label, False) for s, e in ctx.taken.get(d, ()) if not (number and harmless(s, e))
        )
    common = ix.entry_common[entry]
    for t in dep_terms:
        label, is_common, number = ix.term_labels[t], t in common, ix.term_numeric[t]
        deps.extend(
            (s, e, label, is_common) for s, e in terms.get(t, ()) if not (number and harmless(s, e))
        )
    deps.sort()
    longest = max((e - s for s, e, _l, _c in deps), default=0)
    found = ctx.deps[entry] = (deps, [d[0] for d in deps], longest)
    return found


def context_evidence(
    ix: TextIndex, entry: int, cs: int, ce: int, view: View, ctx: _Context
) -> Evidence:
    """Whether the context rule of `entry` holds for the match at cs..ce: a required entry or
    term within the window (the entry's, or `DEFAULT_CONTEXT_WINDOW` words); an everyday term
    only right next to the match or with a second requirement in the window. Only the
    requirements near the match are looked at (bisection), so a post with thousands of matches
    and terms stays linear."""
    k = view.k
    deps, starts, longest = _requirements(ix, entry, k, ctx)
    if not deps:
        return NO_CONTEXT
    window = ix.entries[entry].context_window
    if window is None:
        window = DEFAULT_CONTEXT_WINDOW
    lo, hi = ctx.window_bounds(k, cs, ce, window)
    i0 = bisect_left(starts, lo - longest)  # a requirement starting before can reach in
    i1 = bisect_right(starts, hi)
    near: list[tuple[int, int, int, str, bool]] = []
    for s, e, label, common in deps[i0:i1]:
        d = _distance(ctx, k, s, e, cs, ce)
        if d <= window:
            near.append((d, s, e, label, common))

    def hits(found: list[tuple[int, int, int, str, bool]]) -> tuple[ContextHit, ...]:
        """The nearest occurrence of up to three different requirements."""
        out: list[ContextHit] = []
        seen: set[str] = set()
        for d, s, e, label, _c in sorted(found):
            if label not in seen and len(out) < 3:
                seen.add(label)
                out.append(ContextHit(label, *ctx.original(s, e), d))
        return tuple(out)

    if not near:
        # the nearest requirement on either side of the window, to name it
        outside = [deps[i] for i in (i0 - 1, i1) if 0 <= i < len(deps)]
        outside += [x for x in deps[i0:i1]]
        far = min(((_distance(ctx, k, *x[:2], cs, ce), *x) for x in outside), default=None)
        return Evidence("outside_window", terms=hits([far]) if far else (), window=window)
    strong = [n for n in near if not n[4] or n[0] <= TIGHT_WINDOW]
    if strong or len({n[3] for n in near}) >= 2:
        return Evidence("context", terms=hits(strong or near), window=window)
    return Evidence("lone_common_term", terms=hits(near), window=window)


def _distance(ctx: _Context, k: str, s: int, e: int, cs: int, ce: int) -> int:
    """Words between a requirement at s..e and the match at cs..ce; -1 when they overlap."""
    if s < ce and e > cs:
        return -1
    if e <= cs:
        return ctx.words_between(k, e, cs)
    return ctx.words_between(k, ce, s)


def _post_form(ix: TextIndex, entry: int, cs: int, ce: int, ctx: _Context) -> str:
    """`repeated` when the entry occurs again in the post, `combined` when another number
    entry's match stands right next to this one (`18 88`), else ""."""
    harmless = ctx.is_harmless
    own = ctx.taken.get(entry, ())
    if len(own) > 1 and sum(1 for s, e in own[:64] if not harmless(s, e)) > 1:
        return "repeated"
    for other, spans in ctx.taken.items():
        if other != entry and ix.numeric_entry[other]:
            # spans are sorted by start (`_one_per_occurrence`); look at the two around cs
            j = bisect_left(spans, (cs, cs))
            for s, e in spans[max(0, j - 1) : j + 1]:
                if (0 <= cs - e <= 1 or 0 <= s - ce <= 1) and not harmless(s, e):
                    return "combined"
    return ""


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
