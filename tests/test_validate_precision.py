"""The validator's precision rules: each breaks an entry in tmp_path and is reported at its line."""

from __future__ import annotations

from pathlib import Path

from symbolenbank.names import is_common_name
from symbolenbank.precision import generic_reason
from symbolenbank.validate import validate_dir


def _problems(root: Path, check_examples: bool = False) -> list[str]:
    _, problems = validate_dir(root, check_examples=check_examples)
    return [str(p) for p in problems]


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "entries" / "sample-sieg-heil.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ENTRY = "data/entries/sample-sieg-heil.yaml"
PATTERN = "  - text: sieg heil\n"


def test_a_common_first_name_needs_a_context_rule(mini_data):
    _edit(mini_data, PATTERN, PATTERN + "  - text: turan\n")
    problems = _problems(mini_data)
    assert f"{ENTRY}:17: pattern `turan` is a common first name" in "\n".join(problems), problems


def test_an_ordinary_phrase_needs_a_context_rule(mini_data):
    _edit(mini_data, PATTERN, PATTERN + "  - text: the base\n    lang: en\n")
    problems = "\n".join(_problems(mini_data))
    assert f"{ENTRY}:17: pattern `the base` is an ordinary phrase in `en`" in problems, problems


def test_a_serious_tier_never_stands_on_an_everyday_word_without_context(mini_data):
    # the sample is `illegal` and has exceptions, which suffice for the common-word check alone
    _edit(mini_data, PATTERN, PATTERN + "  - text: zon\n    lang: nl\n")
    problems = "\n".join(_problems(mini_data))
    assert f"{ENTRY}:17: pattern `zon` is an everyday word in `nl`" in problems, problems
    assert "at tier `illegal` needs a `context` rule" in problems


def test_a_context_rule_satisfies_the_generic_pattern_rules(mini_data):
    _edit(mini_data, PATTERN, PATTERN + "  - text: turan\n  - text: zon\n    lang: nl\n")
    _edit(mini_data, "status: active", "context:\n  requires_any: [bozkurt]\nstatus: active")
    assert not any("needs a `context` rule" in p for p in _problems(mini_data))


def test_a_function_word_is_refused_as_context_term(mini_data):
    _edit(mini_data, "status: active", "context:\n  requires_any: [zwarte, und]\nstatus: active")
    problems = "\n".join(_problems(mini_data))
    assert f"{ENTRY}:30: context term `und` is one of the most frequent words in `de`" in problems
    assert "`zwarte`" not in problems


def test_an_everyday_context_term_is_accepted_and_stored_as_common(mini_data):
    from symbolenbank.loading import load_data
    from symbolenbank.rules import matcher_rules

    _edit(
        mini_data,
        "status: active",
        "context:\n  requires_any: [kameraden, hakenkreuz]\nstatus: active",
    )
    assert _problems(mini_data, check_examples=False) == []
    rules, _ = matcher_rules(le.entry for le in load_data(mini_data).entries)
    assert rules[0].context_common == ("kameraden",)


def test_harmless_sentences_must_name_entries(mini_data):
    (mini_data / "benign").mkdir()
    (mini_data / "benign" / "nl.yaml").write_text(
        '# harmless\nsample-sieg-heil:\n  - "een zin"\nno-such-entry:\n  - "nog een"\n'
        'sample-sieg-heil-2: "geen lijst"\n',
        encoding="utf-8",
    )
    problems = "\n".join(_problems(mini_data))
    assert "data/benign/nl.yaml:4: `no-such-entry` is not an entry id" in problems, problems
    assert "data/benign/nl.yaml:6: `sample-sieg-heil-2` holds a list of sentences" in problems


def test_number_cue_files_are_checked(mini_data):
    (mini_data / "vocab" / "number-cues-xx.yaml").write_text(
        "after: [stappen, Stappen]\nbehind: [x]\nbefore: [kamer, 12]\nsign: ['%%']\n",
        encoding="utf-8",
    )
    problems = "\n".join(_problems(mini_data))
    cues = "data/vocab/number-cues-xx.yaml"
    assert f"{cues}:1: `Stappen` is already in `after`" in problems, problems
    assert f"{cues}:2: unknown position `behind`" in problems
    assert f"{cues}:3: a cue is a word or sign without spaces around it: 12" in problems
    assert f"{cues}:4: a sign is one character: '%%'" in problems


def test_an_example_weakened_by_a_cue_says_so(mini_data):
    _edit(mini_data, PATTERN, PATTERN + "  - text: '4711'\n    match: token\n")
    _edit(mini_data, '    - "s1eg h.e.i.l"\n', '    - "s1eg h.e.i.l"\n    - "#4711 voor altijd"\n'
          '    - "ik heb 4711 stappen gezet"\n')  # fmt: skip
    problems = "\n".join(_problems(mini_data, check_examples=True))
    assert f"{ENTRY}:25: example matches `sample-sieg-heil` only weakly (Weak: reads as a unit" \
        " or counted noun after the number ('stappen').)" in problems, problems  # fmt: skip
    assert ":24:" not in problems  # a hashtag is a code-like form


def test_generic_reasons():
    assert is_common_name("Turan") and is_common_name("emma") and not is_common_name("zwarte")
    assert generic_reason("the base", ["en"]).startswith("an ordinary phrase")
    assert generic_reason("blood and soil", ["en"]) == ""
    assert generic_reason("1488", ["nl"]) == ""
    assert generic_reason("zon", ["nl"]).startswith("an everyday word in `nl`")
