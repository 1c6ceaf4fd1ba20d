"""When a number in a text is a quantity, an identifier or a year, and when it looks like a code.

Numbers are the most ambiguous signs: 88 is an age, a price, a bus line and the keys of a piano
far more often than a greeting. A match of a number pattern is therefore looked at in the
original text around it, within a few characters on either side (never more than
`_REACH`), with plain character loops:

- `benign_cue`: a word or sign next to it says it is a quantity (`1488 stappen`, `88 Jahren`,
  `84 %`), an identifier (`kamer 88`, `Linie 18`, `Kerkstraat 88`, `ticket C18`), a year
  (`in 1488`) or part of a range, score or longer number (`1452-1488`, `1.488`). The words are
  data (`NumberCues`, from the knowledge base's `number-cues` vocabularies); the shapes of
  ranges and longer numbers are fixed here.
- `code_form`: how a bare number can still be written as a code: a hashtag (`#1488`), in a user
  name (`@patriot_1488`), in emoji keycaps or disguised characters, repeated, or next to
  another number code (`18 88`).
"""

from __future__ import annotations

from .rules import NumberCues

__all__ = ["benign_cue", "code_form", "numeric_kind"]

# how far from a number its cues are looked for, in characters
_REACH = 40
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
#: reasons of a match that mean the number was disguised on purpose
DISGUISED = frozenset({"compatibility-form", "homoglyph", "invisible-characters", "spaced-letters"})


def numeric_kind(text: str) -> int:
    """0 for a pattern that is no number; 2 for a bare run of digits (`88`, `1488`) or a
    date-like pair (`4/20`), which count as codes only in a code-like form or with context;
    1 for other number-like patterns (`14/88`, `C18`: at most two letters), which only benign
    cues can weaken."""
    t = text.strip()
    if not any(ch.isdigit() for ch in t) or sum(ch.isalpha() for ch in t) > 2:
        return 0
    if t.isdigit():
        return 2
    parts = "".join(ch if ch.isdecimal() else " " for ch in t).split()
    if (
        len(parts) == 2
        and all(ch.isdigit() or ch in "/.-" for ch in t)
        and _date_like(int(parts[0]), int(parts[1]))
    ):
        return 2
    return 1


def _date_like(a: int, b: int) -> bool:
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _words_after(text: str, end: int) -> list[str]:
    """Up to three words after position `end`, casefolded (a hyphen or spaces lead to them)."""
    limit = min(len(text), end + _REACH)
    words: list[str] = []
    i = end
    while i < limit and len(words) < 3:
        while i < limit and (text[i].isspace() or text[i] in _DASHES):
            i += 1
        j = i
        while j < limit and text[j].isalpha():
            j += 1
        if j == i or (j < len(text) and text[j].isdecimal()):
            break  # no word, or letters glued to digits (`m8`, `x3`)
        words.append(text[i:j].casefold())
        i = j
    return words


def _words_before(text: str, start: int) -> list[str]:
    """Up to three words before `start`, nearest first, casefolded, with whether each was
    capitalised; `kamer:` and `#` between the word and the number are skipped, and the dot of
    an abbreviation of at most three letters (`Nr.`, `blz.`), not a sentence's full stop."""
    floor = max(0, start - _REACH)
    words: list[str] = []
    i = start
    while i > floor and len(words) < 3:
        dot = False
        while i > floor and (text[i - 1].isspace() or text[i - 1] in ".:#°"):
            dot = dot or text[i - 1] == "."
            i -= 1
        j = i
        while j > floor and text[j - 1].isalpha():
            j -= 1
        if j == i or (dot and i - j > 3) or (j > 0 and text[j - 1].isdecimal()):
            break
        words.append(text[j:i].casefold())
        i = j
    return words


def _street_before(text: str, start: int, endings: tuple[str, ...]) -> str:
    """The street name right before `start` (`Kerkstraat 88`): a capitalised word that ends in
    one of `endings` and is longer than it."""
    i = start
    while i > 0 and text[i - 1] == " " and start - i < 2:
        i -= 1
    j = i
    while j > 0 and i - j < _REACH and text[j - 1].isalpha():
        j -= 1
    word = text[j:i]
    low = word.casefold()
    if word[:1].isupper() and any(low.endswith(e) and len(low) >= len(e) + 3 for e in endings):
        return low
    return ""


def _phrase_in(words: list[str], vocab: frozenset[str], reverse: bool) -> str:
    """The longest run of `words` from the number outwards that is in `vocab`."""
    for n in (3, 2, 1):
        if len(words) >= n:
            run = words[:n][::-1] if reverse else words[:n]
            phrase = " ".join(run)
            if phrase in vocab:
                return phrase
    return ""


def _next_char(text: str, i: int, step: int) -> str:
    """The first character from `i` in direction `step` that is not a space ("" at an end)."""
    n = 0
    while 0 <= i < len(text) and text[i].isspace() and n < 2:
        i += step
        n += 1
    return text[i] if 0 <= i < len(text) else ""


def _joined_number(text: str, start: int, end: int) -> str:
    """A range, score or longer number the match is part of (`1452-1488`, `1.488`, `88:70`),
    or ""."""
    a, b = start, end
    # a separator and digits right after the match
    if b + 1 < len(text) and text[b] in ".,:/" + _DASHES and text[b + 1].isdigit():
        b += 1
        while b < len(text) and b - end < 12 and text[b].isdigit():
            b += 1
    elif b + 2 < len(text) and text[b] == " " and text[b + 1] in _DASHES:
        j = b + 2 + (text[b + 2] == " ")
        if j < len(text) and text[j].isdigit():
            b = j
            while b < len(text) and b - end < 14 and text[b].isdigit():
                b += 1
    if a >= 2 and text[a - 1] in ".,:/" + _DASHES and text[a - 2].isdigit():
        a -= 1
        while a > 0 and start - a < 12 and text[a - 1].isdigit():
            a -= 1
    elif a >= 3 and text[a - 1] == " " and text[a - 2] in _DASHES:
        j = a - 3 - (text[a - 3] == " ")
        if j >= 0 and text[j].isdigit():
            a = j + 1
            while a > 0 and start - a < 14 and text[a - 1].isdigit():
                a -= 1
    return text[a:b] if (a, b) != (start, end) else ""


def benign_cue(cues: NumberCues, text: str, start: int, end: int) -> tuple[str, str] | None:
    """(kind, cue) when the number at `text[start:end]` reads as a quantity, an identifier, a
    year, an amount or part of a longer number; None when nothing says so."""
    joined = _joined_number(text, start, end)
    if joined:
        return "range", joined
    after = _next_char(text, end, 1)
    before = _next_char(text, start - 1, -1)
    if after in cues.signs:
        return "amount", after
    if before in cues.signs:
        return "amount", before
    # an ordinal's dot (`88. Minute`) stands between the number and its noun
    ordinal = end + 2 < len(text) and text[end] == "." and text[end + 1] == " "
    words = _words_after(text, end + 1 if ordinal else end)
    cue = _phrase_in(words, cues.after, reverse=False)
    if cue:
        return "quantity", cue
    words = _words_before(text, start)
    cue = _phrase_in(words, cues.before, reverse=True)
    if cue:
        return "identifier", cue
    street = _street_before(text, start, cues.before_endings) if cues.before_endings else ""
    if street:
        return "identifier", street
    digits = "".join(ch for ch in text[start:end] if ch.isdecimal())
    if len(digits) == 4 and 1000 <= int(digits) <= 2099:
        cue = _phrase_in(words, cues.year, reverse=True)
        if cue:
            return "year", cue
    return None


def code_form(text: str, start: int, end: int, reasons: tuple[str, ...]) -> str:
    """The code-like form of the number at `text[start:end]` seen in the text itself: `hashtag`,
    `handle` (in a user name, `@x1488`, or glued to letters, `heil1488`), `keycaps` or
    `disguised`; "" for none.
    (`repeated` and `combined` need the post's other matches; the resolver sees those.)"""
    if "keycap-digits" in reasons:
        return "keycaps"
    if DISGUISED.intersection(reasons) and not _native_digits(text[start:end]):
        return "disguised"
    if start and text[start - 1] == "#":
        return "hashtag"
    i = start
    while i > 0 and start - i < _REACH and not text[i - 1].isspace():
        i -= 1
    j = end
    while j < len(text) and j - end < _REACH and not text[j].isspace():
        j += 1
    token = text[i:j]
    if token.startswith("@"):
        return "handle"
    # glued to letters (`heil1488`), but not a file name, a path or an id (`IMG_1488.JPG`)
    if not any(c in token for c in "._/\\:=") and (
        text[start - 1 : start].isalpha() or text[end : end + 1].isalpha()
    ):
        return "handle"
    return ""


def _native_digits(matched: str) -> bool:
    """Digits of one other script only (`١٤١٨`, `１４８８`): how the script writes numbers, no
    disguise."""
    return (
        all(ch.isdecimal() for ch in matched)
        and len({ord(ch) - int(ch) for ch in matched}) == 1
        and not matched.isascii()
    )
