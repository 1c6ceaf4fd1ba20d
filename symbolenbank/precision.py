"""The validator's precision checks: generic patterns need context, context terms must mean
something, and the hand-written harmless sentences name real entries.

A pattern is *generic* when ordinary text is full of it: an everyday word (wordfreq, as in
`wordcheck`), a common first name (`names`), or an ordinary phrase of everyday words (`the
base`). Such a pattern needs a `context` rule (exceptions alone cannot list every ordinary use),
and an entry at the `terrorist` or `illegal` tier never stands on a generic pattern without one,
because those tiers carry the heaviest consequences for the person who wrote the post.

A context term that is one of the most frequent words of a language (`de`, `the`, `und`)
confirms nothing, so it is refused; an everyday term (`COMMON_WORD_ZIPF`) is accepted, and the
matcher lets it confirm a match only right next to it or with a second requirement.
"""

from __future__ import annotations

from .loading import KnowledgeData
from .names import is_common_name
from .rules import knowledge_languages
from .wordcheck import COMMON_WORD_ZIPF, common_word_frequency
from .yamlpos import YamlError
from .yamlpos import load as load_yaml

__all__ = ["COMMON_PHRASE_ZIPF", "FUNCTION_WORD_ZIPF", "check_precision"]

#: A phrase of several words whose independent estimate reaches this is ordinary text (`the
#: base` 3.9; `blood and soil` 0.6).
COMMON_PHRASE_ZIPF = 3.0
#: Context terms this frequent are function words: a thousand per million words and more.
FUNCTION_WORD_ZIPF = 6.0
#: The tiers at which no generic pattern stands without context.
SERIOUS_TIERS = ("terrorist", "illegal")


def check_precision(data: KnowledgeData) -> None:
    langs = knowledge_languages(le.entry for le in data.entries)
    _check_generic_patterns(data, langs)
    _check_context_terms(data, langs)
    _check_benign_sentences(data)


def generic_reason(text: str, langs: list[str]) -> str:
    """Why pattern `text` is generic (`""` when it is not)."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()
    if not words or not any(ch.isalpha() for ch in text):
        return ""
    if len(words) == 1 and is_common_name(words[0]):
        return "a common first name (gender-guesser's name dictionary)"
    zipf, lang = common_word_frequency(text, langs)
    if len(words) == 1 and zipf >= COMMON_WORD_ZIPF:
        return f"an everyday word in `{lang}` (wordfreq Zipf {zipf:.1f})"
    if len(words) > 1 and zipf >= COMMON_PHRASE_ZIPF:
        return f"an ordinary phrase in `{lang}` (wordfreq Zipf {zipf:.1f} as a phrase)"
    return ""


def _check_generic_patterns(data: KnowledgeData, langs: list[str]) -> None:
    for le in data.entries:
        e = le.entry
        if e.context is not None or e.status == "retired":
            continue
        for i, p in enumerate(e.patterns):
            if p.text is None:
                continue
            plangs = [p.lang] if p.lang else [*e.languages, *langs]
            why = generic_reason(p.text, plangs)
            if not why:
                continue
            serious = e.assessment in SERIOUS_TIERS
            words = "".join(ch if ch.isalnum() else " " for ch in p.text).split()
            single_word = len(words) == 1 and not is_common_name(p.text)
            if single_word and not serious:
                continue  # everyday words: `wordcheck` accepts exceptions for them
            tier = f" at tier `{e.assessment}`" if serious else ""
            data.problem(
                le.source.path,
                le.line("patterns", i),
                f"pattern `{p.text}` is {why}; an entry{tier} needs a `context` rule for it,"
                " so that ordinary text does not match",
            )


def _check_context_terms(data: KnowledgeData, langs: list[str]) -> None:
    for le in data.entries:
        e = le.entry
        if e.context is None:
            continue
        for i, term in enumerate(e.context.requires_any):
            if not any(ch.isalpha() for ch in term):
                continue
            zipf, lang = common_word_frequency(term, [*e.languages, *langs])
            if zipf >= FUNCTION_WORD_ZIPF:
                data.problem(
                    le.source.path,
                    le.line("context", "requires_any", i),
                    f"context term `{term}` is one of the most frequent words in `{lang}`"
                    f" (wordfreq Zipf {zipf:.1f} >= {FUNCTION_WORD_ZIPF}): it confirms nothing;"
                    " remove it or use a more specific term",
                )


def _check_benign_sentences(data: KnowledgeData) -> None:
    """`benign/<lang>.yaml` maps entry ids to lists of harmless sentences."""
    ids = {le.entry.id for le in data.entries}
    for path in sorted((data.root / "benign").glob("*.yaml")):
        try:
            doc = load_yaml(path)
        except YamlError as exc:
            data.problem(path, exc.line, exc.message)
            continue
        if not isinstance(doc.data, dict):
            data.problem(path, 1, "a file of harmless sentences maps entry ids to lists")
            continue
        for key, items in doc.data.items():
            line = doc.line_of((key,))
            if key not in ids:
                data.problem(path, line, f"`{key}` is not an entry id")
            if not isinstance(items, list) or not all(
                isinstance(t, str) and t.strip() for t in items
            ):
                data.problem(path, line, f"`{key}` holds a list of sentences")
