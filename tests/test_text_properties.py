"""Properties of the text matcher on arbitrary strings (Hypothesis)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from matchers import canon as nz
from matchers.text import EntryRule, PatternRule, TextMatcher

RULES = (
    [
        EntryRule("heil", kind="expression", assessment="context"),
        EntryRule("sieg-heil", kind="slogan", assessment="illegal", exceptions=("sieg heilig",)),
        EntryRule("code-1488", kind="number", assessment="borderline", exceptions=("in 1488",)),
        EntryRule("code-88", context_requires_any=("heil", "sieg-heil"), context_window=4),
        EntryRule("black-flag", kind="emoji"),
        EntryRule("zwarte-zon", kind="symbol"),
        EntryRule("omvolking", kind="expression"),
        EntryRule("allahu-akbar", kind="expression"),
        EntryRule("c18", kind="codeword"),
        EntryRule("hoog", kind="codeword"),
    ],
    [
        PatternRule("heil", "heil"),
        PatternRule("sieg-heil", "sieg heil"),
        PatternRule("code-1488", "1488", "token"),
        PatternRule("code-1488", "14/88", "token"),
        PatternRule("code-88", "88", "token"),
        PatternRule("black-flag", "🏴", "substring"),
        PatternRule("zwarte-zon", "zwarte zon"),
        PatternRule("omvolking", "omvolking", "prefix", fuzzy=True),
        PatternRule("allahu-akbar", "allahu akbar"),
        PatternRule("c18", "c18", "token"),
        PatternRule("hoog", "hoog"),
    ],
)  # fmt: skip
TM = TextMatcher.from_rules(*RULES)

# Pieces that exercise every normalisation step, mixed with arbitrary text.
PIECES = [
    "heil", "Sieg", "h31l", "s1eg", "h e i l", "h.e.i.l", "HEEEIL", "hëil", "hеil", "ｈｅｉｌ",
    "1488", "14/88", "88", "88,5", "1.88", "c18", "1️⃣", "4️⃣", "8️⃣", "🏴", "🏴\u200d☠️", "👌🏻",
    "zwarte", "zon", "#ZwarteZon", "omvolking", "omvolkng", "@llahu", "akb@r", "hoog", "hog",
    "in", "is", "a", "i", "don't", "!", "!!", "$", "@", ".", ",", "-", "_", " ", "  ", "\n",
    "\u200b", "\u200d", "\ufe0f", "\u00ad", "\u202e", "\U000e0067", "\x00", "\ud800", "ß", "’",
    "…", "™", "😂", "😂🏻", "©", "中",
]  # fmt: skip
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=25).map("".join),
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_matches(text: str, matches) -> None:
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.matched
    assert [(m.start, m.end) for m in matches] == sorted((m.start, m.end) for m in matches)


@FAST
@given(texts)
def test_scan_never_raises_and_spans_are_exact(text):
    for weak in (False, True):
        check_matches(text, TM.scan(text, include_weak=weak))
    check_matches(text, TM.scan(text, fuzzy=True))


@FAST
@given(texts)
def test_fast_path_agrees_with_reference(text):
    assert TM.scan(text, include_weak=True) == TM.scan_reference(text, include_weak=True)
    assert TM.scan(text, fuzzy=True) == TM.scan_reference(text, fuzzy=True)


# Posts of test_batch_canonical_form_equals_reference by path ("batch", "slow", "nul"), checked
# by test_batch_comparison_kept_posts_on_the_batch_path: a comparison that sent every post to
# the reference path would pass while comparing nothing.
PATHS: Counter[str] = Counter()


@FAST
@given(texts)
def test_batch_canonical_form_equals_reference(text):
    if "\x00" in text:  # the batch joiner: TextMatcher sends such posts to the reference path
        PATHS["nul"] += 1
        return
    b = nz.canonicalize_batch([text])
    if b.slow[0]:
        PATHS["slow"] += 1
        for reason, n in b.slow_reasons.items():
            if n:
                event(f"slow: {reason}")
        return
    PATHS["batch"] += 1
    event("batch path")
    ref = nz.canonicalize(text)
    assert b.k.rstrip("\x01") == ref.k
    assert b.run.tolist() == ref.run
    assert b.bits.tolist() == ref.bits
    # offsets into the original, inside the frame spaces (those stand outside the post)
    base = int(b.post_base[0])
    starts, ends = (b.starts - base).tolist(), (b.ends - base).tolist()
    inner = range(1, len(ref.k) - 1)
    assert [starts[i] for i in inner] == ref.start[1:-1]
    for i in inner:
        if ref.k[i] != " ":
            assert ends[i] == ref.end[i], (i, ref.k)
        else:
            # a space's span may stop before the modifiers and ZWJ links of the emoji it
            # stands for, which the batch path deletes: the rest is canonically blank
            assert ends[i] <= ref.end[i]
            assert nz.canonicalize(text[ends[i] : ref.end[i]]).k.strip(" ") == ""


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, max_size=12))
def test_scan_many_equals_scan(posts):
    assert list(TM.scan_many(posts, include_weak=True)) == [
        TM.scan(p, include_weak=True) for p in posts
    ]


@FAST
@given(texts)
def test_padding_with_line_breaks_only_shifts_matches(text):
    """Separators around a text collapse into its frame: same matches, shifted offsets."""
    padded = " \n" + text + "\n "
    got = [(m.entry_id, m.start - 2, m.end - 2, m.weak) for m in TM.scan(padded, include_weak=True)]
    assert got == [(m.entry_id, m.start, m.end, m.weak) for m in TM.scan(text, include_weak=True)]


@pytest.mark.parametrize(
    "text",
    [
        "\ud800heil\udfff",
        "\x00" * 100 + "sieg heil",
        "\u202e\u2066heil\u2069\u202c",
        "\U000e0001" * 50,
        "🏴" + "\u200d" * 1000,
        "\ufe0f" * 1000,
        "1️⃣" * 500,
        "a" * 10000,
        "h e i l " * 2000,
    ],
)
def test_hostile_inputs(text):
    check_matches(text, TM.scan(text, include_weak=True, fuzzy=True))
    assert TM.scan(text) == TM.scan_reference(text)


def test_one_megabyte_line():
    text = ("groeten uit het zuiden, s1eg h.e.i.l 88 en 🏴 ! " * 21000)[:1_000_000]
    matches = TM.scan(text)
    check_matches(text, matches)
    assert sum(m.entry_id == "sieg-heil" for m in matches) > 20000


def test_batch_comparison_kept_posts_on_the_batch_path():
    """Runs after the comparison (tests run in file order): enough of its posts were compared."""
    total = sum(PATHS.values())
    if not total:
        pytest.skip("test_batch_canonical_form_equals_reference did not run")
    print(f"batch path: {PATHS['batch']} of {total} posts ({dict(PATHS)})")
    assert PATHS["batch"] >= 0.2 * total, dict(PATHS)
