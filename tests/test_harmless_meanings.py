"""Everyday sentences in which a sign of the shipped knowledge base has its harmless meaning are
no strict match; each is found only as a weak match that says why."""

from __future__ import annotations

import pytest

from matchers import TextMatcher

# (sentence, entry whose sign it contains)
NAMED = [
    ("ik heb vandaag 1488 stappen gezet", "code-1488"),
    ("1488 likes op mijn foto", "code-1488"),
    ("Jacobus III (1452-1488)", "code-1488"),
    ("84 Prozent der Haushalte in Deutschland", "code-84"),
    ("Er zog mit 88 Jahren ins Altersheim", "code-88"),
    ("Happy birthday Emma! 4/20 🎂", "code-4-20"),
    ("Am 20.4. hat meine Mutter Geburtstag", "code-4-20"),
    ("Mijn collega Turan is een Turk uit Izmir", "turan"),
    ("Rafidah Aziz, former Malaysian trade minister", "rafidi"),
    ("In Rainbow Six Siege you have to defend the base", "the-base"),
    ("Sturm: 18 Uhr Warnung", "sturm-18"),
    ("Support ticket C18: printer jam", "c18"),
    ("Why did 109 countries vote for the resolution?", "109-countries"),
    ("Red Star Belgrade fans riot", "rode-ster"),
]


@pytest.fixture(scope="module")
def tm(built) -> TextMatcher:
    return TextMatcher.from_db(built.output)


@pytest.mark.parametrize("sentence, entry", NAMED)
def test_harmless_meaning_is_no_strict_match(tm, sentence, entry):
    assert tm.scan(sentence) == [], [m.explain() for m in tm.scan(sentence)]
    for m in tm.scan(sentence, include_weak=True):
        assert m.weak and m.evidence.describe().startswith("Weak: ")


@pytest.mark.parametrize(
    "post, entry",
    [
        ("Nederland wordt wakker. #1488", "code-1488"),
        ("sieg heil 88 voor altijd", "code-88"),
        ("bio: 1️⃣4️⃣8️⃣8️⃣", "code-1488"),
    ],
)
def test_the_code_is_still_found(tm, post, entry):
    (m,) = [m for m in tm.scan(post) if m.entry_id == entry]
    assert m.evidence.strict
