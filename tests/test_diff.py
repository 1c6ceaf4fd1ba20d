"""`symbolenbank diff`: the pull-request report, on two builds and on two git refs, and its
false-positive risk on benign documents and chat corpora, per language."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbolenbank.build import build_database
from symbolenbank.cli import cli
from symbolenbank.compare import compare
from symbolenbank.corpus import (
    CHAT_CORPORA_ENV,
    CORPUS_ENV,
    chat_corpora_dir,
    name_language,
    posts,
    read_chat_corpora,
    read_corpus,
)
from symbolenbank.diff import diff_report
from symbolenbank.snapshot import read_db
from tests.helpers import ROOT, SAMPLE_ENTRY, add_entry, edit_sample


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
    path = tmp_path / "nl_corpus.html"
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
    # One Dutch paragraph has `heil` as a word (scripts are skipped); the pattern is German.
    assert "no benign corpus in de; 1 in nl text" in row
    assert "fires inside `sample-sieg-heil` pattern `sieg heil`" in row
    assert "wordfreq" in report and "Benign corpora cover **nl**: 3 lines" in report
    assert f"- `{corpus}` (nl): 3 paragraphs" in report
    assert "2 new pattern(s) in a language without a benign corpus (de)" in report
    assert "**heil**" in report, "a sample of the benign hit is shown"


def test_wordfreq_frequency_is_reported(two_builds):
    base, head = two_builds
    _, report = diff_report(str(base), str(head), corpus=[])
    row = next(line for line in report.splitlines() if line.startswith("| `heil-only`"))
    assert ", de)" in row and "not measured" in row
    assert "Benign corpus: not used" in report


def test_missing_corpus_degrades_clearly(two_builds, tmp_path):
    base, head = two_builds
    _, report = diff_report(
        str(base), str(head), corpus=[tmp_path / "nowhere"], chat_corpora=tmp_path / "no-chat"
    )
    assert "**not found**" in report and "debian-edu-doc-nl" in report
    assert f"chat corpora `{tmp_path / 'no-chat'}`: pass `--corpora DIR`" in report
    row = next(line for line in report.splitlines() if line.startswith("| `heil-only`"))
    assert "not measured" in row and "no benign corpus" not in row


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


# ---------------------------------------------------------------------------------------------
# Chat corpora: one post per line, the language in the file name


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    """A chat-corpus folder in German and English (posts written for this test)."""
    folder = tmp_path / "chat"
    folder.mkdir()
    (folder / "de_forum.txt").write_text(
        "Petri Heil, sagt der Angler am Morgen\n"
        "\n"
        "Der Zug nach Köln fällt heute leider aus\n"
        "Wir grillen am Samstag im Garten, kommt vorbei\n",
        encoding="utf-8",
    )
    (folder / "en_replies.txt").write_text(
        "thanks for the tip, it worked\nheil is not a word we use here @someone\n",
        encoding="utf-8",
    )
    (folder / "README.md").write_text("Not a corpus: only .txt files are read.\n")
    return folder


def _row(report: str, entry: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(f"| `{entry}`"))


def test_chat_corpus_measures_a_pattern_on_its_own_language(two_builds, chat):
    base, head = two_builds
    _, report = diff_report(str(base), str(head), corpus=[], chat_corpora=chat)
    row = _row(report, "heil-only")
    # 1 of the 3 German posts; the English hit is counted apart, not in the German rate.
    assert "1 (3333.3 per 10k de lines); more: 1 in en text" in row and "⚠️" in row
    assert "no benign corpus" not in row
    assert "0 (0.0 per 10k de lines)" in _row(report, "blut-und-boden")
    assert "Benign corpora cover **de, en**: 5 lines" in report
    assert f"- `{chat / 'de_forum.txt'}` (de): 3 posts" in report
    assert f"- `{chat / 'en_replies.txt'}` (en): 2 posts" in report
    assert "README" not in report and "without a benign corpus" not in report
    assert "@…" in report and "@someone" not in report, "user handles in samples are masked"


def test_language_without_benign_text_is_named_not_counted_as_zero(two_builds, tmp_path):
    base, head = two_builds
    folder = tmp_path / "chat"
    folder.mkdir()
    (folder / "nl_chat.txt").write_text("Een gewone zin over de tuin\n", encoding="utf-8")
    (folder / "en_chat.txt").write_text("An ordinary line about the garden\n", encoding="utf-8")
    _, report = diff_report(str(base), str(head), corpus=[], chat_corpora=folder)
    for entry in ("heil-only", "blut-und-boden"):
        row = _row(report, entry)
        assert "no benign corpus in de" in row and "0 (" not in row, row
    assert "Benign corpora cover **en, nl**" in report
    assert "2 new pattern(s) in a language without a benign corpus (de)" in report


def test_documents_and_chat_corpora_are_measured_together(two_builds, corpus, chat):
    base, head = two_builds
    _, report = diff_report(str(base), str(head), corpus=[corpus], chat_corpora=chat)
    assert "1 (3333.3 per 10k de lines); more: 1 in en text, 1 in nl text" in _row(
        report, "heil-only"
    )
    assert "Benign corpora cover **de, en, nl**: 8 lines" in report


def test_posts_are_lines_with_their_numbers(tmp_path):
    path = tmp_path / "de_x.txt"
    path.write_bytes("eins\r\n\nzwei\u2028noch zwei\n  \ndrei".encode())
    assert list(posts(path)) == [(1, "eins"), (3, "zwei\u2028noch zwei"), (5, "drei")]
    (tmp_path / "en_y.txt").write_text("one\none\ntwo\n", encoding="utf-8")
    sources = read_chat_corpora(tmp_path).sources
    assert [(s.path.name, s.lang, s.lines) for s in sources] == [
        ("de_x.txt", "de", ["eins", "zwei\u2028noch zwei", "drei"]),
        ("en_y.txt", "en", ["one", "two"]),
    ]


def test_chat_folder_without_text_files_says_so(two_builds, tmp_path):
    base, head = two_builds
    (tmp_path / "empty").mkdir()
    _, report = diff_report(str(base), str(head), corpus=[], chat_corpora=tmp_path / "empty")
    assert "**not found**" in report and "no lines in the corpus given" in report


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("de_germeval2018_other.txt", "de"),
        ("debian-edu-doc-nl", "nl"),
        ("man/nl", "nl"),
        ("notes-en.v2.md", "en"),
        ("corpus.html", None),
        ("debian-reference", None),
        ("deutsch.txt", None),
    ],
)
def test_a_corpus_name_gives_its_language(name, lang):
    assert name_language(Path(name)) == lang


def test_chat_corpora_folder_option_then_environment_then_beside_the_repository(
    tmp_path, monkeypatch
):
    repo = tmp_path / "checkout"
    (repo / "data" / "entries").mkdir(parents=True)
    _git(repo.parent, "init", "-q", str(repo))
    monkeypatch.delenv(CHAT_CORPORA_ENV, raising=False)
    expected = tmp_path / "shared" / "corpora"
    assert chat_corpora_dir(None, repo) == expected
    assert chat_corpora_dir(None, repo / "data" / "entries") == expected, "from a subfolder"
    monkeypatch.setenv(CHAT_CORPORA_ENV, str(tmp_path / "env"))
    assert chat_corpora_dir(None, repo) == tmp_path / "env"
    assert chat_corpora_dir(tmp_path / "opt", repo) == tmp_path / "opt"


def test_cli_diff_reads_the_chat_corpora_beside_the_repository(repo, tmp_path, monkeypatch):
    shared = tmp_path / "shared" / "corpora"
    shared.mkdir(parents=True)
    (shared / "de_chat.txt").write_text(
        "Blut und Boden heißt ein altes Buch über Landwirtschaft\nNur ein Satz\n",
        encoding="utf-8",
    )
    monkeypatch.delenv(CHAT_CORPORA_ENV, raising=False)
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path / "no-documents"))
    args = ["diff", "HEAD~1", "HEAD", "--repo", str(repo)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 (5000.0 per 10k de lines)" in _row(result.output, "blut-und-boden")
    assert f"- `{shared / 'de_chat.txt'}` (de): 2 posts" in result.output
    assert "Not found: `" in result.output and "no-documents" in result.output

    other = tmp_path / "other"
    other.mkdir()
    (other / "nl_chat.txt").write_text("Een zin zonder iets\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "--corpora", str(other)])
    assert result.exit_code == 0, result.output
    assert "no benign corpus in de" in _row(result.output, "blut-und-boden")

    result = CliRunner().invoke(cli, [*args, "--corpora", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output


def _shared_corpora() -> Path:
    folder = chat_corpora_dir(None, ROOT)
    if not (folder / "de_germeval2018_other.txt").is_file():
        pytest.skip(
            f"the chat corpora are not at {folder} (they sit beside the repository in CI; "
            f"set ${CHAT_CORPORA_ENV} to point elsewhere)"
        )
    return folder


def test_german_pattern_is_measured_on_the_german_chat_corpus(mini_data, tmp_path):
    """On the real corpora: German text is there, so a German name is measured, not assumed."""
    folder = _shared_corpora()
    base = build_database(mini_data, tmp_path / "base.db", check_examples=False).output
    add_entry(mini_data, "reichsburger-test", "reichsbürger")
    head = build_database(mini_data, tmp_path / "head.db", check_examples=False).output
    _, report = diff_report(str(base), str(head), corpus=[], chat_corpora=folder)
    row = _row(report, "reichsburger-test")
    hits = re.search(r"\| (\d+) \([\d.]+ per 10k de lines\)", row)
    assert hits and int(hits.group(1)) >= 1, row
    assert "no benign corpus" not in row and "⚠️" in row
    assert "Benign corpora cover **de, en, nl**" in report
    lines = re.findall(r"- `[^`]*/(\w\w)_[^`]*\.txt` \((\w\w)\): ([\d,]+) posts", report)
    assert {(name, lang) for name, lang, _ in lines} == {("de", "de"), ("en", "en"), ("nl", "nl")}
    assert all(int(n.replace(",", "")) > 1000 for _, _, n in lines)
