"""TextMatcher: every obfuscation class `matchers.canon` undoes (see its docstring),
boundaries, rules, spans and the API."""

from __future__ import annotations

import json
import pickle
import sqlite3

import pytest

from matchers.text import EntryRule, PatternRule, TextMatch, TextMatcher

ENTRIES = [
    EntryRule("heil", "Heil", "Heil", "expression", "context"),
    EntryRule(
        "sieg-heil", "Sieg Heil", "Sieg Heil", "slogan", "illegal", exceptions=("sieg heilig",)
    ),
    EntryRule("heil-hitler", "Heil Hitler", "Heil Hitler", "slogan", "illegal"),
    EntryRule(
        "code-1488", "1488", "1488", "number", "borderline", exceptions=("in 1488", "anno 1488")
    ),
    EntryRule(
        "code-88", "88", "88", "number", "context",
        context_requires_any=("heil", "hitler", "sieg-heil", "code-1488", "skinhead"),
        context_window=6,
    ),
    EntryRule("black-flag", "Zwarte vlag", "Black flag", "emoji", "context"),
    EntryRule("ok-hand", "OK-gebaar", "OK hand", "emoji", "context", context_requires_any=("wit",)),
    EntryRule("zwarte-zon", "Zwarte zon", "Black sun", "symbol", "borderline"),
    EntryRule("omvolking", "Omvolking", "Great Replacement", "expression", "borderline"),
    EntryRule("allahu-akbar", "Allahu akbar", "Allahu akbar", "expression", "context"),
    EntryRule("c18", "Combat 18", "Combat 18", "codeword", "illegal"),
    EntryRule("ss", "SS", "SS", "acronym", "illegal"),
    EntryRule("kalifaat", "Kalifaat", "Caliphate", "expression", "context"),
    EntryRule("remigratie", "Remigratie", "Remigration", "expression", "borderline"),
    EntryRule("rahowa", "RaHoWa", "RaHoWa", "acronym", "illegal"),
    EntryRule("hoog", "Hoog", "Hoog", "codeword", "context"),
    EntryRule("isis", "IS", "ISIS", "name", "terrorist"),
    EntryRule("old-code", "Oud", "Old", "codeword", "illegal", status="retired"),
]  # fmt: skip
PATTERNS = [
    PatternRule("heil", "heil"),
    PatternRule("sieg-heil", "sieg heil"),
    PatternRule("heil-hitler", "heil hitler"),
    PatternRule("code-1488", "1488", "token"),
    PatternRule("code-1488", "14/88", "token"),
    PatternRule("code-88", "88", "token"),
    PatternRule("black-flag", "🏴", "substring"),
    PatternRule("ok-hand", "👌", "substring"),
    PatternRule("zwarte-zon", "zwarte zon"),
    PatternRule("omvolking", "omvolking", "prefix", fuzzy=True),
    PatternRule("allahu-akbar", "allahu akbar"),
    PatternRule("c18", "c18", "token"),
    PatternRule("ss", "ss"),
    PatternRule("kalifaat", "kalifaat", "prefix"),
    PatternRule("remigratie", "remigratie"),
    PatternRule("rahowa", "rahowa", "substring"),
    PatternRule("hoog", "hoog", "word"),
    PatternRule("isis", "isis"),
    PatternRule("old-code", "oudcode"),
]


@pytest.fixture(scope="module")
def tm() -> TextMatcher:
    return TextMatcher.from_rules(ENTRIES, PATTERNS)


def ids(tm: TextMatcher, text: str, **kw) -> set[str]:
    return {m.entry_id for m in tm.scan(text, **kw)}


def one(tm: TextMatcher, text: str, entry: str, **kw) -> TextMatch:
    found = [m for m in tm.scan(text, **kw) if m.entry_id == entry]
    assert found, f"{entry} not found in {text!r}: {tm.scan(text, include_weak=True)}"
    return found[0]


POSITIVES = [
    # (text, entry, matched, reason or None)
    ("Sieg Heil kameraden!", "sieg-heil", "Sieg Heil", None),
    ("sieg heil to the fatherland", "sieg-heil", "sieg heil", None),
    # 1 case and case folding
    ("SIEG HEIL", "sieg-heil", "SIEG HEIL", "case"),
    ("sIeG hEiL", "sieg-heil", "sIeG hEiL", "case"),
    # 2 compatibility forms
    ("ｓｉｅｇ ｈｅｉｌ", "sieg-heil", "ｓｉｅｇ ｈｅｉｌ", "compatibility-form"),
    ("𝐒𝐢𝐞𝐠 𝐇𝐞𝐢𝐥!", "sieg-heil", "𝐒𝐢𝐞𝐠 𝐇𝐞𝐢𝐥", "compatibility-form"),
    ("ⓢⓘⓔⓖ ⓗⓔⓘⓛ", "sieg-heil", "ⓢⓘⓔⓖ ⓗⓔⓘⓛ", "compatibility-form"),
    ("code ¹⁴⁸⁸", "code-1488", "¹⁴⁸⁸", "compatibility-form"),
    # 3 diacritics
    ("hëil brüder", "heil", "hëil", "diacritics"),
    ("omvölking is echt", "omvolking", "omvölking", "diacritics"),
    # 4 homoglyphs
    ("ѕіеg һеіl", "sieg-heil", "ѕіеg һеіl", "homoglyph"),
    ("ΗΕΙL ΗΙΤLΕR", "heil-hitler", "ΗΕΙL ΗΙΤLΕR", "homoglyph"),
    ("ʀᴇᴍɪɢʀᴀᴛɪᴇ nu", "remigratie", "ʀᴇᴍɪɢʀᴀᴛɪᴇ", "homoglyph"),
    # 5 invisible characters
    ("sie\u200bg he\u200dil", "sieg-heil", "sie\u200bg he\u200dil", "invisible-characters"),
    ("om\u00advolking", "omvolking", "om\u00advolking", "invisible-characters"),
    ("\u202eheil\u202c", "heil", "heil", None),
    ("kali\ufe0ffaat", "kalifaat", "kali\ufe0ffaat", "invisible-characters"),
    ("r\U000e0061ahowa", "rahowa", "r\U000e0061ahowa", "invisible-characters"),
    # 6 leetspeak
    ("s1eg h31l", "sieg-heil", "s1eg h31l", "leetspeak"),
    ("@llahu akb@r", "allahu-akbar", "@llahu akb@r", "leetspeak"),
    ("$ieg heil", "sieg-heil", "$ieg heil", "leetspeak"),
    ("h!tler heil", "heil", "heil", None),
    ("0mv0lk1ng", "omvolking", "0mv0lk1ng", "leetspeak"),
    ("k4l1f44t", "kalifaat", "k4l1f44t", "leetspeak"),
    ("r3m1gr4t13", "remigratie", "r3m1gr4t13", "leetspeak"),
    ("#1488", "code-1488", "1488", None),
    ("c18 crew here", "c18", "c18", None),
    ("C18 forever", "c18", "C18", None),
    # 7 spaced letters
    ("h e i l", "heil", "h e i l", "spaced-letters"),
    ("H.E.I.L", "heil", "H.E.I.L", "spaced-letters"),
    ("h-e-i-l!", "heil", "h-e-i-l", "spaced-letters"),
    ("h_e_i_l", "heil", "h_e_i_l", "spaced-letters"),
    ("s i e g  h e i l", "sieg-heil", "s i e g  h e i l", "spaced-letters"),
    ("h.e.i.l h.i.t.l.e.r", "heil-hitler", "h.e.i.l h.i.t.l.e.r", "spaced-letters"),
    ("1 4 8 8", "code-1488", "1 4 8 8", "spaced-letters"),
    ("S.S.", "ss", "S.S", "spaced-letters"),
    # 8 stretched letters
    ("heeeeeil", "heil", "heeeeeil", "stretched-letters"),
    ("heeil", "heil", "heeil", "stretched-letters"),
    ("siiiieg heiiiil", "sieg-heil", "siiiieg heiiiil", "stretched-letters"),
    ("hooooog", "hoog", "hooooog", "stretched-letters"),
    # 9 separators and run together
    ("sieg\nheil", "sieg-heil", "sieg\nheil", "separators"),
    ("sieg, heil", "sieg-heil", "sieg, heil", "separators"),
    ("zwarte_zon", "zwarte-zon", "zwarte_zon", "separators"),
    ("zwarte-zon tattoo", "zwarte-zon", "zwarte-zon", "separators"),
    ("#ZwarteZon", "zwarte-zon", "ZwarteZon", "run-together"),
    ("#zwartezon #wit", "zwarte-zon", "zwartezon", "run-together"),
    ("#SiegHeil", "sieg-heil", "SiegHeil", "run-together"),
    ("groeten 14/88", "code-1488", "14/88", "separators"),
    ("14-88", "code-1488", "14-88", "separators"),
    ("Allahu\u00a0Akbar", "allahu-akbar", "Allahu\u00a0Akbar", "separators"),
    # 10 emoji
    ("ons symbool 🏴", "black-flag", "🏴", None),
    ("🏴🏴🏴", "black-flag", "🏴", None),
    ("text🏴text", "black-flag", "🏴", None),
    ("bio: 1️⃣4️⃣8️⃣8️⃣", "code-1488", "1️⃣4️⃣8️⃣8️⃣", "keycap-digits"),
    ("wit 👌🏻", "ok-hand", "👌🏻", "emoji-variant"),
    ("wit 👌🏿", "ok-hand", "👌🏿", "emoji-variant"),
    ("wit 👌", "ok-hand", "👌", None),
    # prefix mode: Dutch compounds
    ("de omvolkingstheorie klopt", "omvolking", "omvolking", None),
    ("kalifaatstrijders", "kalifaat", "kalifaat", None),
    # substring mode
    ("xxrahowaxx", "rahowa", "rahowa", None),
]


@pytest.mark.parametrize("text, entry, matched, reason", POSITIVES)
def test_obfuscated_positives(tm, text, entry, matched, reason):
    m = one(tm, text, entry)
    assert m.matched == matched
    assert text[m.start : m.end] == m.matched
    assert not m.weak
    if reason:
        assert reason in m.reasons, m.reasons


NEGATIVES = [
    # (text, entry that must not match)
    ("Een heilige zege voor het team", "heil"),
    ("heilig huisje", "heil"),
    ("Heiligenberg", "heil"),
    ("sieg heilig", "sieg-heil"),  # exception phrase
    ("Het kasteel werd in 1488 door brand verwoest.", "code-1488"),
    ("anno 1488", "code-1488"),
    ("in 1988 was ik 8", "code-88"),
    ("bel 0614881234", "code-1488"),
    ("bel 0614881234 heil", "code-88"),
    ("1988 heil", "code-88"),
    ("heil 88,5 procent", "code-88"),
    ("heil 88.5 procent", "code-88"),
    ("heil 1.88 meter", "code-88"),
    ("heil 14881", "code-1488"),
    ("covid88", "code-88"),  # a glued number counts only when the letters match too
    ("heil88x", "code-88"),
    ("it is is it", "isis"),
    ("this is isolated", "isis"),
    ("de omvolk is", "omvolking"),  # shorter than the pattern
    ("volkingstheorie", "omvolking"),  # prefix must touch a word start
    ("zwarte zonnebril", "zwarte-zon"),  # word mode, not prefix
    ("hog wild", "hoog"),  # the pattern's double letter is required
    ("hug", "hoog"),
    ("🏴\u200d☠️ pirates", "black-flag"),
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland", "black-flag"),
    ("de class was gezellig", "ss"),
    ("amsterdam ss", "code-88"),
    ("c180 part", "c18"),
    ("ac18", "c18"),
    ("is is", "isis"),
    ("oudcode", "old-code"),  # retired
    ("kalif", "kalifaat"),
    ("a1 4 8 8", "code-1488"),
    ("Scunthorpe United", "heil"),
    ("Allah is groot", "allahu-akbar"),
    ("remigration", "remigratie"),
]


@pytest.mark.parametrize("text, entry", NEGATIVES)
def test_benign_negatives(tm, text, entry):
    assert entry not in ids(tm, text, include_weak=True)


def test_glued_word_and_number_both_match(tm):
    """`heil88`: the letter run and the digit run are complete pieces; both match."""
    found = {(m.entry_id, m.matched) for m in tm.scan("sieg heil88!")}
    assert {("heil", "heil"), ("code-88", "88")} <= found
    assert "code-88" not in ids(tm, "heil88a", include_weak=True)


def test_token_mode_numbers(tm):
    assert "code-88" in ids(tm, "heil 88")
    assert "code-88" in ids(tm, "heil 88!")
    assert "code-88" in ids(tm, "heil (88)")
    assert "code-88" in ids(tm, "88 heil")
    assert "code-1488" in ids(tm, "x 1488.", include_weak=True)
    assert "code-1488" in ids(tm, "1488,", include_weak=True)


def test_context_rule_weak_by_default(tm):
    assert "code-88" not in ids(tm, "ik ben 88 jaar")
    weak = one(tm, "ik ben 88 jaar", "code-88", include_weak=True)
    assert weak.weak and "Weak: none of the entry's context terms" in weak.explain()
    assert weak.evidence.status == "no_context"
    assert not one(tm, "skinhead groet 88", "code-88").weak
    assert not one(tm, "88 Sieg Heil", "code-88").weak  # entry id as requirement
    assert not one(tm, "h.e.i.l! 88", "code-88").weak


def test_context_window(tm):
    far = "heil " + "woord " * 10 + "88"
    assert "code-88" not in ids(tm, far)
    near = "heil " + "woord " * 3 + "88"
    assert "code-88" in ids(tm, near)


def test_context_term_is_canonicalised(tm):
    assert "ok-hand" in ids(tm, "WIT 👌")
    assert "ok-hand" not in ids(tm, "👌 top")


def test_exception_only_covers_its_occurrence(tm):
    text = "in 1488 brandde het, en nu weer 1488"
    found = [m for m in tm.scan(text, include_weak=True) if m.entry_id == "code-1488"]
    assert len(found) == 1 and found[0].start == len("in 1488 brandde het, en nu weer ")


def test_overlapping_entries_all_reported(tm):
    got = ids(tm, "Sieg Heil")
    assert {"sieg-heil", "heil"} <= got


def test_one_match_per_occurrence_of_an_entry(tm):
    ms = [m for m in tm.scan("14/88") if m.entry_id == "code-1488"]
    assert len(ms) == 1


def test_fuzzy_per_pattern_and_per_scan(tm):
    m = one(tm, "de omvolkng gaat door", "omvolking")
    assert m.fuzzy and "misspelling" in m.reasons and m.matched == "omvolkng"
    assert "remigratie" not in ids(tm, "remigrtie nu")  # pattern not marked fuzzy
    m = one(tm, "remigrtie nu", "remigratie", fuzzy=True)
    assert m.fuzzy
    assert "remigratie" in ids(tm, "remigartie", fuzzy=True)  # transposition is one edit
    assert "kalifaat" not in ids(tm, "kalifat", fuzzy=False)
    assert "heil" not in ids(tm, "hail", fuzzy=True)  # too short for fuzzy matching


def test_matches_are_sorted_and_spans_exact(tm):
    text = "😂 ＳＩＥＧ  h\u200be\u200bi\u200bl!! 1️⃣4️⃣8️⃣8️⃣ 🏴"
    ms = tm.scan(text)
    assert [m.start for m in ms] == sorted(m.start for m in ms)
    for m in ms:
        assert text[m.start : m.end] == m.matched


def test_text_match_serialises(tm):
    m = one(tm, "S1eg H3il", "sieg-heil")
    d = m.to_dict()
    assert list(d) == [
        "entry_id", "start", "end", "matched", "pattern", "kind", "assessment",
        "title", "title_en", "mode", "weak", "fuzzy", "reasons", "evidence",
    ]  # fmt: skip
    assert d["evidence"]["status"] == "standalone" and d["evidence"]["strict"]
    assert json.loads(json.dumps(d)) == d
    assert d["pattern"] == "sieg heil" and d["mode"] == "word" and d["kind"] == "slogan"
    text = m.explain()
    assert "S1eg H3il" in text and "sieg-heil" in text and "leetspeak" in text


@pytest.mark.parametrize("bad", [None, b"heil", 88, ["heil"]])
def test_non_str_raises_type_error(tm, bad):
    with pytest.raises(TypeError, match="expects str"):
        tm.scan(bad)
    with pytest.raises(TypeError, match="expects str"):
        list(tm.scan_many(["ok", bad]))


def test_scan_many_order_and_workers(tm):
    posts = [f"post {i} " + ("sieg heil" if i % 7 == 0 else "hallo") for i in range(3000)]
    posts[5] = "h\u200beil 🏴"
    expected = [tm.scan(p) for p in posts]
    assert list(tm.scan_many(posts)) == expected
    assert list(tm.scan_many(iter(posts), workers=2)) == expected


def test_scan_many_on_two_processes_honours_fuzzy_and_weak(tm):
    """A matcher built from rules (no database) scans in a helper process as it does here."""
    import multiprocessing

    signs = ["remigrtie nu", "ik ben 88 jaar", "de omvolkng gaat door", "sieg heil", "hallo"]
    posts = [f"post {i} {signs[i % len(signs)]}" for i in range(5000)]
    # five batches of 1,024 posts: the helper gets the first two, this process scans the last
    # three while the helper finishes
    expected = [tm.scan(p, include_weak=True, fuzzy=True) for p in posts]
    assert expected[:2048] != [tm.scan(p) for p in posts[:2048]]  # fuzzy and weak matches
    got = tm.scan_many(iter(posts), workers=2, include_weak=True, fuzzy=True)
    first = next(got)
    assert multiprocessing.active_children()  # the helper
    assert [first, *got] == expected


def test_pickle_round_trip(tm):
    clone = pickle.loads(pickle.dumps(tm))
    assert clone.scan("s1eg h e i l 1488") == tm.scan("s1eg h e i l 1488")


def test_empty_matcher_and_empty_text():
    empty = TextMatcher.from_rules([], [])
    assert empty.scan("heil") == []
    assert list(empty.scan_many(["", "x"])) == [[], []]


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match="unknown match"):
        TextMatcher.from_rules([EntryRule("x")], [PatternRule("x", "abc", "regex")])


def test_from_db(tmp_path):
    db = tmp_path / "kb.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        """
        create table entries (id text primary key, title, title_en, kind, assessment, status,
            context_requires_any, context_window, exceptions);
        create table patterns (id integer primary key, entry_id, text, is_emoji, match, lang,
            note, fuzzy);
        create table images (id integer primary key, entry_id);
        """
    )
    conn.execute(
        "insert into entries values ('code-88','88','88','number','context','active',?,5,'[]')",
        (json.dumps(["heil"]),),
    )
    conn.execute(
        "insert into entries values ('hh','HH','HH','acronym','illegal','retired',null,null,'[]')"
    )
    conn.execute("insert into patterns values (1,'code-88','88',0,'token',null,null,0)")
    conn.execute("insert into patterns values (2,'hh','hh',0,'word',null,null,0)")
    conn.commit()
    conn.close()
    tm = TextMatcher.from_db(db)
    assert [m.entry_id for m in tm.scan("heil 88 hh")] == ["code-88"]
    assert tm.scan("88")[0:] == []


def test_batches_are_bounded_by_posts_and_characters(tm):
    from matchers.text.batch import chunks

    texts = ["a" * 300, "b", "c" * 200, "d", "e"]
    assert list(chunks(texts, 3, 400)) == [["a" * 300, "b"], ["c" * 200, "d", "e"]]
    assert list(chunks(texts, 2, None)) == [texts[:2], texts[2:4], texts[4:]]
    assert list(chunks(["x" * 1000, "y"], 10, 100)) == [["x" * 1000], ["y"]]  # never empty
    long_posts = ["heil " * 40_000, "sieg heil", "x" * 300_000, "14 words 88"]
    assert list(tm.scan_many(long_posts)) == [tm.scan(p) for p in long_posts]


def test_a_single_string_is_no_stream_of_posts(db_path):
    from matchers.parallel import Scanner

    tm = TextMatcher.from_rules(
        [EntryRule("sieg-heil", kind="slogan")], [PatternRule("sieg-heil", "sieg heil")]
    )
    for workers in (None, 2):
        with pytest.raises(TypeError, match="use scan\\(\\) for a single text"):
            tm.scan_many("sieg heil", workers=workers)
    with Scanner(db_path, workers=1) as scanner:
        with pytest.raises(TypeError, match="iterable of texts"):
            scanner.scan("sieg heil")
        with pytest.raises(TypeError, match="iterable of paths"):
            scanner.scan_images("upload.png")


def test_long_random_tokens_are_not_cached():
    """Tokens that are random strings, not words, would hold kilobytes each in the caches of
    alternative readings and batch leetspeak, and never come again."""
    import random
    import string

    from matchers.canon import batch_leet

    tm = TextMatcher.from_rules(
        [EntryRule("code", kind="number")], [PatternRule("code", "heil 1488")]
    )
    rng = random.Random(3)
    for _ in range(3):
        tm.scan("".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(20_000)))
    assert all(len(tok) <= 256 for tok, _reading in tm._index.token_cache)
    assert all(len(cls) <= 256 for _canon, cls in batch_leet._UNLEET_CACHE)
    assert tm.scan("heil1488")  # short tokens are still read (and cached) as before
    assert ("heil1488", "split") in tm._index.token_cache
    assert tm._index.token_cache_chars == sum(len(t) for t, _r in tm._index.token_cache)
