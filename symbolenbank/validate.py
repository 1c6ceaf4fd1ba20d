"""Every check of the entry format beyond the schema: vocabularies, duplicates, examples, common
words. The format and the curation rules these checks enforce are in data/README.md and
CONTRIBUTING.md; the schema itself is `models.py` (`schema/entry.schema.json` for editors).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .loading import KnowledgeData, LoadedEntry, Problem, load_data
from .precision import check_precision
from .rules import text_matcher
from .wordcheck import COMMON_WORD_ZIPF, common_word_frequency, pattern_key


def validate_dir(root: Path, *, check_examples: bool = True) -> tuple[KnowledgeData, list[Problem]]:
    """Load `root` and run every check; problems sorted by file and line."""
    data = load_data(root)
    return data, validate(data, check_examples=check_examples)


def validate(data: KnowledgeData, *, check_examples: bool = True) -> list[Problem]:
    _check_ids(data)
    _check_vocabulary(data)
    _check_duplicate_patterns(data)
    _check_common_words(data)
    check_precision(data)
    _check_images(data)
    if check_examples:
        # Examples run through the real matcher, on the rules a build of what parsed would hold.
        _check_examples(data)
    return sorted(set(data.problems))


def _check_ids(data: KnowledgeData) -> None:
    seen: dict[str, LoadedEntry] = {}
    for le in data.entries:
        e, path = le.entry, le.source.path
        if e.id != path.stem:
            data.problem(path, le.line("id"), f"id `{e.id}` must equal the file name `{path.stem}`")
        if e.id in seen:
            other = data.rel(seen[e.id].source.path)
            data.problem(path, le.line("id"), f"duplicate id `{e.id}` (also in {other})")
        seen[e.id] = le


def _check_vocabulary(data: KnowledgeData) -> None:
    ideologies = data.vocab_ids("ideologies")
    movements = data.vocab_ids("movements")
    kinds = data.vocab_ids("kinds")
    assessments = data.vocab_ids("assessments")
    entry_ids = {le.entry.id for le in data.entries}
    for le in data.entries:
        e, path = le.entry, le.source.path
        for i, ideology in enumerate(e.ideologies):
            if ideology not in ideologies:
                data.problem(
                    path,
                    le.line("ideologies", i),
                    f"unknown ideology `{ideology}`; known: {', '.join(sorted(ideologies))}",
                )
        for i, movement in enumerate(e.movements):
            if movement not in movements:
                data.problem(
                    path,
                    le.line("movements", i),
                    f"unknown movement `{movement}`: add it to data/vocab/movements.yaml",
                )
        if kinds and e.kind not in kinds:
            data.problem(path, le.line("kind"), f"kind `{e.kind}` is not in data/vocab/kinds.yaml")
        if assessments and e.assessment not in assessments:
            data.problem(path, le.line("assessment"), f"assessment `{e.assessment}` is unknown")
        for i, rel in enumerate(e.related):
            if rel not in entry_ids:
                data.problem(path, le.line("related", i), f"related entry `{rel}` does not exist")
            elif rel == e.id:
                data.problem(path, le.line("related", i), "an entry is not related to itself")
    doc = data.vocab_sources.get("movements")
    for i, m in enumerate(data.vocab.get("movements", [])):
        for j, ideology in enumerate(m.ideologies):
            if ideology not in ideologies and doc is not None:
                data.problem(
                    doc.path, doc.line_of((i, "ideologies", j)), f"unknown ideology `{ideology}`"
                )
    for name, doc in data.vocab_sources.items():
        seen: set[str] = set()
        for i, item in enumerate(data.vocab.get(name, [])):
            if item.id in seen:
                data.problem(doc.path, doc.line_of((i, "id")), f"duplicate {name} id `{item.id}`")
            seen.add(item.id)


def _check_duplicate_patterns(data: KnowledgeData) -> None:
    owners: dict[tuple[bool, str], list[tuple[LoadedEntry, int]]] = defaultdict(list)
    for le in data.entries:
        for i, p in enumerate(le.entry.patterns):
            owners[pattern_key(p.value, p.emoji is not None)].append((le, i))
    for places in owners.values():
        entries = {le.entry.id for le, _ in places}
        for le, i in places:
            p = le.entry.patterns[i]
            others = sorted(entries - {le.entry.id})
            path, line = le.source.path, le.line("patterns", i)
            if others and not p.shared:
                data.problem(
                    path,
                    line,
                    f"pattern `{p.value}` is also in {', '.join(others)}; "
                    "set `shared: true` on both if that is deliberate",
                )
            elif len(places) > len(entries) and sum(1 for o, _ in places if o is le) > 1:
                data.problem(path, line, f"pattern `{p.value}` appears twice in this entry")


def _check_common_words(data: KnowledgeData) -> None:
    for le in data.entries:
        e = le.entry
        if e.context is not None or e.exceptions or e.status == "retired":
            continue
        for i, p in enumerate(e.patterns):
            if p.text is None or not any(ch.isalpha() for ch in p.text):
                continue
            langs = [p.lang] if p.lang else list(e.languages)
            zipf, lang = common_word_frequency(p.text, langs)
            if zipf >= COMMON_WORD_ZIPF:
                data.problem(
                    le.source.path,
                    le.line("patterns", i),
                    f"pattern `{p.text}` is a common word in `{lang}` (wordfreq Zipf {zipf:.1f}"
                    f" >= {COMMON_WORD_ZIPF}); add a `context` rule or `exceptions` so ordinary"
                    " text does not match",
                )


def _check_images(data: KnowledgeData) -> None:
    for le in data.entries:
        for i, img in enumerate(le.entry.images):
            if img.file and not (data.root / img.file).is_file():
                data.problem(
                    le.source.path,
                    le.line("images", i, "file"),
                    f"image file `{img.file}` does not exist under {data.rel(data.root)}/",
                )


def _check_examples(data: KnowledgeData) -> None:
    """Every entry's examples through the matcher that a build of everything that parsed loads."""
    matcher = text_matcher((le.entry for le in data.entries), data.vocab.get("number_cues", []))
    for le in data.entries:
        e = le.entry
        if e.examples is None or e.status != "active":
            continue
        for i, text in enumerate(e.examples.match):
            found = [m for m in matcher.scan(text, include_weak=True) if m.entry_id == e.id]
            if not found:
                data.problem(
                    le.source.path,
                    le.line("examples", "match", i),
                    f"example does not match entry `{e.id}`: {text!r}",
                )
            elif all(m.weak for m in found):
                data.problem(
                    le.source.path,
                    le.line("examples", "match", i),
                    f"example matches `{e.id}` only weakly ({found[0].evidence.describe()}):"
                    f" {text!r}",
                )
        for i, text in enumerate(e.examples.no_match):
            found = [m for m in matcher.scan(text) if m.entry_id == e.id]
            if found:
                spans = ", ".join(repr(m.matched) for m in found)
                data.problem(
                    le.source.path,
                    le.line("examples", "no_match", i),
                    f"example must not match entry `{e.id}` but does ({spans}): {text!r}",
                )
