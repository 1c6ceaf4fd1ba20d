"""Find knowledge-base patterns in text, through the obfuscations `matchers.canon` undoes
(case, compatibility forms, diacritics, homoglyphs, invisible characters, leetspeak, spaced and
stretched letters, separators, run-together words, emoji variants; see its module docstring).

    tm = TextMatcher.from_db("build/symbolenbank.db")
    tm = TextMatcher.from_rules(entries, patterns)      # plain data, no database needed
    tm.scan("S1eg h.e.i.l!")                            # -> [TextMatch(...)]
    tm.scan(text, include_weak=True, fuzzy=True)
    tm.scan(text, exclude_kinds=["name"], min_assessment="borderline")
    list(tm.scan_many(posts, workers=4))                # same as [tm.scan(p) for p in posts]

`from_rules(entries: list[EntryRule], patterns: list[PatternRule])` is the constructor `from_db`
uses; the validator can call it with rules built from YAML.

How it works, module by module:

- `rules`: the plain data, `EntryRule`, `PatternRule` in and `TextMatch` out.
- `index`: the rules compiled into a `TextIndex`. Every pattern is canonicalised into a key of
  one Aho-Corasick automaton, framed by spaces according to its boundary mode, because
  canonical text frames every token with single spaces; multi-word patterns get a run-together
  key (`#ZwarteZon`), exception phrases and fuzzy variants keys of their own (`items` says what
  a key stands for). Context terms, and punctuation-only patterns and terms (`(((`, matched in
  the original text as written), get small automata of their own (`matchers.automaton`).
- `batch`: a batch of posts is canonicalised at once, the key automaton runs once over all of
  it, and each hit goes to its post; `scan` is a batch of one. Scanning is linear in the text
  length and independent of the number of patterns; no regular expressions run on user text.
- `resolve`: each post's hits are checked for the pattern's own double letters, the entry's
  exceptions and context rule, one match per occurrence, dates and times (`14-11-2026` holds no
  number token), then mapped back to the original string with the reasons found on the way
  (`views` holds the geometry of a post in a batch or on its own).
- `selection`: a scan filtered by kind or tier (`matchers.filters`) resolves the hits of the
  entries it wants and of those their context rules name, and reports the wanted ones only.
- `readings`: tokens where letters touch digits are also read as leetspeak throughout and split
  into letters and number (`heil1488`), and those readings searched too.
- `fuzzy`: a pattern flagged `fuzzy` also gets its one-edit variants as keys, verified with
  double letters counted (`shared` is two edits from `shaheed`); `fuzzy=True` searches every
  token against every eligible pattern instead.
- `matcher`: `TextMatcher`, which holds the rules and their index; `pooled`: its
  `scan_many(workers=N)`, a pool of helper processes (`matchers.pool`) that scan the matcher's
  own batches in input order (`matchers.parallel.scan_matcher` is the same function).
"""

from .matcher import TextMatcher
from .rules import (
    DEFAULT_CONTEXT_WINDOW,
    ContextHit,
    EntryRule,
    Evidence,
    NumberCues,
    PatternRule,
    TextMatch,
)

__all__ = [
    "DEFAULT_CONTEXT_WINDOW",
    "ContextHit",
    "EntryRule",
    "Evidence",
    "NumberCues",
    "PatternRule",
    "TextMatch",
    "TextMatcher",
]
