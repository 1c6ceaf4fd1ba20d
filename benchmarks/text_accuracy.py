"""Accuracy of text matching per obfuscation class, on the shipped knowledge base.

    python benchmarks/text_accuracy.py [--data data] [--variants 3] [--failures 10] [--seed N]

Builds ``data/`` into a temporary database (dropping entry files that keep it from building, and
saying so), loads ``matchers.TextMatcher`` from it and, for every text and emoji pattern of an
active entry, generates obfuscated variants per class: 1 case and case folding, 2 compatibility
forms (NFKC), 3 diacritics, 4 homoglyphs, 5 invisible characters, 6 leetspeak, 7 spaced/dotted
letters, 8 stretched letters, 9 multi-word across punctuation and run together, 10 emoji
presentation, skin tones and keycaps, 11 one-edit misspellings (scanned with ``fuzzy=True``,
reported separately because it is optional). Each variant is put in a Dutch or English carrier
post; when the entry has a ``context`` rule one of its plain ``requires_any`` terms (or a match
example of a required entry) is added next to it. A carrier is used only if, without the variant,
it does not produce the entry (control).

A positive is *found* when a non-weak match of the entry appears; its *span* is correct when
``text[start:end]`` is exactly the inserted occurrence, punctuation and spaces at its edges
allowed to be left out. Negatives: the entries' ``no_match`` examples, benign Dutch and English
prose (``symbolenbank.corpus``), and generated hard negatives: pattern letters inside longer
ordinary words, number codes inside larger numbers, phone numbers, decimals, dates and prices,
patterns split into two ordinary words (``is is``). Hard negatives carry the entry's context term
so that they test boundaries rather than the context rule. Fixed seed; benchmarks never gate tests.

One file of about 1,000 lines on purpose: a benchmark script that runs on its own, its variant
generators per class side by side with the report they feed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matchers  # noqa: E402

SEED = 20261125

CLASSES = {
    1: "case / casefold",
    2: "compatibility (NFKC)",
    3: "diacritics",
    4: "homoglyphs",
    5: "invisible chars",
    6: "leetspeak",
    7: "spaced/dotted letters",
    8: "stretched letters",
    9: "multi-word / run-together",
    10: "emoji / keycaps",
    11: "one-edit misspelling (fuzzy=True)",
}

CARRIERS = [
    "Zag je dat bericht gisteren? {x} stond er gewoon onder.",
    "Iemand had {x} op de muur bij het station geschreven",
    "haha weer {x} in de comments, wanneer grijpt de moderatie in",
    "Ik snap niet waarom mensen '{x}' blijven posten",
    "{x} stond vanochtend in de groepschat van de klas.",
    "Check this thread, someone wrote {x} under every single post.",
    "lol {x} again, mods please",
    "My cousin shared a meme that just said {x} and nothing else",
    'Reported the account for posting "{x}" twice today.',
    "{x} was sprayed on the bus shelter near our school.",
]

# --- character tables -------------------------------------------------------------------------

CYRILLIC = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ",
    "j": "ј", "h": "һ", "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О",
    "P": "Р", "C": "С", "T": "Т", "X": "Х",
}  # fmt: skip
GREEK = {
    "o": "ο", "v": "ν", "a": "α", "p": "ρ", "u": "υ", "i": "ι", "y": "γ", "A": "Α", "B": "Β",
    "E": "Ε", "Z": "Ζ", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ",
    "T": "Τ", "Y": "Υ", "X": "Χ",
}  # fmt: skip
DIACRITICS = {
    "a": "áàâäåã", "e": "éèêë", "i": "íìîï", "o": "óòôöõ", "u": "úùûü", "n": "ñ", "c": "ç",
    "y": "ýÿ", "s": "š", "z": "ž",
}  # fmt: skip
LEET_DIGIT = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LEET_SYMBOL = {"a": "@", "s": "$", "i": "!"}
INVISIBLE = {
    "ZWSP": "\u200b",
    "ZWNJ": "\u200c",
    "ZWJ": "\u200d",
    "SHY": "\u00ad",
    "WJ": "\u2060",
    "LRM": "\u200e",
    "RLM": "\u200f",
    "LRI..PDI": "\u2066\u2069",
}
SKIN_TONES = ["\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
VS16 = "\ufe0f"
KEYCAP = "\u20e3"


def _styled(base_upper: int, base_lower: int, base_digit: int | None, holes: dict[str, str]):
    def conv(ch: str) -> str:
        if ch in holes:
            return holes[ch]
        if "A" <= ch <= "Z":
            return chr(base_upper + ord(ch) - 65)
        if "a" <= ch <= "z":
            return chr(base_lower + ord(ch) - 97)
        if base_digit is not None and "0" <= ch <= "9":
            return chr(base_digit + ord(ch) - 48)
        return ch

    return conv


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch


def _circled(ch: str) -> str:
    if "A" <= ch <= "Z":
        return chr(0x24B6 + ord(ch) - 65)
    if "a" <= ch <= "z":
        return chr(0x24D0 + ord(ch) - 97)
    if "1" <= ch <= "9":
        return chr(0x2460 + ord(ch) - 49)
    return "\u24ea" if ch == "0" else ch


def _superscripts() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0x80, 0x1E000):
        dec = unicodedata.decomposition(chr(cp))
        if dec.startswith("<super> "):
            parts = dec.split()[1:]
            if len(parts) == 1:
                target = chr(int(parts[0], 16))
                if target.isascii() and target.isalnum() and target not in table:
                    table[target] = chr(cp)
    return table


SUPER = _superscripts()
NFKC_STYLES: dict[str, Callable[[str], str]] = {
    "fullwidth": _fullwidth,
    "math bold": _styled(0x1D400, 0x1D41A, 0x1D7CE, {}),
    "math italic": _styled(0x1D434, 0x1D44E, None, {"h": "\u210e"}),
    "double-struck": _styled(
        0x1D538,
        0x1D552,
        0x1D7D8,
        {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"},
    ),
    "circled": _circled,
}

# --- patterns and entries -----------------------------------------------------------------------


@dataclass
class Pattern:
    entry_id: str
    text: str
    is_emoji: bool
    mode: str
    fuzzy: bool


@dataclass
class Entry:
    id: str
    requires_any: list[str]
    window: int | None
    match_examples: list[str] = field(default_factory=list)
    no_match_examples: list[str] = field(default_factory=list)


def build_db(data: Path, tmp: Path) -> tuple[Path, list[str]]:
    """Build `data` into tmp/kb.db; on problems drop the failing entry files and retry."""
    from symbolenbank.build import BuildError, build_database

    dropped: list[str] = []
    source = data
    for _ in range(50):
        try:
            build_database(source, tmp / "kb.db", check_examples=False)
            return tmp / "kb.db", dropped
        except BuildError as exc:
            if source == data:
                source = tmp / "data"
                shutil.copytree(data, source)
            names = {Path(str(getattr(pr, "path", ""))).name for pr in exc.problems}
            bad = {path for path in (source / "entries").glob("*.yaml") if path.name in names}
            if not bad:
                raise
            for path in sorted(bad):
                dropped.append(path.name)
                path.unlink()
    raise RuntimeError("could not build the data")


def load_kb(db: Path) -> tuple[list[Pattern], dict[str, Entry]]:
    con = sqlite3.connect(db)
    entries: dict[str, Entry] = {}
    for eid, req, window in con.execute(
        "select id, context_requires_any, context_window from entries where status = 'active'"
    ):
        entries[eid] = Entry(eid, json.loads(req) if req else [], window)
    for eid, text, expect in con.execute("select entry_id, text, expect from examples"):
        if eid in entries:
            target = entries[eid].match_examples if expect == "match" else None
            (target if target is not None else entries[eid].no_match_examples).append(text)
    patterns = [
        Pattern(eid, text, bool(is_emoji), mode, bool(fuzzy))
        for eid, text, is_emoji, mode, fuzzy in con.execute(
            "select p.entry_id, p.text, p.is_emoji, p.match, p.fuzzy from patterns p "
            "join entries e on e.id = p.entry_id where e.status = 'active' order by p.id"
        )
    ]
    con.close()
    return patterns, entries


# --- variant generators: pattern text -> list of (label, variant) ----------------------------

Variants = list[tuple[str, str]]


def _letters(s: str) -> list[int]:
    return [i for i, c in enumerate(s) if c.isascii() and c.isalpha()]


def _has_letters(p: Pattern) -> bool:
    return not p.is_emoji and len(_letters(p.text)) >= 2


def _latin_only(p: Pattern) -> bool:
    return not p.is_emoji and all(c.isascii() or not c.isalpha() for c in p.text)


def gen_case(p: Pattern, rng: random.Random) -> Variants:
    if p.is_emoji or not any(c.isalpha() for c in p.text):
        return []
    t = p.text
    out = [("upper", t.upper()), ("title", t.title())]
    alt = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(t))
    out.append(("alternating", alt))
    if "ss" in t:
        out.append(("ss->ß", t.replace("ss", "ß", 1)))
    if "ß" in t:
        out.append(("ß->SS", t.replace("ß", "SS").upper()))
        out.append(("ß->ss", t.replace("ß", "ss")))
    if "ü" in t or "ö" in t or "ä" in t:
        out.append(("umlaut upper", t.upper()))
    return out


def gen_nfkc(p: Pattern, rng: random.Random) -> Variants:
    if p.is_emoji or not any(c.isascii() and c.isalnum() for c in p.text):
        return []
    out = []
    for name, conv in NFKC_STYLES.items():
        src = p.text if name != "math bold" else p.text.title()
        out.append((name, "".join(conv(c) for c in src)))
    if all(c in SUPER or not (c.isascii() and c.isalnum()) for c in p.text):
        out.append(("superscript", "".join(SUPER.get(c, c) for c in p.text)))
    return out


def gen_diacritics(p: Pattern, rng: random.Random) -> Variants:
    if not _has_letters(p):
        return []
    t = p.text
    out = []
    idx = [i for i in _letters(t) if t[i].lower() in DIACRITICS]
    if idx:
        i = rng.choice(idx)
        out.append(("one accent", t[:i] + rng.choice(DIACRITICS[t[i].lower()]) + t[i + 1 :]))
        many = "".join(
            rng.choice(DIACRITICS[c]) if c in DIACRITICS and rng.random() < 0.6 else c for c in t
        )
        out.append(("many accents", many))
        j = rng.choice(_letters(t))
        out.append(("combining mark", t[: j + 1] + "\u0308" + t[j + 1 :]))
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn"
    )
    if stripped != t:
        out.append(("accents removed", stripped))
    if t != unicodedata.normalize("NFD", t):
        out.append(("decomposed (NFD)", unicodedata.normalize("NFD", t)))
    return out


def gen_homoglyphs(p: Pattern, rng: random.Random) -> Variants:
    if not _has_letters(p) or not _latin_only(p):
        return []
    t = p.text
    out = []
    for name, table in (("cyrillic", CYRILLIC), ("greek", GREEK)):
        idx = [i for i, c in enumerate(t) if c in table]
        if idx:
            i = rng.choice(idx)
            out.append((f"{name} one", t[:i] + table[t[i]] + t[i + 1 :]))
            out.append((f"{name} all", "".join(table.get(c, c) for c in t)))
        up = t.upper()
        if any(c in table for c in up):
            out.append((f"{name} upper", "".join(table.get(c, c) for c in up)))
    return out


def _interior(t: str) -> list[int]:
    """Positions i such that t[i-1] and t[i] are both letters or digits (inside a word)."""
    return [i for i in range(1, len(t)) if t[i - 1].isalnum() and t[i].isalnum()]


def gen_invisible(p: Pattern, rng: random.Random) -> Variants:
    if p.is_emoji:
        return []
    t = p.text
    pos = _interior(t)
    if not pos:
        return []
    out = []
    for name, ch in INVISIBLE.items():
        i = rng.choice(pos)
        out.append((name, t[:i] + ch + t[i:]))
    every = "".join(c + ("\u200b" if i + 1 in pos else "") for i, c in enumerate(t))
    out.append(("ZWSP between all letters", every))
    return out


def _words(t: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, c in enumerate(t + " "):
        if c.isalnum() and start is None:
            start = i
        elif not c.isalnum() and start is not None:
            spans.append((start, i))
            start = None
    return spans


def gen_leet(p: Pattern, rng: random.Random) -> Variants:
    if not _has_letters(p):
        return []
    t = p.text
    cand: list[tuple[int, str, bool]] = []  # position, replacement, is_symbol
    for a, b in _words(t):
        if b - a < 3:
            continue
        for i in range(a, b):
            c = t[i]
            if c in LEET_DIGIT:
                cand.append((i, LEET_DIGIT[c], False))
            if c in LEET_SYMBOL and a < i < b - 1:
                cand.append((i, LEET_SYMBOL[c], True))
    if not cand:
        return []

    def apply(subs: list[tuple[int, str, bool]]) -> str | None:
        chars = list(t)
        for i, r, _ in subs:
            chars[i] = r
        s = "".join(chars)
        for a, b in _words(t):
            if b - a >= 3 and not any(c.isalpha() for c in s[a:b]):
                return None  # a word turned into a bare number: not leetspeak any more
        return s

    out = []
    digits = [c for c in cand if not c[2]]
    symbols = [c for c in cand if c[2]]
    if digits:
        v = apply([rng.choice(digits)])
        if v:
            out.append(("one digit", v))
        seen: dict[int, tuple[int, str, bool]] = {}
        for c in digits:
            seen.setdefault(c[0], c)
        v = apply(list(seen.values()))
        if v and v not in (x for _, x in out):
            out.append(("all digits", v))
        elif len(seen) > 1:
            keep = list(seen.values())[:-1]
            v = apply(keep)
            if v:
                out.append(("most digits", v))
    if symbols:
        v = apply([rng.choice(symbols)])
        if v:
            out.append(("symbol", v))
        mix = {c[0]: c for c in digits}
        for c in symbols:
            mix[c[0]] = c
        v = apply(list(mix.values()))
        if v and v not in (x for _, x in out):
            out.append(("digits and symbols", v))
    return out


def _spread(t: str, sep: str, word_sep: str) -> str:
    out = []
    for i, c in enumerate(t):
        out.append(c)
        if i + 1 < len(t):
            if c.isalnum() and t[i + 1].isalnum():
                out.append(sep)
            elif c.isspace():
                out[-1] = word_sep
    return "".join(out)


def gen_spaced(p: Pattern, rng: random.Random) -> Variants:
    if not _has_letters(p):
        return []
    t = p.text
    out = [
        ("spaced", _spread(t, " ", "   ")),
        ("dotted", _spread(t, ".", " ")),
        ("dashed", _spread(t, "-", " ")),
        ("dotted, trailing dot", _spread(t, ".", " ") + "."),
        ("dot-space", _spread(t, ". ", "  ")),
    ]
    if " " in t:
        out.append(("all letters single-spaced", _spread(t.replace(" ", ""), " ", " ")))
    return out


def gen_stretched(p: Pattern, rng: random.Random) -> Variants:
    if not _has_letters(p):
        return []
    t = p.text
    idx = _letters(t)
    vowels = [i for i in idx if t[i] in "aeiou"] or idx
    out = []
    i = rng.choice(vowels)
    out.append(("one vowel x4", t[:i] + t[i] * 4 + t[i + 1 :]))
    j = idx[-1]
    out.append(("last letter x6", t[: j + 1] + t[j] * 5 + t[j + 1 :]))
    k = rng.choice(idx)
    s = t[:k] + t[k] * 3 + t[k + 1 :]
    m = rng.choice([x for x in idx if x != k] or [k])
    m2 = m + (2 if m > k else 0)
    out.append(("two letters", s[:m2] + s[m2] * 3 + s[m2 + 1 :]))
    return out


def _split_words(t: str) -> list[str]:
    return [w for w in t.replace("-", " ").split() if w]


def gen_multiword(p: Pattern, rng: random.Random) -> Variants:
    if p.is_emoji:
        return []
    ws = _split_words(p.text)
    if len(ws) < 2:
        return []
    al = [w for w in "".join(c if c.isalnum() else " " for c in p.text).split()]
    out = [
        ("comma", ", ".join(ws)),
        ("full stop + newline", ".\n".join(ws)),
        ("line break", "\n".join(ws)),
        ("slash", " / ".join(ws)),
        ("tab and spaces", " \t  ".join(ws)),
        ("ellipsis", "…".join(ws)),
        ("hyphen", "-".join(ws)),
        ("snake_case", "_".join(ws)),
        ("#CamelCase hashtag", "#" + "".join(w[:1].upper() + w[1:] for w in al)),
        ("CamelCase", "".join(w[:1].upper() + w[1:] for w in al)),
        ("#lowercase hashtag", "#" + "".join(al)),
        ("run together", "".join(al)),
    ]
    return out


def _is_modifier_base(ch: str) -> bool:
    import emoji

    return ch + SKIN_TONES[2] in emoji.EMOJI_DATA


def gen_emoji(p: Pattern, rng: random.Random) -> Variants:
    out: Variants = []
    t = p.text
    if p.is_emoji:
        bare = t.replace(VS16, "")
        if bare != t:
            out.append(("without VS16", bare))
        with_vs = "".join(
            c + (VS16 if ord(c) > 0x2000 and c not in (VS16, "\u200d") and not 0x1F3FB <= ord(c)
                 <= 0x1F3FF and (i + 1 == len(bare) or bare[i + 1] != VS16) else "")
            for i, c in enumerate(bare)
        )  # fmt: skip
        if with_vs != t:
            out.append(("VS16 after each emoji", with_vs))
        base = t[0]
        if _is_modifier_base(base):
            for tone in rng.sample(SKIN_TONES, 3):
                rest = t[1:]
                out.append((f"skin tone U+{ord(tone):X}", base + tone + rest.lstrip(VS16)))
        return out
    if p.mode == "token" and t.isdigit():
        out.append(("keycap with VS16", "".join(d + VS16 + KEYCAP for d in t)))
        out.append(("keycap without VS16", "".join(d + KEYCAP for d in t)))
    return out


def gen_fuzzy(p: Pattern, rng: random.Random) -> Variants:
    t = p.text
    idx = _letters(t)
    if p.is_emoji or len(idx) < 6:
        return []
    letters = "abcdefghijklmnopqrstuvwxyz"
    inner = idx[1:-1]
    i = rng.choice(inner)
    out = [("deletion", t[:i] + t[i + 1 :])]
    j = rng.choice(inner)
    sub = rng.choice([c for c in letters if c != t[j]])
    out.append(("substitution", t[:j] + sub + t[j + 1 :]))
    k = rng.choice(inner)
    out.append(("insertion", t[:k] + rng.choice(letters) + t[k:]))
    return out


GENERATORS: dict[int, Callable[[Pattern, random.Random], Variants]] = {
    1: gen_case,
    2: gen_nfkc,
    3: gen_diacritics,
    4: gen_homoglyphs,
    5: gen_invisible,
    6: gen_leet,
    7: gen_spaced,
    8: gen_stretched,
    9: gen_multiword,
    10: gen_emoji,
    11: gen_fuzzy,
}

# --- evaluation ---------------------------------------------------------------------------------


def _strip_ok(s: str) -> bool:
    return all(unicodedata.category(c)[0] in "PZ" or c in "\n\t" for c in s)


def span_ok(text: str, vs: int, ve: int, start: int, end: int) -> bool:
    return vs <= start < end <= ve and _strip_ok(text[vs:start]) and _strip_ok(text[end:ve])


@dataclass
class Case:
    cls: int
    label: str
    pattern: Pattern
    variant: str
    text: str
    vs: int
    ve: int


@dataclass
class Result:
    case: Case
    found: bool
    span: bool
    got: list[tuple[str, str, bool]]


class Contexts:
    """Pick a context addition for an entry, checked by a control scan."""

    def __init__(self, tm: matchers.TextMatcher, entries: dict[str, Entry], rng: random.Random):
        self.tm, self.entries, self.rng = tm, entries, rng
        self.patterns: dict[str, list[str]] = defaultdict(list)
        self.control_cache: dict[tuple[str, str], bool] = {}

    def dep_text(self, dep: str) -> str | None:
        """Shortest pattern (else example) of entry `dep` that gives a non-weak match of it."""
        cands = sorted(self.patterns.get(dep, []), key=len) + self.entries[dep].match_examples
        for text in cands:
            if any(m.entry_id == dep and not m.weak for m in self.tm.scan(text)):
                return text
        return None

    def options(self, entry: Entry) -> list[str]:
        """Context additions; alphanumeric terms first (see `check_terms` for the others)."""
        if not entry.requires_any:
            return [""]
        plain = [t for t in entry.requires_any if t not in self.entries]
        alnum = [t for t in plain if any(c.isalnum() for c in t)]
        opts = alnum or plain
        for d in (t for t in entry.requires_any if t in self.entries):
            text = self.dep_text(d)
            if text:
                opts.append(text)
        return opts or [""]

    def check_terms(self) -> list[tuple[str, str, str]]:
        """(entry, term, text) for context terms that do not lift a plain match out of weak."""
        bad = []
        for e in self.entries.values():
            pats = [p for p in self.patterns.get(e.id, []) if p.strip()]
            if not e.requires_any or not pats:
                continue
            pat = min(pats, key=len)
            for term in e.requires_any:
                add = self.dep_text(term) if term in self.entries else term
                if add is None:
                    bad.append((e.id, term, "(required entry has no pattern that matches)"))
                    continue
                ok = False
                for text in (f"{pat} {add}", f"{add} {pat}"):
                    ms = self.tm.scan(text, include_weak=True)
                    if any(m.entry_id == e.id and not m.weak for m in ms):
                        ok = True
                if not ok and any(m.entry_id == e.id for m in self.tm.scan(f"{pat} {add}", True)):
                    bad.append((e.id, term, f"{pat} {add}"))
        return bad

    def control(self, entry_id: str, text: str) -> bool:
        key = (entry_id, text)
        if key not in self.control_cache:
            hit = any(m.entry_id == entry_id for m in self.tm.scan(text))
            self.control_cache[key] = not hit
        return self.control_cache[key]


def embed(variant: str, ctx: str, carrier: str, rng: random.Random) -> tuple[str, int, int, str]:
    """Return (text, start, end, control_text) with the variant at text[start:end]."""
    before, after = carrier.split("{x}")
    if ctx:  # a filler word keeps the context term from extending the pattern
        if rng.random() < 0.5:
            before = before + ctx + " en "
        else:
            after = " and " + ctx + " " + after.lstrip()
    text = before + variant + after
    return text, len(before), len(before) + len(variant), before + after


def make_cases(
    patterns: list[Pattern],
    contexts: Contexts,
    rng: random.Random,
    per_class: int,
) -> tuple[list[Case], Counter]:
    cases: list[Case] = []
    skipped: Counter = Counter()
    for p in patterns:
        entry = contexts.entries[p.entry_id]
        opts = contexts.options(entry)
        for cls, gen in GENERATORS.items():
            variants = gen(p, rng)
            if len(variants) > per_class:
                variants = rng.sample(variants, per_class)
            for label, variant in variants:
                for _ in range(6):
                    carrier = rng.choice(CARRIERS)
                    ctx = rng.choice(opts)
                    text, vs, ve, control = embed(variant, ctx, carrier, rng)
                    if contexts.control(p.entry_id, control):
                        cases.append(Case(cls, label, p, variant, text, vs, ve))
                        break
                else:
                    skipped[cls] += 1
    return cases, skipped


def evaluate(tm: matchers.TextMatcher, cases: list[Case]) -> list[Result]:
    results = []
    for c in cases:
        ms = tm.scan(c.text, include_weak=True, fuzzy=c.cls == 11)
        own = [m for m in ms if m.entry_id == c.pattern.entry_id and not m.weak]
        found = bool(own)
        span = any(span_ok(c.text, c.vs, c.ve, m.start, m.end) for m in own)
        got = [(m.entry_id, m.matched, m.weak) for m in ms]
        results.append(Result(c, found, span, got))
    return results


# --- negatives ----------------------------------------------------------------------------------

NUMBER_FRAMES = [
    ("inside larger number", "Het huis is gebouwd in 19{n} en verbouwd in 20{n}."),
    ("inside larger number", "Order #{n}{n}7 has shipped, tracking 33{n}901."),
    ("phone number", "Bel me even op 06{n}1234 of 020-55{n}12."),
    ("phone number", "Call us at +31 20 5{n}7 66 or 0800-{n}{n}."),
    ("decimal", "De temperatuur was {n},5 graden en de score {n}.25 punten."),
    ("decimal", "Our uptime was 99,{n} percent last month."),
    ("price", "Kost maar €{n},99 in de uitverkoop, was €1{n},00."),
    ("price", "Only $0.{n} per item, or £{n}.49 for the box."),
    ("version / id", "Update naar versie 2.{n}.1 of build 7{n}3 lost het op."),
]


def date_frames(n: str) -> list[tuple[str, str]]:
    v = int(n)
    out = []
    if 1 <= v <= 31:
        out.append(("date", f"Afspraak op {n}-11-2026 om 10.30 uur."))
        out.append(("date", f"The deadline was 3/{n}/1999, sadly."))
    if 1 <= v <= 12:
        out.append(("date", f"Opgeleverd op 12.{n}.2001 door de aannemer."))
    if 0 <= v <= 23:
        out.append(("time", f"De trein vertrekt om {n}:45 van spoor 3."))
    if 1900 <= v <= 2030:
        out.append(("date", f"Mijn opa is geboren op 12-03-{n} in Zwolle."))
    return out


def vocab(lang: str, n: int = 60000) -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list(lang, n) if w.isalpha()]


def hard_negatives(
    patterns: list[Pattern], contexts: Contexts, rng: random.Random
) -> list[tuple[str, Pattern, str]]:
    """(kind, pattern, text): benign look-alikes that must not produce the pattern's entry."""
    words = {lang: vocab(lang) for lang in ("nl", "en")}
    common = {lang: set(vocab(lang, 8000)) for lang in ("nl", "en")}
    allw = words["nl"] + words["en"]
    joined: dict[str, set[str]] = defaultdict(set)
    for p in patterns:
        if " " in p.text or "-" in p.text:
            joined[p.entry_id].add("".join(c for c in p.text.casefold() if c.isalnum()))
    out: list[tuple[str, Pattern, str]] = []
    for p in patterns:
        if p.is_emoji:
            continue
        entry = contexts.entries[p.entry_id]
        ctx = rng.choice(contexts.options(entry))
        key = p.text.lower()
        items: list[tuple[str, str]] = []
        if key.isdigit() and p.mode == "token":
            frames = rng.sample(NUMBER_FRAMES, 5)
            for kind, frame in frames:
                items.append((f"number: {kind}", frame.format(n=key)))
            for kind, text in date_frames(key):
                items.append((f"number: {kind}", text))
        elif key.isalpha() and p.mode in ("word", "token", "prefix") and len(key) >= 2:
            hits = []
            for w in allw:
                pos = w.find(key)
                if pos < 0 or w == key:
                    continue
                if pos == 0 and (p.mode == "prefix" or len(key) >= 4):
                    continue  # a prefix pattern is meant to match there; long ones: inflections
                hits.append(w)
            for w in rng.sample(sorted(set(hits)), min(3, len(set(hits)))):
                items.append(("letters inside a longer word", f"Ik las het woord {w} ergens."))
            for lang in ("nl", "en"):
                if key in joined[p.entry_id]:
                    break  # the entry also has the split form as a multi-word pattern
                for i in range(2, len(key) - 1):
                    a, b = key[:i], key[i:]
                    if a in common[lang] and b in common[lang]:
                        items.append(("split into words", f"Wat {a} {b} nou precies?"))
                        break
        for kind, text in items:
            full = f"{ctx} {text}" if ctx else text
            if contexts.control(p.entry_id, full.replace(text, "")):
                out.append((kind, p, full))
    flag = Pattern("black-flag-emoji", "🏴", True, "word", False)
    tags = "\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    out.append(("emoji", flag, f"Go England! 🏴{tags}"))
    tags = "\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    out.append(("emoji", flag, f"Scotland fans 🏴{tags} in Rome"))
    return out


# --- report -------------------------------------------------------------------------------------


def shape(p: Pattern) -> str:
    if p.is_emoji:
        return "emoji"
    words = len(p.text.split())
    return f"{p.mode}, {'one word' if words == 1 else 'multi-word'}"


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def fmt_got(got: list[tuple[str, str, bool]]) -> str:
    if not got:
        return "nothing"
    return "; ".join(f"{e}:{m!r}{' (weak)' if w else ''}" for e, m, w in got)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--variants", type=int, default=3, help="Variants per class per pattern.")
    parser.add_argument("--failures", type=int, default=10, help="Failures listed per class.")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmpdir:
        db, dropped = build_db(args.data, Path(tmpdir))
        tm = matchers.TextMatcher.from_db(db)
        patterns, entries = load_kb(db)

    print("## Text matching accuracy per obfuscation class\n")
    print(f"Seed {args.seed}; {len(entries)} active entries, {len(patterns)} patterns.")
    if dropped:
        print(f"**Data did not build; dropped entry files:** {', '.join(dropped)}.")
    print()

    contexts = Contexts(tm, entries, rng)
    for p in patterns:
        contexts.patterns[p.entry_id].append(p.text)
    cases, skipped = make_cases(patterns, contexts, rng, args.variants)
    results = evaluate(tm, cases)

    by_cls: dict[int, list[Result]] = defaultdict(list)
    for r in results:
        by_cls[r.case.cls].append(r)

    print("### Positives (obfuscated occurrences)\n")
    print("| # | class | positives | found | recall | spans ok | span accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    tot = [0, 0, 0]
    for cls, name in CLASSES.items():
        rs = by_cls.get(cls, [])
        n, f, s = len(rs), sum(r.found for r in rs), sum(r.span for r in rs)
        if cls != 11:
            tot = [tot[0] + n, tot[1] + f, tot[2] + s]
        print(f"| {cls} | {name} | {n} | {f} | {pct(f, n)} | {s} | {pct(s, f)} |")
        if cls == 7:
            rs = [r for r in rs if r.case.label != "dot-space"]
            n, f, s = len(rs), sum(r.found for r in rs), sum(r.span for r in rs)
            print(f"| 7' | spaced/dotted without 'h. e. i. l' | {n} | {f} | {pct(f, n)} "
                  f"| {s} | {pct(s, f)} |")  # fmt: skip
    n, f, s = tot
    print(f"| | **overall (1-10)** | {n} | {f} | **{pct(f, n)}** | {s} | **{pct(s, f)}** |")
    if sum(skipped.values()):
        print(f"\nVariants skipped because no carrier passed the control: {dict(skipped)}")
    print("\nClass 11 is optional: scanned with `fuzzy=True`; not in the overall row.")

    print("\n### Negatives (benign)\n")
    neg_rows: list[tuple[str, int, int]] = []
    neg_fail: dict[str, list[str]] = defaultdict(list)
    noisy: dict[str, list[str]] = defaultdict(list)

    n = fp = 0
    for e in entries.values():
        for ex in e.no_match_examples:
            n += 1
            hits = [m for m in tm.scan(ex) if m.entry_id == e.id]
            if hits:
                fp += 1
                neg_fail["no_match examples"].append(
                    f"{e.id}: {ex!r} -> {fmt_got([(m.entry_id, m.matched, m.weak) for m in hits])}"
                )
    neg_rows.append(("entry no_match examples (own entry)", n, fp))

    from symbolenbank.corpus import corpus_lines

    fuzzy_fp: dict[str, tuple[int, int]] = {}
    held_back: dict[str, list[str]] = defaultdict(list)
    for lang in ("nl", "en"):
        lines = corpus_lines(lang)
        n = fp = 0
        for line, allms in zip(
            lines, tm.scan_many(lines, workers=1, include_weak=True), strict=True
        ):
            for m in allms:
                if m.weak:
                    held_back[m.entry_id].append(f"[{lang}] {m.matched!r} in {line!r}")
            ms = [m for m in allms if not m.weak]
            n += 1
            if ms:
                fp += 1
                neg_fail[f"prose {lang}"].append(
                    f"{line!r} -> {fmt_got([(m.entry_id, m.matched, m.weak) for m in ms])}"
                )
                for m in ms:
                    noisy[m.entry_id].append(f"[{lang}] {m.matched!r} in {line!r}")
        neg_rows.append((f"benign prose {lang} (any entry)", n, fp))
        sample = lines[:: max(1, len(lines) // 2000)]
        ffp = 0
        for line in sample:
            ms = tm.scan(line, fuzzy=True)
            if ms:
                ffp += 1
                for m in ms:
                    if m.fuzzy:
                        noisy[f"{m.entry_id} (fuzzy=True)"].append(
                            f"[{lang}] {m.matched!r} in {line!r}"
                        )
        fuzzy_fp[lang] = (len(sample), ffp)

    hard = hard_negatives(patterns, contexts, rng)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, p, text in hard:
        hits = [m for m in tm.scan(text) if m.entry_id == p.entry_id]
        by_kind[kind][0] += 1
        if hits:
            by_kind[kind][1] += 1
            neg_fail[f"hard: {kind}"].append(
                f"({p.text!r}, {text!r}) -> "
                f"{fmt_got([(m.entry_id, m.matched, m.weak) for m in hits])}"
            )
    for kind, (a, b) in sorted(by_kind.items()):
        neg_rows.append((f"hard negatives: {kind} (own entry)", a, b))

    print("| source | negatives | false positives | FP rate |")
    print("|---|---:|---:|---:|")
    tn = tf = 0
    for name, a, b in neg_rows:
        tn, tf = tn + a, tf + b
        print(f"| {name} | {a} | {b} | {pct(b, a)} |")
    print(f"| **overall** | {tn} | {tf} | **{pct(tf, tn)}** |")
    for lang, (a, b) in fuzzy_fp.items():
        name = f"benign prose {lang}, `fuzzy=True` (sample, any entry)"
        print(f"| {name} | {a} | {b} | {pct(b, a)} |")

    print("\n### Positive failures per class\n")
    for cls, name in CLASSES.items():
        bad = [r for r in by_cls.get(cls, []) if not (r.found and r.span)]
        if not bad:
            continue
        rs = by_cls[cls]
        tot_l = Counter(r.case.label for r in rs)
        bad_l = Counter(r.case.label for r in bad)
        tot_s = Counter(shape(r.case.pattern) for r in rs)
        bad_s = Counter(shape(r.case.pattern) for r in bad)
        print(f"#### {cls}. {name}: {len(bad)} failures\n")
        print("By variant: " + ", ".join(f"{k} {bad_l[k]}/{tot_l[k]}" for k in bad_l))
        print("\nBy pattern shape: " + ", ".join(f"{k} {bad_s[k]}/{tot_s[k]}" for k in bad_s))
        print()
        shown = rng.sample(bad, min(args.failures, len(bad)))
        for r in shown:
            c = r.case
            what = "missed" if not r.found else "wrong span"
            print(
                f"- {what} [{c.label}] `{c.pattern.entry_id}` pattern {c.pattern.text!r} "
                f"variant {c.variant!r}\n  text {c.text!r}\n  found: {fmt_got(r.got)}"
            )
        print()

    print("### Context terms that never satisfy their rule\n")
    print("The term is next to the entry's shortest pattern, and the match stays weak.\n")
    bad_terms = contexts.check_terms()
    for eid, term, text in bad_terms:
        print(f"- `{eid}` term {term!r}: {text!r}")
    if not bad_terms:
        print("None.")
    print()

    print("### Negative failures per source\n")
    for name, items in neg_fail.items():
        print(f"#### {name}: {len(items)}\n")
        for item in items[: args.failures]:
            print(f"- {item}")
        print()

    print("### Entries that fire on benign prose\n")
    if not noisy:
        print("None.")
    for eid, items in sorted(noisy.items(), key=lambda kv: -len(kv[1])):
        print(f"- `{eid}`: {len(items)} line(s), e.g. {items[0]}")
    print("\n### Held back only by a context rule on benign prose (weak matches)\n")
    if not held_back:
        print("None.")
    for eid, items in sorted(held_back.items(), key=lambda kv: -len(kv[1]))[:15]:
        print(f"- `{eid}`: {len(items)} weak hit(s), e.g. {items[0]}")


if __name__ == "__main__":
    main()
