"""What confirmed a match, or kept it weak: `TextMatch.evidence`, in every status."""

from __future__ import annotations

import json

import pytest

from matchers.text import DEFAULT_CONTEXT_WINDOW, EntryRule, NumberCues, PatternRule, TextMatcher

CUES = NumberCues(
    after=frozenset({"stappen", "jahren", "likes", "minute", "m"}),
    before=frozenset({"kamer", "linie"}),
    before_endings=("straat",),
    year=frozenset({"in", "rond"}),
    signs=frozenset({"%", "€"}),
)


@pytest.fixture(scope="module")
def tm() -> TextMatcher:
    entries = [
        EntryRule("code-1488", kind="number", assessment="borderline"),
        EntryRule("code-18", kind="number", assessment="context"),
        EntryRule("kruis", kind="symbol", context_requires_any=("code-1488", "(((")),
        EntryRule(
            "code-88",
            kind="number",
            assessment="context",
            context_requires_any=("heil", "kameraden", "skinhead", "code-18"),
            context_window=6,
            context_common=("kameraden",),
        ),
        EntryRule("zorblat", context_requires_any=("vlag",)),
    ]
    patterns = [
        PatternRule("code-1488", "1488", "token"),
        PatternRule("code-18", "18", "token"),
        PatternRule("code-88", "88", "token"),
        PatternRule("zorblat", "zorblat"),
        PatternRule("kruis", "kruis"),
    ]
    return TextMatcher.from_rules(entries, patterns, CUES)


def one(tm: TextMatcher, text: str, entry: str):
    found = [m for m in tm.scan(text, include_weak=True) if m.entry_id == entry]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text, form",
    [
        ("#1488", "hashtag"),
        ("@patriot_1488 volgt je", "handle"),
        ("bio: 1️⃣4️⃣8️⃣8️⃣", "keycaps"),
        ("groeten ①④⑧⑧", "disguised"),
        ("1488 en nog eens 1488", "repeated"),
        ("wij zijn 18 1488", "combined"),
    ],
)
def test_a_bare_number_counts_in_a_code_like_form(tm, text, form):
    m = [m for m in tm.scan(text, include_weak=True) if m.entry_id == "code-1488"][-1]
    assert not m.weak and m.evidence.status == "code_form" and m.evidence.form == form


def test_a_bare_number_alone_is_weak(tm):
    m = one(tm, "Nederland wordt wakker. 1488!", "code-1488")
    assert m.weak and m.evidence.status == "bare_number"
    assert "Weak: a bare number" in m.explain()
    assert tm.scan("Nederland wordt wakker. 1488!") == []


@pytest.mark.parametrize(
    "text, kind, cue",
    [
        ("ik heb vandaag 1488 stappen gezet", "quantity", "stappen"),
        ("#1488 likes op mijn foto", "quantity", "likes"),
        ("Jacobus III (1452-1488)", "range", "1452-1488"),
        ("Jacobus III (1452 – 1488)", "range", "1452 – 1488"),
        ("de winter van 1488/89", "range", "1488/89"),
        ("kamer 1488 is vrij", "identifier", "kamer"),
        ("Kerkstraat 1488", "identifier", "kerkstraat"),
        ("gebouwd rond 1488", "year", "rond"),
        ("1488 % zeker", "amount", "%"),
        ("€1488 voor een fiets", "amount", "€"),
    ],
)
def test_a_benign_cue_keeps_a_number_weak(tm, text, kind, cue):
    m = one(tm, text, "code-1488")
    assert m.weak and m.evidence.status == "benign_cue"
    assert (m.evidence.cue_kind, m.evidence.cue) == (kind, cue)


def test_a_cue_wins_over_the_context_rule(tm):
    m = one(tm, "heil, opa werd 88 jahren", "code-88")
    assert m.weak and m.evidence.status == "benign_cue" and m.evidence.cue == "jahren"


def test_the_year_cue_needs_a_year(tm):
    m = one(tm, "in 88 heil", "code-88")  # two digits are no year
    assert not m.weak and m.evidence.status == "context"


def test_context_evidence_names_the_term_and_its_span(tm):
    text = "heil en 88 voor altijd"
    m = one(tm, text, "code-88")
    assert not m.weak and m.evidence.status == "context" and m.evidence.window == 6
    (hit,) = m.evidence.terms
    assert (hit.term, text[hit.start : hit.end], hit.words_away) == ("heil", "heil", 1)
    assert "Confirmed by context: 'heil' within 6 words." in m.explain()


def test_a_required_entry_is_evidence_too(tm):
    m = one(tm, "18 88", "code-88")
    assert not m.weak and [t.term for t in m.evidence.terms] == ["code-18"]


def test_a_term_outside_the_window_is_named(tm):
    m = one(tm, "heil " + "woord " * 8 + "88", "code-88")
    assert m.weak and m.evidence.status == "outside_window"
    assert m.evidence.terms[0].words_away == 8
    assert "'heil' is in the text but 8 words away" in m.evidence.describe()


def test_an_everyday_term_confirms_only_close_by_or_with_company(tm):
    far = one(tm, "de kameraden zijn er, opa wordt morgen 88", "code-88")
    assert far.weak and far.evidence.status == "lone_common_term"
    assert "'kameraden' is an everyday word" in far.evidence.describe()
    close = one(tm, "kameraden, 88!", "code-88")
    assert not close.weak and close.evidence.status == "context"
    company = one(tm, "kameraden zijn er, alle kameraden zijn er, opa wordt 88", "code-88")
    assert company.weak  # the same everyday word twice is no company
    company = one(tm, "de kameraden zijn er, en de heil, 88", "code-88")
    assert not company.weak and {t.term for t in company.evidence.terms} == {"heil"}


def test_the_default_window_applies_without_one(tm):
    near = one(tm, "vlag " + "woord " * (DEFAULT_CONTEXT_WINDOW - 1) + "zorblat", "zorblat")
    assert not near.weak and near.evidence.window == DEFAULT_CONTEXT_WINDOW
    far = one(tm, "vlag " + "woord " * (DEFAULT_CONTEXT_WINDOW + 1) + "zorblat", "zorblat")
    assert far.weak and far.evidence.status == "outside_window"


def test_no_context_and_standalone(tm):
    m = one(tm, "zorblat", "zorblat")
    assert m.weak and m.evidence.status == "no_context"
    strict = TextMatcher.from_rules([EntryRule("x")], [PatternRule("x", "zorblat")])
    (m,) = strict.scan("zorblat")
    assert m.evidence.status == "standalone" and "counts on its own" in m.explain()


def test_evidence_serialises(tm):
    d = one(tm, "heil en 88", "code-88").to_dict()["evidence"]
    assert json.loads(json.dumps(d)) == d
    assert d["status"] == "context" and d["strict"] is True and d["window"] == 6
    assert d["terms"] == [{"term": "heil", "start": 0, "end": 4, "words_away": 1}]
    assert d["text"].startswith("Confirmed by context")
    d = one(tm, "1488 stappen", "code-1488").to_dict()["evidence"]
    assert d == {
        "status": "benign_cue",
        "strict": False,
        "cue": "stappen",
        "cue_kind": "quantity",
        "text": "Weak: reads as a unit or counted noun after the number ('stappen').",
    }


def test_reference_path_gives_the_same_evidence(tm):
    for text in ["heil en 88", "1488 stappen", "#1488", "kameraden zijn er, 88 88", "18 88"]:
        assert tm.scan(text, include_weak=True) == tm.scan_reference(text, include_weak=True)


@pytest.mark.parametrize(
    "text",
    [
        "kamer 1488 is vrij, tot straks bij 1488",  # a harmless occurrence is no repetition
        "linie 18 1488",  # nor a harmless neighbour
        "om 22:18 1488",  # nor a field of a time
        "IMG_1488.JPG",  # a file name is no user name
        "invoice_1488.pdf",
        "https://example.org/photo_1488",
        "عام ١٤٨٨",  # a script's own digits are no disguise
    ],
)
def test_harmless_shapes_make_no_code_form(tm, text):
    assert [m for m in tm.scan(text) if m.entry_id == "code-1488"] == []


def test_a_harmless_number_confirms_nothing(tm):
    assert one(tm, "kamer 1488 heeft een kruis", "kruis").weak
    assert not one(tm, "#1488 met een kruis", "kruis").weak


def test_an_ordinal_reads_with_its_noun_and_a_unit_must_be_a_word(tm):
    assert one(tm, "heil, in der 88. minute", "code-88").evidence.cue == "minute"
    assert not one(tm, "heil 88 m8", "code-88").weak  # `m8` is no unit


def test_a_punctuation_term_is_named_at_its_place(tm):
    for text in ["(((them))) kruis", "kruis ((( ", "kruis (((them)))"]:
        for scan in (tm.scan, tm.scan_reference):
            (m,) = [m for m in scan(text) if m.entry_id == "kruis"]
            (hit,) = m.evidence.terms
            assert text[hit.start : hit.end] == "(((", (scan.__name__, text, hit)


def test_evidence_names_different_terms(tm):
    m = one(tm, "heil, kameraden kameraden kameraden, 88", "code-88")
    assert [t.term for t in m.evidence.terms] == ["kameraden", "heil"]


def test_a_filter_keeps_the_combined_form(tm):
    text = "wij zijn 18 1488"
    assert tm.scan(text, min_assessment="borderline") == [
        m for m in tm.scan(text) if m.entry_id == "code-1488"
    ]
    assert not tm.scan(text, min_assessment="borderline")[0].weak
