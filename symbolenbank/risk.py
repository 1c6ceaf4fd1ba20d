"""How likely each new pattern of a diff is to fire on ordinary text, and what it overlaps.

A pattern is rated by its wordfreq frequency, its hits on a benign corpus (`corpus.read_corpus`)
through the head side's own text matcher, and its collisions with other entries' patterns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchers import TextMatch, TextMatcher
from matchers.knowledge import bundle_text_matcher

from .compare import Diff, PatternRef
from .corpus import Corpus
from .snapshot import Snapshot
from .wordcheck import COMMON_WORD_ZIPF, common_word_frequency, pattern_key

SAMPLE_CONTEXT = 40


@dataclass
class PatternRisk:
    """How likely a new pattern is to fire on ordinary text, and what it overlaps."""

    ref: PatternRef
    zipf: float = 0.0
    zipf_lang: str = ""
    corpus_hits: int | None = None
    weak_hits: int = 0
    samples: list[str] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)

    @property
    def per_million_words(self) -> float:
        return 10 ** (self.zipf - 3) if self.zipf > 0 else 0.0

    @property
    def risky(self) -> bool:
        # A new phrase that contains an older entry's word fires both, which is usually meant;
        # a new pattern that is the same as, or fires inside, another entry's pattern is broader.
        broader = any(c.startswith(("same pattern", "fires inside")) for c in self.collisions)
        return self.zipf >= COMMON_WORD_ZIPF or bool(self.corpus_hits) or broader


def _load_matcher(snap: Snapshot) -> TextMatcher | None:
    if snap.db_path is not None:
        return TextMatcher.from_db(snap.db_path)
    if snap.bundle_path is not None:
        return bundle_text_matcher(snap.bundle_path)
    return None


def _fired(matches: list[TextMatch], ref: PatternRef) -> list[TextMatch]:
    want = pattern_key(ref.text, ref.is_emoji)
    return [
        m
        for m in matches
        if m.entry_id == ref.entry_id and pattern_key(str(m.pattern), ref.is_emoji) == want
    ]


def _sample(text: str, start: int, end: int) -> str:
    left = max(0, start - SAMPLE_CONTEXT)
    right = min(len(text), end + SAMPLE_CONTEXT)
    return f"{'…' if left else ''}{text[left:start]}**{text[start:end]}**{text[end:right]}…"


def assess(diff: Diff, corpus: Corpus | None, *, samples: int = 2) -> tuple[list[PatternRisk], str]:
    """Risk of every added pattern, and a note on what could not be measured."""
    notes = []
    matcher = _load_matcher(diff.head)
    if matcher is None:
        notes.append(
            "the text matcher could not be loaded, so corpus hits and overlaps are not measured"
        )
    risks = []
    for ref in diff.patterns_added:
        risk = PatternRisk(ref)
        entry = diff.head.entries[ref.entry_id]
        if not ref.is_emoji:
            langs = [ref.lang] if ref.lang else list(entry.get("languages") or [])
            risk.zipf, risk.zipf_lang = common_word_frequency(ref.text, langs)
        key = pattern_key(ref.text, ref.is_emoji)
        for other, rec in diff.head.entries.items():
            if other != ref.entry_id and rec.get("status") == "active":
                for p in rec.get("patterns", []):
                    if pattern_key(p["text"], bool(p["is_emoji"])) == key:
                        risk.collisions.append(f"same pattern as `{other}`")
        risks.append(risk)
    if matcher is not None:
        _overlaps(diff, risks, matcher)
        if corpus is not None and corpus.lines:
            _corpus_hits(risks, corpus, matcher, samples)
    return risks, "; ".join(notes)


def _corpus_hits(
    risks: list[PatternRisk], corpus: Corpus, matcher: TextMatcher, samples: int
) -> None:
    """Count each new pattern's hits on the corpus; keep the first `samples` strong ones."""
    for risk in risks:
        risk.corpus_hits = 0
    for line in corpus.lines:
        found = matcher.scan(line, include_weak=True)
        for risk in risks:
            for m in _fired(found, risk.ref):
                if m.weak:
                    risk.weak_hits += 1
                    continue
                risk.corpus_hits = (risk.corpus_hits or 0) + 1
                if len(risk.samples) < samples:
                    risk.samples.append(_sample(line, m.start, m.end))


def _overlaps(diff: Diff, risks: list[PatternRisk], matcher: TextMatcher) -> None:
    """New patterns that contain another entry's pattern, or fire inside one."""
    for risk in risks:
        for m in matcher.scan(risk.ref.text, include_weak=True):
            if m.entry_id != risk.ref.entry_id:
                note = f"contains `{m.entry_id}` pattern `{m.pattern}`"
                if note not in risk.collisions:
                    risk.collisions.append(note)
    by_entry: dict[str, list[PatternRisk]] = {}
    for risk in risks:
        by_entry.setdefault(risk.ref.entry_id, []).append(risk)
    for other, rec in diff.head.entries.items():
        if rec.get("status") != "active":
            continue
        for p in rec.get("patterns", []):
            found = matcher.scan(p["text"], include_weak=True)
            for eid, entry_risks in by_entry.items():
                if eid == other:
                    continue
                for risk in entry_risks:
                    if _fired(found, risk.ref):
                        note = f"fires inside `{other}` pattern `{p['text']}`"
                        if note not in risk.collisions:
                            risk.collisions.append(note)
