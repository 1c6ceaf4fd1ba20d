"""The validator: every check fails on a broken entry, at the right file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from matchers import TextMatcher
from symbolenbank.cli import cli
from symbolenbank.loading import KnowledgeData, load_data
from symbolenbank.rules import text_matcher
from symbolenbank.validate import validate_dir
from tests.helpers import DATA


def _problems(root: Path, check_examples: bool = False) -> list[str]:
    _, problems = validate_dir(root, check_examples=check_examples)
    return [str(p) for p in problems]


def _edit(root: Path, old: str, new: str, name: str = "sample-sieg-heil") -> Path:
    path = root / "entries" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_data_is_valid():
    assert _problems(DATA, check_examples=True) == []


def test_sample_is_valid(mini_data):
    assert _problems(mini_data, check_examples=True) == []


BROKEN = [
    # (old, new, line, message part)
    (
        "ideologies: [right-wing-extremism]",
        "ideologies: [right-wing-extremism, nazism]",
        6,
        "unknown ideology `nazism`",
    ),
    ("kind: slogan", "kind: banner", 5, "`kind`"),
    ("assessment: illegal", "assessment: bad", 8, "`assessment`"),
    ("id: sample-sieg-heil", "id: other-id", 2, "must equal the file name"),
    ("id: sample-sieg-heil", "id: Sample_Sieg", 2, "`id`"),
    ("    accessed: 2026-11-25\n", "    accessed: yesterday\n", 28, "`sources.0.accessed`"),
    ("status: active", "status: active\ncolour: red", 30, "unknown field `colour`"),
    (
        "  - text: sieg heil\n",
        "  - text: sieg heil\n    match: everywhere\n",
        17,
        "`patterns.0.match`",
    ),
    ("  - text: sieg heil\n", "  - text: sieg heil\n    emoji: x\n", 16, "exactly one of"),
    ("title_en: Sieg Heil (test item)\n", "", 2, "missing required field `title_en`"),
    ('    - "s1eg h.e.i.l"\n', "", 19, "examples.match"),
    ("kind: slogan", "kind: number", 2, "`benign_uses` is required"),
    ("updated: 2026-11-25", "updated: 2026-11-01", 2, "`updated` is before `added`"),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BROKEN)
def test_broken_entry_is_reported_with_its_line(mini_data, old, new, line, message):
    _edit(mini_data, old, new)
    problems = _problems(mini_data)
    assert problems, "the validator accepted a broken entry"
    hits = [p for p in problems if message in p]
    assert hits, problems
    assert hits[0].startswith(f"data/entries/sample-sieg-heil.yaml:{line}:"), hits


def test_unknown_ideology_reported_by_cli_with_file_and_line(mini_data):
    _edit(mini_data, "ideologies: [right-wing-extremism]", "ideologies: [rechts]")
    result = CliRunner().invoke(cli, ["validate", "--data", str(mini_data)])
    assert result.exit_code == 1
    assert "data/entries/sample-sieg-heil.yaml:6: unknown ideology `rechts`" in result.output


def test_invalid_yaml_reports_line(mini_data):
    _edit(mini_data, "kind: slogan\n", "kind: slogan\n  bad: [unclosed\n")
    problems = _problems(mini_data)
    assert len(problems) == 1
    assert problems[0].startswith("data/entries/sample-sieg-heil.yaml:")
    assert "invalid YAML" in problems[0]


def test_unknown_movement_and_related(mini_data):
    _edit(
        mini_data, "status: active", "movements: [no-such-group]\nrelated: [nope]\nstatus: active"
    )
    problems = _problems(mini_data)
    assert any(":29: unknown movement `no-such-group`" in p for p in problems), problems
    assert any(":30: related entry `nope` does not exist" in p for p in problems), problems


def _copy_sample(root: Path, new_id: str) -> Path:
    src = (root / "entries" / "sample-sieg-heil.yaml").read_text(encoding="utf-8")
    path = root / "entries" / f"{new_id}.yaml"
    path.write_text(src.replace("id: sample-sieg-heil", f"id: {new_id}"), encoding="utf-8")
    return path


def test_same_pattern_in_two_entries(mini_data):
    _copy_sample(mini_data, "sample-copy")
    problems = _problems(mini_data)
    assert any(
        p.startswith("data/entries/sample-copy.yaml:16: pattern `sieg heil` is also in")
        for p in problems
    ), problems


def test_shared_pattern_is_allowed_when_declared(mini_data):
    _copy_sample(mini_data, "sample-copy")
    for name in ("sample-copy", "sample-sieg-heil"):
        _edit(mini_data, "  - text: sieg heil\n", "  - text: sieg heil\n    shared: true\n", name)
    assert not any("also in" in p for p in _problems(mini_data))


def test_common_word_needs_context(mini_data):
    _edit(mini_data, "exceptions: [sieg heilig]\n", "")
    _edit(mini_data, "  - text: sieg heil\n", "  - text: sieg heil\n  - text: zon\n    lang: nl\n")
    problems = _problems(mini_data)
    assert any(":17: pattern `zon` is a common word in `nl`" in p for p in problems), problems


def test_common_word_with_context_rule_is_accepted(mini_data):
    _edit(mini_data, "  - text: sieg heil\n", "  - text: sieg heil\n  - text: zon\n    lang: nl\n")
    _edit(mini_data, "status: active", "context:\n  requires_any: [zwarte]\nstatus: active")
    assert not any("common word" in p for p in _problems(mini_data))


def test_missing_image_file(mini_data):
    _edit(mini_data, "status: active", "images:\n  - file: images/nope.png\nstatus: active")
    problems = _problems(mini_data)
    assert any(":30: image file `images/nope.png` does not exist" in p for p in problems), problems


def test_example_that_does_not_match_fails(mini_data):
    _edit(mini_data, '"Sieg Heil kameraden!"', '"Een gewone zin zonder leus"')
    problems = _problems(mini_data, check_examples=True)
    assert any(
        p.startswith("data/entries/sample-sieg-heil.yaml:20: example does not match")
        for p in problems
    ), problems


def test_no_match_example_that_matches_fails(mini_data):
    _edit(mini_data, '"Een heilige zege voor het team"', '"Hij riep sieg heil"')
    problems = _problems(mini_data, check_examples=True)
    assert any(
        p.startswith("data/entries/sample-sieg-heil.yaml:23: example must not match")
        for p in problems
    ), problems


def test_duplicate_vocabulary_id(mini_data):
    path = mini_data / "vocab" / "ideologies.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- {id: other, label: x, label_en: x, description: x, description_en: x}\n",
        encoding="utf-8",
    )
    assert any("duplicate ideologies id `other`" in p for p in _problems(mini_data))


def test_duplicate_id_in_two_files_is_reported(mini_data):
    _copy_sample(mini_data, "sample-copy")
    _edit(mini_data, "id: sample-copy", "id: sample-sieg-heil", "sample-copy")
    problems = _problems(mini_data, check_examples=True)
    assert problems == [
        "data/entries/sample-copy.yaml:2: id `sample-sieg-heil` must equal the file name "
        "`sample-copy`",
        "data/entries/sample-sieg-heil.yaml:2: duplicate id `sample-sieg-heil` "
        "(also in data/entries/sample-copy.yaml)",
    ]


def _example_posts(data: KnowledgeData) -> list[str]:
    """Every example of the data, then each next to the following one (joined four ways)."""
    texts = [
        text
        for le in data.entries
        if le.entry.examples
        for text in (*le.entry.examples.match, *le.entry.examples.no_match)
    ]
    joins = (" ", "\n", ", ", "")
    pairs = [texts[i] + joins[i % 4] + texts[i + 1] for i in range(len(texts) - 1)]
    return texts + pairs


def test_rules_from_the_yaml_scan_like_the_built_database(built):
    """The validator's matcher (rules from YAML) is the matcher a build loads, for every post."""
    data = load_data(DATA)
    posts = _example_posts(data)
    assert len(posts) > 1000
    everything = [le.entry for le in data.entries]
    public = [e for e in everything if e.visibility == "public"]
    for entries, db in ((everything, built.restricted_output), (public, built.output)):
        cues = data.vocab["number_cues"]
        from_rules, from_db = text_matcher(entries, cues), TextMatcher.from_db(db)
        for options in ({}, {"include_weak": True, "fuzzy": True}):
            got = [[m.to_dict() for m in from_rules.scan(p, **options)] for p in posts]
            want = [[m.to_dict() for m in from_db.scan(p, **options)] for p in posts]
            assert got == want, options
        assert sum(map(len, got)) > len(posts) // 2, "the posts match"
