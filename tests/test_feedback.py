"""`symbolenbank feedback`: a platform's report becomes a draft edit of the entry's YAML."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from symbolenbank.cli import cli
from symbolenbank.feedback import FeedbackError, Report, apply_report, draft_edit, parse_issue
from symbolenbank.validate import validate_dir

DAY = dt.date(2026, 12, 1)


def entry_file(data: Path) -> Path:
    return data / "entries" / "sample-sieg-heil.yaml"


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    a, b = before.splitlines(), after.splitlines()
    return [x for x in a if x not in b], [x for x in b if x not in a]


def test_false_positive_becomes_a_no_match_example(mini_data):
    path = entry_file(mini_data)
    before = path.read_text(encoding="utf-8")
    post = "Sieg! Heil dem Sieger des Rennens"
    apply_report(mini_data, Report("sample-sieg-heil", "false-positive", post), DAY)
    after = path.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == ["updated: 2026-11-25"]
    assert added == [f'    - "{post}"', "updated: 2026-12-01"]
    doc = yaml.safe_load(after)
    assert doc["examples"]["no_match"][-1] == post
    assert after.startswith("# yaml-language-server"), "comments are kept"


def test_exception_extends_a_flow_list(mini_data):
    report = Report("sample-sieg-heil", "false-positive", "sieg heilbronn!", exception="heilbronn")
    text = draft_edit(entry_file(mini_data), report, DAY)
    assert yaml.safe_load(text)["exceptions"] == ["sieg heilig", "heilbronn"]


def test_missed_variant_with_its_pattern_validates(mini_data):
    report = Report("sample-sieg-heil", "missed-variant", "zieg hail allemaal", pattern="zieg hail")
    apply_report(mini_data, report, DAY)
    doc = yaml.safe_load(entry_file(mini_data).read_text(encoding="utf-8"))
    assert doc["patterns"][-1] == {"text": "zieg hail"}
    assert doc["examples"]["match"][-1] == "zieg hail allemaal"
    _, problems = validate_dir(mini_data)
    assert problems == []


def test_missing_lists_are_added_in_place(mini_data):
    path = entry_file(mini_data)
    path.write_text(path.read_text(encoding="utf-8").replace("exceptions: [sieg heilig]\n", ""))
    report = Report("sample-sieg-heil", "false-positive", "x", exception="sieg heilig")
    doc = yaml.safe_load(draft_edit(path, report, DAY))
    assert doc["exceptions"] == ["sieg heilig"]
    assert list(doc).index("exceptions") < list(doc).index("examples")


def test_cli_flags_report_what_is_left_to_do(mini_data):
    args = ["feedback", "--data", str(mini_data), "--entry", "sample-sieg-heil"]
    args += ["--kind", "false-positive", "--text", "Sieg Heil, riep de acteur in de film"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "examples.no_match" in result.output
    assert "to resolve:" in result.output and "must not match" in result.output
    assert "exceptions" in result.output


def test_cli_json_report_on_stdin(mini_data):
    report = {"entry_id": "sample-sieg-heil", "kind": "missed-variant", "text": "SIEG HEIL!!"}
    args = ["feedback", "--data", str(mini_data), "--json", "-"]
    result = CliRunner().invoke(cli, args, input=json.dumps(report))
    assert result.exit_code == 0, result.output
    assert "to resolve" not in result.output, "the variant is already matched"
    doc = yaml.safe_load(entry_file(mini_data).read_text(encoding="utf-8"))
    assert doc["examples"]["match"][-1] == "SIEG HEIL!!"


ISSUE_BODY = """\
### Entry id

sample-sieg-heil

### Kind of report

false-positive

### Text

```text
Wir feiern den Sieg, heil angekommen!
```

### Exception phrase

_No response_

### Platform

Example platform
"""


def test_issue_form_body_is_a_report():
    report = parse_issue(ISSUE_BODY)
    assert report == Report(
        "sample-sieg-heil",
        "false-positive",
        "Wir feiern den Sieg, heil angekommen!",
        platform="Example platform",
    )


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"entry_id": "x", "kind": "wrong", "text": "t"}, "is not one of"),
        ({"entry_id": "x", "kind": "false-positive"}, "needs `text`"),
        ({"entry_id": "x", "kind": "false-positive", "text": "t", "oops": 1}, "unknown"),
    ],
)
def test_bad_reports(doc, message):
    with pytest.raises(FeedbackError, match=message):
        Report.from_dict(doc)


def test_unknown_entry(mini_data):
    args = ["feedback", "--data", str(mini_data), "--entry", "nope", "--kind", "missed-variant"]
    result = CliRunner().invoke(cli, [*args, "--text", "x"])
    assert result.exit_code == 1 and "no entry `nope`" in result.output
