"""`symbolenbank diff`: the pull-request report, on two builds and on two git refs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbolenbank.build import build_database
from symbolenbank.cli import cli
from symbolenbank.compare import compare
from symbolenbank.corpus import read_corpus
from symbolenbank.diff import diff_report
from symbolenbank.snapshot import read_db
from tests.helpers import SAMPLE_ENTRY, add_entry, edit_sample


@pytest.fixture
def two_builds(mini_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    base = build_database(mini_data, tmp_path / "base.db", check_examples=False).output
    add_entry(mini_data, "blut-und-boden", "blut und boden")
    add_entry(mini_data, "heil-only", "heil", "borderline")
    edit_sample(mini_data, "assessment: illegal", "assessment: terrorist")
    edit_sample(mini_data, "  no_match:\n", '  no_match:\n    - "Heilige boontjes"\n')
    head = build_database(mini_data, tmp_path / "head.db", check_examples=False).output
    return base, head


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.html"
    path.write_text(
        "<html><body><p>Het team vierde een heilige zege op de tegenstander.</p>"
        "<p>Wij zeggen heil en zegen aan iedereen die vandaag jarig is.</p>"
        "<script>var heil = 1;</script><p>Een gewone zin zonder iets bijzonders erin.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    return path


def test_report_on_two_builds(two_builds, corpus):
    base, head = two_builds
    diff, report = diff_report(str(base), str(head), corpus=[corpus])
    assert diff.added == ["blut-und-boden", "heil-only"]
    assert list(diff.changed) == ["sample-sieg-heil"]
    assert "`blut-und-boden`" in report and "`heil-only`" in report
    assert "| `assessment` | illegal | terrorist |" in report
    assert "+ no_match: “Heilige boontjes”" in report
    assert "### Patterns added (2)" in report
    row = next(line for line in report.splitlines() if line.startswith("| `heil-only`"))
    assert "⚠️" in row, "a pattern that fires on benign text is flagged"
    assert "1 (" in row, "one benign paragraph contains `heil` as a word (scripts are skipped)"
    assert "fires inside `sample-sieg-heil` pattern `sieg heil`" in row
    assert "wordfreq" in report and "3 distinct paragraphs" in report
    assert "**heil**" in report, "a sample of the benign hit is shown"


def test_wordfreq_frequency_is_reported(two_builds):
    base, head = two_builds
    _, report = diff_report(str(base), str(head), corpus=[])
    row = next(line for line in report.splitlines() if line.startswith("| `heil-only`"))
    assert ", de)" in row and "not measured" in row
    assert "Benign corpus: not used" in report


def test_missing_corpus_degrades_clearly(two_builds, tmp_path):
    base, head = two_builds
    _, report = diff_report(str(base), str(head), corpus=[tmp_path / "nowhere"])
    assert "**not found**" in report and "debian-edu-doc-nl" in report


def test_retired_and_removed_entries(mini_data, tmp_path):
    add_entry(mini_data, "blut-und-boden", "blut und boden")
    base = read_db(build_database(mini_data, tmp_path / "a.db", check_examples=False).output)
    edit_sample(mini_data, "status: active", "status: retired")
    (mini_data / "entries" / "blut-und-boden.yaml").unlink()
    head = read_db(build_database(mini_data, tmp_path / "b.db", check_examples=False).output)
    diff = compare(base, head)
    assert diff.retired == ["sample-sieg-heil"] and diff.removed == ["blut-und-boden"]
    assert {p.text for p in diff.patterns_removed} == {"sieg heil", "blut und boden"}


def test_html_corpus_is_read_as_paragraphs(corpus):
    lines = read_corpus([corpus]).lines
    assert len(lines) == 3 and not any("var heil" in line for line in lines)


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@pytest.fixture
def repo(mini_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(mini_data, root / "data")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.org")
    _git(root, "config", "user.name", "Test")
    _git(root, "add", "data")
    _git(root, "commit", "-q", "-m", "first")
    add_entry(root / "data", "blut-und-boden", "blut und boden")
    (root / "data" / "entries" / "sample-sieg-heil.yaml").write_text(
        SAMPLE_ENTRY.replace("assessment: illegal", "assessment: borderline"), encoding="utf-8"
    )
    _git(root, "add", "data")
    _git(root, "commit", "-q", "-m", "second")
    return root


def test_cli_diff_on_two_git_refs(repo, tmp_path):
    out = tmp_path / "report.md"
    args = ["diff", "HEAD~1", "HEAD", "--repo", str(repo), "--no-corpus", "--output", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = out.read_text(encoding="utf-8")
    assert "`HEAD~1` → `HEAD`" in report
    assert "### Added entries (1)" in report and "`blut-und-boden`" in report
    assert "| `assessment` | illegal | borderline |" in report
    assert "`blut und boden`" in report


def test_cli_diff_ref_against_working_data(repo):
    add_entry(repo / "data", "third-entry", "dritte parole")
    args = ["diff", "HEAD", str(repo / "data"), "--repo", str(repo), "--no-corpus"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "`third-entry`" in result.output and "blut-und-boden" not in result.output


def test_cli_diff_names_a_bad_ref(repo):
    result = CliRunner().invoke(cli, ["diff", "no-such-ref", "HEAD", "--repo", str(repo)])
    assert result.exit_code == 1
    assert "'no-such-ref' is neither a database file nor a git ref" in result.output


def test_cli_diff_reports_broken_data(repo):
    edit_sample(repo / "data", "kind: slogan", "kind: slogann")
    args = ["diff", "HEAD", str(repo / "data"), "--repo", str(repo), "--no-corpus"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "sample-sieg-heil.yaml:" in result.output and "symbolenbank validate" in result.output
