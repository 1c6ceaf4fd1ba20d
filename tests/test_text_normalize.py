"""The canonical form of text (matchers.canon), class by class, and its map to the original."""

from __future__ import annotations

import pytest

from matchers import canon as nz


def canon(text: str, codes: dict[str, str] | None = None) -> str:
    return nz.canonicalize(text, codes).k.strip(" ")


def batch_canon(text: str) -> str | None:
    """The fast path's canonical form, or None when the post goes to the reference path."""
    b = nz.canonicalize_batch([text])
    if b.slow[0]:
        return None
    return b.k.strip(" ")


@pytest.mark.parametrize(
    "text, expected",
    [
        # 1 case and Unicode case folding
        ("HEIL", "heil"),
        ("Straße", "strase"),  # ß -> ss, then squeezed (run 2)
        ("ǅemal", "dzemal"),
        # 2 compatibility forms
        ("ｈｅｉｌ", "heil"),
        ("𝐡𝐞𝐢𝐥", "heil"),
        ("𝔥𝔢𝔦𝔩", "heil"),
        ("ⓗⓔⓘⓛ", "heil"),
        ("¹⁴⁸⁸", "1488"),
        ("ﬁne", "fine"),
        # 3 diacritics, composed and decomposed
        ("hëil", "heil"),
        ("he\u0308il", "heil"),
        ("één café", "en cafe"),
        # 4 homoglyphs
        ("hеіl", "heil"),  # Cyrillic е, і
        ("НЕІL", "heil"),  # Cyrillic capitals
        ("ΗΕΙL", "heil"),  # Greek capitals
        ("ʜᴇɪʟ", "heil"),  # small capitals
        # 5 invisible characters
        ("h\u200be\u200ci\u200dl", "heil"),
        ("h\u00adeil", "heil"),
        ("h\u202eeil\u202c", "heil"),
        ("he\ufe0fil", "heil"),
        ("h\U000e0041eil", "heil"),
        ("he\u2060il", "heil"),
        # 6 leetspeak inside words; numbers stay numbers
        ("h31l", "heil"),
        ("$13g", "sieg"),
        ("@llahu", "alahu"),
        ("h!tler!", "hitler"),
        ("0mv0lk1ng", "omvolking"),
        ("1488", "1488"),
        ("88", "88"),
        ("c18", "c18"),
        ("h8", "h8"),
        ("14words", "14words"),
        ("heil88", "heil88"),
        ("$100", "100"),
        # 7 spaced letters
        ("h e i l", "heil"),
        ("h.e.i.l", "heil"),
        ("h-e-i-l", "heil"),
        ("h_e_i_l", "heil"),
        ("h 3 i l", "heil"),
        ("1 4 8 8", "1488"),
        ("is is", "is is"),
        ("h e i l  h i t l e r", "heil hitler"),
        ("h.e.i.l h.i.t.l.e.r", "heil hitler"),
        ("u.s a", "u s a"),
        ("8 8", "8 8"),  # two digits are not enough evidence
        # 8 stretched letters (run lengths kept separately)
        ("heeeeil", "heil"),
        ("HEEIL", "heil"),
        # 9 separators
        ("zwarte_zon", "zwarte zon"),
        ("#ZwarteZon", "zwartezon"),
        ("zwarte\n\n  zon", "zwarte zon"),
        ("don't", "dont"),
        ("88,5", "88,5"),
        ("88.5", "88.5"),
        ("88. Next", "88 next"),
        # 10 emoji: keycaps are digits, other emoji are separators unless a pattern uses them
        ("1️⃣4️⃣8️⃣8️⃣", "1488"),
        ("1⃣4⃣", "14"),
        ("heil😂heil", "heil heil"),
    ],
)
def test_canonical_form(text, expected):
    assert canon(text) == expected


@pytest.mark.parametrize(
    "text, key",
    [
        ("🏴", "🏴"),
        ("👌🏿", "👌"),
        ("👌🏻", "👌"),
        ("❤️", "❤"),
        ("❤", "❤"),
        ("🏴\u200d☠️", "🏴\u200d☠"),
    ],
)
def test_emoji_identity_drops_variation_and_skin_tone(text, key):
    units = nz.segment(text)
    assert len(units) == 1 and units[0][2] == nz.U_EMOJI
    assert nz.emoji_key(text) == key


def test_emoji_sequences_are_whole_units():
    codes = {"🏴": "\ue100"}
    assert canon("🏴", codes) == "\ue100"
    assert canon("🏴\u200d☠️", codes) == ""  # pirate flag is another emoji
    assert canon("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", codes) == ""
    assert canon("x🏴y", codes) == "x \ue100 y"


def test_offsets_point_into_the_original():
    text = "Ｈ\u200bëëil!"
    c = nz.canonicalize(text)
    assert c.k == " heil "
    assert (c.start[1], c.end[4]) == (0, len(text) - 1)
    assert c.run[2] == 2  # the two ë
    assert text[c.start[2] : c.end[2]] == "ëë"


def test_reason_bits_from_original_slice():
    assert nz.slice_reasons("HEIL") & nz.CASE
    assert not nz.slice_reasons("Heil") & nz.CASE
    assert nz.slice_reasons("hëil") & nz.DIACRITIC
    assert nz.slice_reasons("hеil") & nz.HOMOGLYPH
    assert nz.slice_reasons("h\u200beil") & nz.INVISIBLE
    assert nz.slice_reasons("ｈeil") & nz.COMPAT


@pytest.mark.parametrize(
    "text",
    [
        "Sieg Heil kameraden!",
        "s1eg h.e.i.l 1488",
        "i'm at 88,5 and 1st u.s.a",
        "a i o h e i l $ 8 4",
        "heil😂🏻 👍 © 🤷\u200d♀️x🇳🇱🇳",
        "@user $ieg heil!!! h!!tler 14words heil88",
        "\u200bheil h\u200be\u200bi\u200bl don\u200b't 8\u200b.\u200b5 h \u00ad e \u2800i l",
    ],
)
def test_fast_path_equals_reference(text):
    fast = batch_canon(text)
    if fast is not None:
        assert fast == canon(text)


@pytest.mark.parametrize(
    "text",
    ["ß", "🏴\U000e0067\U000e007f", "™", "1️⃣", "中文", "a\ufe0f", "a\u200db", "8\u200b\ufe0f"],
)
def test_rare_characters_use_the_reference_path(text):
    assert batch_canon(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "h\u200be\u200bi\u200bl",
        "don\u200b't",
        "3\u200b1\u200b9\u200b3",
        "8\u200b.\u200b5",
        "h\u200b3\u200bi\u200bl",
        "x \u2800i",
        "a \u200b\u200bb",
    ],
)
def test_invisible_characters_beside_plain_characters_stay_on_the_fast_path(text):
    assert batch_canon(text) == canon(text)


@pytest.mark.parametrize(
    "text",
    [
        "g. r. o",
        "A. c and I, i",
        "h. e. i. l",
        "h.e. i.l",  # mixed gaps: the one used most links, the other splits
        "i. i",
        "1, 4 w. o. r. t",
        "a. b.c",
        "a.\u200b b",
        "a;\u00a0b",  # a no-break space after the punctuation is no link
        "x\u2009 y. z",
        "e. g. the u. s. a.",
    ],
)
def test_one_letter_tokens_apart_by_punctuation_and_a_space_stay_on_the_fast_path(text):
    c = nz.canonicalize(text)
    b = nz.canonicalize_batch([text])
    assert not b.slow[0]
    base = int(b.post_base[0])
    assert b.k.rstrip("\x01") == c.k
    inner = slice(1, len(c.k) - 1)  # the frame spaces stand outside the post
    assert (b.starts - base).tolist()[inner] == c.start[inner]
    assert (b.ends - base).tolist()[inner] == c.end[inner]
    assert b.run.tolist() == c.run and b.bits.tolist() == c.bits


def test_a_pattern_emoji_with_modifiers_in_a_zwj_sequence_is_another_emoji():
    codes = {"🏴": "\ue100"}
    text = "🏴\ufe0f\u200d😂"
    assert canon(text, codes) == ""
    b = nz.canonicalize_batch([text], nz.fast_tables(codes))
    assert b.slow[0]  # only the reference path knows the whole sequence


# One post per reason in nz.SLOW_REASONS that the batch path sends slow for that reason alone
# (text, pattern emoji codes).
SLOW_EXAMPLES = {
    "unmapped": ("Straße", None),
    "invisible-next-to-emoji": ("heil😂\u200b", None),
    "lone-joiner": ("a\u200db", None),
    "modified-pattern-emoji-sequence": ("🏴\ufe0f\u200d😂", {"🏴": "\ue100"}),
    "stray-modifier": ("a\ufe0f", None),
    "pattern-emoji-touches-text": ("x🏴", {"🏴": "\ue100"}),
    "nul": ("sieg\x00heil", None),
}


def test_every_slow_reason_has_an_example():
    assert set(SLOW_EXAMPLES) == set(nz.SLOW_REASONS)
    assert all(nz.SLOW_REASONS.values())  # each says when it applies


@pytest.mark.parametrize("reason", sorted(SLOW_EXAMPLES))
def test_every_slow_reason_is_reachable(reason):
    text, codes = SLOW_EXAMPLES[reason]
    b = nz.canonicalize_batch(["Sieg Heil 88", text, "h.e.i.l"], nz.fast_tables(codes or {}))
    assert b.slow.tolist() == [False, True, False]
    assert b.slow_reasons == {r: int(r == reason) for r in nz.SLOW_REASONS}


def test_plain_posts_stay_on_the_batch_path():
    b = nz.canonicalize_batch(["Sieg Heil 88", "h.e.i.l h!tler", "don't 88,5 😂 👍🏻"])
    assert not b.slow.any()
    assert not any(b.slow_reasons.values())
