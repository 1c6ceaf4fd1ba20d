"""`symbolenbank new`: a complete entry file from flags or prompts, validated on the spot."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner

from symbolenbank.cli import cli
from symbolenbank.models import Entry
from symbolenbank.scaffold import NewEntry, ScaffoldError, missing, render
from symbolenbank.validate import validate_dir

SUMMARY = (
    "Leus uit de nazitijd die in neonazistische kringen wordt gebruikt om bloed en bodem als "
    "basis van het volk te verheerlijken."
)
SUMMARY_EN = (
    "Nazi-era slogan used in neo-Nazi circles to glorify blood and soil as the foundation of the "
    "people."
)
FLAGS = [
    "--id", "blut-und-boden-test", "--title", "Blut und Boden", "--title-en", "Blood and Soil",
    "--kind", "slogan", "--ideology", "right-wing-extremism", "--language", "de",
    "--assessment", "illegal", "--summary", SUMMARY, "--summary-en", SUMMARY_EN,
    "--pattern", "blut und boden", "--match-example", "Blut und Boden, kameraden!",
    "--match-example", "#BlutUndBoden voor altijd", "--no-match-example", "Bloed op de bodem",
    "--source-url", "https://example.org/blut-und-boden", "--source-title", "Blut und Boden",
    "--source-publisher", "Example",
]  # fmt: skip


def test_new_from_flags_writes_a_valid_entry(mini_data):
    result = CliRunner().invoke(cli, ["new", "--data", str(mini_data), "--no-input", *FLAGS])
    assert result.exit_code == 0, result.output
    path = mini_data / "entries" / "blut-und-boden-test.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = Entry.model_validate(doc)
    assert entry.added == entry.updated == dt.date.today()
    assert entry.sources[0].accessed == dt.date.today()
    assert entry.patterns[0].text == "blut und boden" and entry.status == "active"
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    _, problems = validate_dir(mini_data)
    assert problems == []


def test_new_prompts_for_what_the_flags_leave_out(mini_data):
    given = FLAGS[: FLAGS.index("--summary")]
    answers = "\n".join(
        [
            SUMMARY,
            SUMMARY_EN,
            "blut und boden",
            "",
            "Blut und Boden, kameraden!",
            "#BlutUndBoden voor altijd",
            "",
            "Bloed op de bodem",
            "",
            "https://example.org/blut-und-boden",
            "Blut und Boden",
            "Example",
        ]
    )
    result = CliRunner().invoke(cli, ["new", "--data", str(mini_data), *given], input=answers)
    assert result.exit_code == 0, result.output
    assert "Summary (Dutch" in result.output and "Example that must match 2" in result.output
    _, problems = validate_dir(mini_data)
    assert problems == []


def test_new_without_input_names_the_missing_flags(mini_data):
    result = CliRunner().invoke(cli, ["new", "--data", str(mini_data), "--no-input", "--id", "x"])
    assert result.exit_code == 2
    assert "--title-en" in result.output and "--source-url" in result.output


def test_new_refuses_an_existing_id(mini_data):
    flags = list(FLAGS)
    flags[1] = "sample-sieg-heil"
    result = CliRunner().invoke(cli, ["new", "--data", str(mini_data), "--no-input", *flags])
    assert result.exit_code == 1
    assert "already exists" in result.output and "never reused" in result.output


def test_new_keeps_the_draft_and_reports_its_problems(mini_data):
    flags = [f if f != "Bloed op de bodem" else "Blut und Boden!" for f in FLAGS]
    result = CliRunner().invoke(cli, ["new", "--data", str(mini_data), "--no-input", *flags])
    assert result.exit_code == 1
    assert "blut-und-boden-test.yaml:" in result.output and "must not match" in result.output
    assert (mini_data / "entries" / "blut-und-boden-test.yaml").is_file()


def _new(**changes) -> NewEntry:
    values = dict(
        id="x-test", title="A: \"quoted\" # title", title_en="T", kind="slogan",
        ideologies=["right-wing-extremism"], languages=["de"], assessment="illegal",
        summary="Tekst met: dubbele punt, # hekje en 'aanhalingstekens' " * 3,
        summary_en=SUMMARY_EN, patterns=["a: b", "🔥"], examples_match=["a", "b"],
        examples_no_match=["c"], source_url="https://example.org/", source_title="S",
        source_publisher="P", today=dt.date(2026, 11, 25),
    )  # fmt: skip
    values.update(changes)
    return NewEntry(**values)


def test_render_round_trips_awkward_text():
    new = _new()
    doc = yaml.safe_load(render(new))
    assert doc["title"] == new.title
    assert doc["summary"] == " ".join(new.summary.split())
    assert doc["patterns"] == [{"text": "a: b", "match": "word"}, {"emoji": "🔥"}]
    assert doc["added"] == dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    "changes, needed",
    [
        ({"kind": "number"}, ["benign_uses", "benign_uses_en"]),
        ({"assessment": "context"}, ["benign_uses", "benign_uses_en"]),
        ({"title": ""}, ["title"]),
    ],
)
def test_missing_follows_the_format_rules(changes, needed):
    values = {**vars(_new()), **changes}
    assert missing(values) == needed
    with pytest.raises(ScaffoldError, match="missing"):
        render(_new(**changes))


def test_numbers_get_token_matching():
    text = render(_new(kind="number", patterns=["1488"], benign_uses="x", benign_uses_en="y"))
    assert yaml.safe_load(text)["patterns"] == [{"text": "1488", "match": "token"}]
