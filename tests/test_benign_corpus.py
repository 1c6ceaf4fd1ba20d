"""The shipped knowledge base on real benign prose: few lines may match, no entry fires often."""

from __future__ import annotations

from collections import Counter

import pytest

import matchers
from symbolenbank.corpus import corpus_lines

MAX_LINES_PER_ENTRY = 0.001  # an entry may fire on at most 0.1% of lines
MAX_LINES_MATCHED = 0.005  # at most 0.5% of lines may match at all


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    lines = corpus_lines("nl") + corpus_lines("en")
    if len(lines) < 5000:
        pytest.skip("benign corpora not installed: run `bash scripts/system-deps.sh` as root")
    return lines


def test_shipped_knowledge_base_is_quiet_on_benign_prose(db_path, corpus):
    matcher = matchers.TextMatcher.from_db(db_path)
    per_entry: Counter[str] = Counter()
    matched_lines = 0
    samples: dict[str, str] = {}
    for line, found in zip(corpus, matcher.scan_many(corpus), strict=True):
        entries = {m.entry_id for m in found}
        matched_lines += bool(entries)
        per_entry.update(entries)
        for m in found:
            samples.setdefault(m.entry_id, f"{m.matched!r} in {line[:120]!r}")
    n = len(corpus)
    noisy = {e: c for e, c in per_entry.items() if c > n * MAX_LINES_PER_ENTRY}
    assert not noisy, {e: (c, samples[e]) for e, c in noisy.items()}
    assert matched_lines <= n * MAX_LINES_MATCHED, (matched_lines, n, per_entry.most_common(10))
