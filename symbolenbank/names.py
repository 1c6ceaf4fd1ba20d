"""Common personal first names, so that a pattern that is also someone's name needs context.

The list is Jörg Michael's `nam_dict.txt` as shipped by the `gender-guesser` package: about
48,000 first names with how common each is in 54 countries and regions, the Netherlands, Germany,
Turkey, the Arab world and Belgium among them, compiled by hand and published under the GNU Free
Documentation License. It was chosen over larger lists because it is curated rather than scraped
(the largest open name lists are derived from leaked social-network profiles), small enough to
load in a validator run (under a second), and carries a frequency per country, so rare names that
happen to spell a word can be left aside. The package has not changed since 2016; the dictionary
it ships is the format's final edition.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

#: A name counts as common from this frequency digit in any one country (the dictionary rates
#: each country from 1, extremely rare, to 13, extremely common; 4 is a name a person meets).
COMMON_NAME_FREQUENCY = 4


def _frequency(ch: str) -> int:
    """A country column's digit: " " none, "1"-"9", then "A" (10) to "D" (13)."""
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "D":
        return ord(ch) - ord("A") + 10
    return 0


@cache
def common_first_names() -> frozenset[str]:
    """Casefolded first names that are common in at least one country."""
    text = (resources.files("gender_guesser") / "data" / "nam_dict.txt").read_text("utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=" or len(line) < 31:
            continue
        if max((_frequency(c) for c in line[30:-1]), default=0) < COMMON_NAME_FREQUENCY:
            continue
        name = line[3:29].strip()
        for variant in (name.replace("+", " "), name.replace("+", "-"), name.replace("+", "")):
            names.add(variant.casefold())
    return frozenset(names)


def is_common_name(text: str) -> bool:
    """Whether `text` (one word, or a double name) is a common first name."""
    return " ".join(text.casefold().split()) in common_first_names()
