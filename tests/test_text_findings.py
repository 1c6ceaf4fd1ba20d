"""Case table from the accuracy evaluation: (pattern, mode, text, expected text[start:end] or None).

Every row runs through the batch path (`scan`) and the reference path (`scan_reference`)."""

from __future__ import annotations

import pytest

from matchers.text import EntryRule, PatternRule, TextMatcher

CASES = [
    # diacritics: a combining mark after the last letter is inside the span
    ("sieg heil", "word", "sieg heil\u0308", "sieg heil\u0308"),
    ("klansman", "word", "klansman\u0308", "klansman\u0308"),
    ("white lives matter", "word", "white lives matter\u0308!", "white lives matter\u0308"),
    ("klansman", "word", "klansmannen\u0308", None),
    # a trailing '!' after a word is punctuation
    ("c18", "token", "SUPPORT C18!", "C18"),
    ("c18", "token", "SUPPORT C18!!1", None),
    # leetspeak runs at word starts and ends
    ("white power", "word", "wh173 power", "wh173 power"),
    ("white power", "word", "whi73 power", "whi73 power"),
    ("totenkopf", "word", "70tenkopf", "70tenkopf"),
    ("eisernes kreuz", "word", "3153rn35 kr3uz", "3153rn35 kr3uz"),
    ("hitler hatte recht", "word", "h17l3r h4773 r3ch7", "h17l3r h4773 r3ch7"),
    ("groypet", "word", "gr0yp37", "gr0yp37"),
    ("rabia sign", "word", "r4b14 51gn", "r4b14 51gn"),
    ("totenkopf", "word", "80tenkopf", None),
    ("white power", "word", "wh1735 power", None),
    # spaced and dotted letters across multi-word and hyphenated patterns
    ("order of nine angles", "word", "o.r.d.e.r o.f n.i.n.e a.n.g.l.e.s",
     "o.r.d.e.r o.f n.i.n.e a.n.g.l.e.s"),
    ("do your own research", "word", "d-o y-o-u-r o-w-n r-e-s-e-a-r-c-h",
     "d-o y-o-u-r o-w-n r-e-s-e-a-r-c-h"),
    ("al-hayat media", "word", "a.l-h.a.y.a.t m.e.d.i.a", "a.l-h.a.y.a.t m.e.d.i.a"),
    ("wolfsgruß", "word", "w o l f s g r u ß", "w o l f s g r u ß"),
    ("groyper", "word", "g. r. o. y. p. e. r", "g. r. o. y. p. e. r"),
    ("groyper", "word", "he said: g. r. o. y. p. e. r!", "g. r. o. y. p. e. r"),
    ("heil hitler", "word", "h. e. i. l  h. i. t. l. e. r", "h. e. i. l  h. i. t. l. e. r"),
    ("ai", "word", "Plan a. I think so", "a. I"),
    ("order of nine angles", "word", "o. r. d. e. r  o. f  n. i. n. e  a. n. g. l. e. s",
     "o. r. d. e. r  o. f  n. i. n. e  a. n. g. l. e. s"),
    ("al-furqan media", "word", "a-l-f-u-r-q-a-n m-e-d-i-a", "a-l-f-u-r-q-a-n m-e-d-i-a"),
    ("al-sahab media", "word", "a l-s a h a b m e d i a", "a l-s a h a b m e d i a"),
    ("14 worte", "word", "1-4 w-o-r-t-e", "1-4 w-o-r-t-e"),
    ("14 worte", "word", "1-4 worte", None),
    ("order of nine angles", "word", "o.r.d.e.r o.f n.i.n.e", None),
    # run together with a decimal in the pattern
    ("nürnberg 2.0", "word", "#Nürnberg20", "Nürnberg20"),
    ("nuremberg 2.0", "word", "Nuremberg20", "Nuremberg20"),
    ("nuremberg 2.0", "word", "Nuremberg200", None),
    # fuzzy: one edit, double letters counted
    ("shaheed", "word*", "I shared it", None),
    ("shaheed", "word*", "shahed", "shahed"),
    ("kalifaat", "word*", "kalifat", "kalifat"),
    ("sonnenrad", "word*", "sonenrad", "sonenrad"),
    ("accelerate", "word*", "acelerate", "acelerate"),
    ("accelerate", "word*", "acelrate", None),
    # numbers inside dates and times are no number tokens; declared codes still match
    ("14", "token", "white power. Afspraak op 14-11-2026 om 10.30 uur.", None),
    ("18", "token", "hitler. The deadline was 3/18/1999, sadly.", None),
    ("1919", "token", "meine ehre. Mijn opa is geboren op 12-03-1919 in Zwolle.", None),
    ("22", "token", "blood brother. De trein vertrekt om 22:45 van spoor 3.", None),
    ("2026", "token", "op 2026-11-14.", None),
    ("14/88", "token", "x 14/88 y", "14/88"),
    ("14-88", "token", "x 14-88 y", "14-88"),
    ("14 88", "token", "x 14 88 y", "14 88"),
    ("88", "token", "x 88. y", "88"),
    ("22", "token", "om 22 uur", "22"),
    # symbols are single-character tokens like emoji; circled letters stay letters
    ("☭", "substring", "long live ☭ comrades", "☭"),
    ("✠", "substring", "the ✠ cross", "✠"),
    ("☦", "word", "x☦️y", "☦️"),
    ("☭", "substring", "long live ✠ comrades", None),
    ("a", "word", "Ⓐ", "Ⓐ"),
    # punctuation-only patterns match as written
    ("(((", "substring", "look at (((them)))", "((("),
    ("(((", "substring", "look at ((them))", None),
    # emoji gender variants are the base emoji; other ZWJ sequences are not
    ("🧛", "substring", "a 🧛\u200d\u2642\ufe0f here", "🧛\u200d\u2642\ufe0f"),
    ("🧛", "substring", "a 🧛\u200d\u2640 here", "🧛\u200d\u2640"),
    ("🏴", "substring", "🏴\u200d☠️", None),
    ("🏴", "substring", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", None),
]  # fmt: skip


def _matcher(pattern: str, mode: str) -> TextMatcher:
    fuzzy = mode.endswith("*")
    return TextMatcher.from_rules(
        [EntryRule("e")], [PatternRule("e", pattern, mode.rstrip("*"), fuzzy=fuzzy)]
    )


@pytest.mark.parametrize("pattern, mode, text, expected", CASES)
def test_case_table(pattern, mode, text, expected):
    tm = _matcher(pattern, mode)
    for scan in (tm.scan, tm.scan_reference):
        # weak matches too: a bare number is found, and only weak (tests/test_number_cues.py)
        got = [text[m.start : m.end] for m in scan(text, include_weak=True)]
        if expected is None:
            assert got == [], (scan.__name__, got)
        else:
            assert expected in got, (scan.__name__, got)


GLUED = [
    # (text, expected (pattern, matched) pairs) with patterns `heil` (word) and `1488` (token)
    ("heil1488", {("heil", "heil"), ("1488", "1488")}),
    ("HEIL1488!", {("heil", "HEIL"), ("1488", "1488")}),
    ("heil 1488", {("heil", "heil"), ("1488", "1488")}),
    ("covid1488", set()),
    ("heil14889", set()),
    ("heila1488", set()),
    ("1488heil", {("heil", "heil"), ("1488", "1488")}),
]


@pytest.mark.parametrize("text, expected", GLUED)
def test_glued_letters_and_digits(text, expected):
    tm = TextMatcher.from_rules(
        [EntryRule("w"), EntryRule("n")],
        [PatternRule("w", "heil"), PatternRule("n", "1488", "token")],
    )
    for scan in (tm.scan, tm.scan_reference):
        found = scan(text, include_weak=True)
        assert {(m.pattern, m.matched) for m in found} == expected, scan.__name__
        # a number glued to letters is written like a user name, a code-like form
        glued = " " not in text
        assert all(not m.weak for m in found if m.pattern == "1488") == glued or not found


CONTEXT = [
    # (pattern, context term, text, matched or None)
    ("free helicopter ride", "🚁", "free helicopter ride 🚁", "free helicopter ride"),
    ("free helicopter ride", "🚁", "free helicopter ride 🚀", None),
    ("bozkurtlar", "🇹🇷", "bozkurtlar 🇹🇷", "bozkurtlar"),
    ("bozkurtlar", "🇹🇷", "bozkurtlar 🇳🇱", None),
    ("👃", "(((", "👃 (((", "👃"),
    ("🧛", "(((", "🧛 (((them)))", "🧛"),
    ("🧛", "(((", "🧛 (them)", None),
]


def test_longer_occurrence_in_another_reading_replaces_the_shorter():
    tm = TextMatcher.from_rules(
        [EntryRule("e")], [PatternRule("e", "rabia"), PatternRule("e", "rabia sign")]
    )
    for scan in (tm.scan, tm.scan_reference):
        assert [m.matched for m in scan("zie r4b14 51gn hier")] == ["r4b14 51gn"]


@pytest.mark.parametrize("pattern, term, text, expected", CONTEXT)
def test_emoji_and_punctuation_context_terms(pattern, term, text, expected):
    mode = "word" if pattern.isascii() else "substring"
    tm = TextMatcher.from_rules(
        [EntryRule("e", context_requires_any=(term,), context_window=4)],
        [PatternRule("e", pattern, mode)],
    )
    for scan in (tm.scan, tm.scan_reference):
        got = [text[m.start : m.end] for m in scan(text)]
        assert got == ([expected] if expected else []), (scan.__name__, got)


def test_flagged_fuzzy_patterns_find_every_ascii_one_edit_variant():
    """Default scans find flagged patterns through variant keys; `fuzzy=True` searches tokens."""
    tm = TextMatcher.from_rules([EntryRule("e")], [PatternRule("e", "sonnenrad", fuzzy=True)])
    form = "sonnenrad"
    variants = {form[:i] + form[i + 1 :] for i in range(len(form))}
    variants |= {form[:i] + "x" + form[i + 1 :] for i in range(len(form))}
    variants |= {form[:i] + "q" + form[i:] for i in range(len(form) + 1)}
    variants |= {form[:i] + form[i + 1] + form[i] + form[i + 2 :] for i in range(len(form) - 1)}
    for v in sorted(variants):
        text = f"zie {v.upper()} hier"
        for fuzzy in (False, True):
            got = [m.matched for m in tm.scan(text, fuzzy=fuzzy)]
            assert got == [v.upper()], (v, fuzzy, got)
            assert tm.scan_reference(text, fuzzy=fuzzy) == tm.scan(text, fuzzy=fuzzy)
    assert tm.scan("zie sonnerat hier") == []  # two edits
