"""How likely each new pattern of a diff is to fire on ordinary text, and what it overlaps.

A pattern is rated by its wordfreq frequency, its hits on benign text (`corpus`: documents and
chat corpora) through the head side's own text matcher, and its collisions with other entries'
patterns. Hits are counted per language of the text, so that a pattern is measured against text
in its own languages, and a language without benign text is named rather than counted as no hits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from matchers import TextMatch, TextMatcher
from matchers.knowledge import bundle_text_matcher

from .compare import Diff, PatternRef
from .corpus import Corpus
from .snapshot import Snapshot
from .wordcheck import COMMON_WORD_ZIPF, common_word_frequency, pattern_key

SAMPLE_CONTEXT = 40
#: A user handle in a sample's context: masked, as the report is posted on the pull request.
_HANDLE = re.compile(r"@\w+")


@dataclass
class PatternRisk:
    """How likely a new pattern is to fire on ordinary text, and what it overlaps."""

    ref: PatternRef
    #: The pattern's languages: its own `lang`, else its entry's; empty or `und` for any.
    langs: list[str] = field(default_factory=list)
    zipf: float = 0.0
    zipf_lang: str = ""
    #: Lines of benign text it fires on (not only weakly); None when that was not measured.
    corpus_hits: int | None = None
    #: Lines with a strong hit per language of the text (None: text of unknown language).
    hits_by_lang: Counter[str | None] = field(default_factory=Counter)
    weak_hits: int = 0
    samples: list[str] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)

    @property
    def per_million_words(self) -> float:
        return 10 ** (self.zipf - 3) if self.zipf > 0 else 0.0

    @property
    def any_language(self) -> bool:
        return not self.langs or "und" in self.langs

    def covered(self, corpus: Corpus) -> list[str]:
        """The pattern's languages that the corpus has text in (all of them for `und`)."""
        if self.any_language:
            return corpus.languages
        return [lang for lang in self.langs if lang in corpus.languages]

    def uncovered(self, corpus: Corpus) -> list[str]:
        """The pattern's languages without benign text: its hits there are not known."""
        if self.any_language:
            return []
        return [lang for lang in self.langs if lang not in corpus.languages]

    def measured(self, corpus: Corpus) -> tuple[int, int]:
        """(hits, lines) on the text in the pattern's own languages (all text for `und`)."""
        if self.any_language:
            return sum(self.hits_by_lang.values()), len(corpus.lines)
        langs = set(self.covered(corpus))
        hits = sum(n for lang, n in self.hits_by_lang.items() if lang in langs)
        lines = sum(len(s.lines) for s in corpus.sources if s.lang in langs)
        return hits, lines

    def elsewhere(self, corpus: Corpus) -> Counter[str | None]:
        """Strong hits on text in other languages than the pattern's (or of unknown language)."""
        if self.any_language:
            return Counter()
        langs = set(self.covered(corpus))
        return Counter({k: n for k, n in self.hits_by_lang.items() if k not in langs and n})

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
    before, after = (_HANDLE.sub("@…", part) for part in (text[left:start], text[end:right]))
    return f"{'…' if left else ''}{before}**{text[start:end]}**{after}…"


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
        entry = diff.head.entries[ref.entry_id]
        langs = [ref.lang] if ref.lang else list(entry.get("languages") or [])
        risk = PatternRisk(ref, langs=[] if ref.is_emoji else langs)
        if not ref.is_emoji:
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
    """Count the lines each new pattern fires on, per language of the text (and apart, those
    where it fires only without its context); keep the first `samples` strong hits."""
    for risk in risks:
        risk.corpus_hits = 0
    for source in corpus.sources:
        scanned = matcher.scan_many(source.lines, include_weak=True)
        for line, found in zip(source.lines, scanned, strict=True):
            for risk in risks:
                fired = _fired(found, risk.ref)
                strong = [m for m in fired if not m.weak]
                if not strong:
                    risk.weak_hits += bool(fired)
                    continue
                risk.corpus_hits = (risk.corpus_hits or 0) + 1
                risk.hits_by_lang[source.lang] += 1
                if len(risk.samples) < samples:
                    risk.samples.append(_sample(line, strong[0].start, strong[0].end))


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
