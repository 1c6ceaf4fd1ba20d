"""The precision benchmark's contract: every strict match judged or shown UNJUDGED, no corpus
text in the report written for the repository, and the judgements kept in step with the corpora.

The figures themselves are the benchmark's (benchmarks/text_precision.py), never asserted here.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from symbolenbank.build import build_database
from symbolenbank.corpus import CHAT_CORPORA_ENV, chat_corpora_dir, posts
from tests.helpers import ROOT

SCRIPT = ROOT / "benchmarks" / "text_precision.py"
JUDGEMENTS = ROOT / "benchmarks" / "judgements.yaml"
POST = "Gestern rief einer Sieg Heil am Bahnhof Wanne-Eickel"


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@pytest.fixture
def setup(mini_data: Path, tmp_path: Path) -> dict[str, Path]:
    """A built mini knowledge base, a chat corpus with one strict match, and sentence files."""
    db = build_database(mini_data, tmp_path / "kb.db", check_examples=False).output
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "de_chat.txt").write_text(
        f"Ein ganz normaler Satz über das Wetter\n\n{POST}\n", encoding="utf-8"
    )
    (corpora / "en_chat.txt").write_text("nothing to see here\n", encoding="utf-8")
    benign = tmp_path / "benign"
    benign.mkdir()
    (benign / "nl.yaml").write_text(
        'sample-sieg-heil:\n  - "De zege was heilig voor het team"\n'
        '  - "Hij riep sieg heil bij de wedstrijd, schreef de krant"\n',
        encoding="utf-8",
    )
    return {"db": db, "corpora": corpora, "benign": benign, "tmp": tmp_path}


def run(setup: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    base = ["--db", str(setup["db"]), "--corpora", str(setup["corpora"])]
    base += ["--benign", str(setup["benign"])]
    if "--judgements" not in args:
        base += ["--judgements", str(setup["tmp"] / "none.yaml")]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *base, *args], cwd=ROOT, capture_output=True, text=True
    )


def test_an_unjudged_strict_match_fails_the_check_and_shows_no_corpus_text(setup):
    result = run(setup, "--no-excerpts", "--check", "--stubs")
    assert result.returncode == 1, result.stderr
    assert "1 strict match(es) UNJUDGED" in result.stderr
    row = next(line for line in result.stdout.splitlines() if "| de_chat.txt | 3 |" in line)
    assert f"| {key(POST)} | `sample-sieg-heil` | `Sieg Heil` | **UNJUDGED** |" in row
    assert "Bahnhof" not in result.stdout and "Wetter" not in result.stdout
    assert f"- post: {key(POST)}\n    line: 3\n    entry: sample-sieg-heil" in result.stderr
    assert "| de_chat.txt | de | 2 | 1 | 50.000% | 0 | 0.000% | 1 | FAIL | UNKNOWN" in result.stdout


def test_excerpts_only_on_request_of_the_reader(setup):
    result = run(setup)
    assert result.returncode == 0, result.stderr
    assert "Gestern rief einer Sieg Heil am Bahnhof Wanne-Eickel" in result.stdout


def test_a_judged_match_passes_the_check(setup):
    judgements = setup["tmp"] / "judgements.yaml"
    judgements.write_text(
        yaml.safe_dump(
            {
                "de_chat.txt": [
                    {
                        "post": key(POST),
                        "line": 3,
                        "entry": "sample-sieg-heil",
                        "judgement": "harmless",
                        "note": "test judgement",
                    },
                    {
                        "post": key("Ein ganz normaler Satz über das Wetter"),
                        "line": 1,
                        "entry": "sample-sieg-heil",
                        "judgement": "mention",
                        "note": "a match the matcher no longer makes",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = run(setup, "--judgements", str(judgements), "--no-excerpts", "--check")
    assert result.returncode == 0, result.stderr
    assert "`Sieg Heil` | harmless | test judgement |" in result.stdout
    # One harmless post of two is far above 0.05%.
    assert "| de_chat.txt | de | 2 | 1 | 50.000% | 1 | 50.000% | 0 | FAIL | FAIL |" in (
        result.stdout
    )
    assert "| en_chat.txt | en | 1 | 0 | 0.000% | 0 | 0.000% | 0 | PASS | PASS |" in result.stdout
    stale = "- de_chat.txt line 1, post " + key("Ein ganz normaler Satz über das Wetter")
    assert f"{stale}, `sample-sieg-heil`: mention" in result.stdout


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"judgement": "maybe"}, "`judgement` must be one of extremist, mention, harmless"),
        ({"note": " "}, "`note` must say in a few words why"),
        ({"post": "xyz"}, "`post` must be 12 lowercase hex digits"),
        ({"reason": "x"}, "unknown field(s) reason"),
    ],
)
def test_a_bad_judgement_is_refused_with_what_to_fix(setup, item, message):
    good = {"post": key(POST), "entry": "sample-sieg-heil", "judgement": "mention", "note": "n"}
    judgements = setup["tmp"] / "judgements.yaml"
    judgements.write_text(yaml.safe_dump({"de_chat.txt": [good | item]}), encoding="utf-8")
    result = run(setup, "--judgements", str(judgements))
    assert result.returncode == 1
    assert f"{judgements}: de_chat.txt: judgement 1: {message}" in result.stderr


def test_sentence_files_that_exist_are_measured_and_the_missing_named(setup):
    result = run(setup, "--no-excerpts")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Missing: `de.yaml`, `en.yaml`." in out
    assert "| nl | 2 | 1 | 50.000% |" in out and "**FAIL**" in out
    assert (
        "| nl | `sample-sieg-heil` | Hij riep sieg heil bij de wedstrijd, schreef de krant | "
        "`sample-sieg-heil` `sieg heil` at 9–18 (The entry has no context rule: the sign counts"
        " on its own.) |"
    ) in out
    assert "No mention files." in out
    assert "14 of 14 named sentences pass." in out, "the mini knowledge base has no numbers"


def test_bad_sentence_file_and_missing_corpora_folder_are_clear_errors(setup):
    (setup["benign"] / "de.yaml").write_text("sample-sieg-heil:\n  - 1488\n", encoding="utf-8")
    result = run(setup)
    assert result.returncode == 1
    assert "de.yaml: sample-sieg-heil: sentence 1 is not text (quote it)" in result.stderr
    result = run(setup, "--corpora", str(setup["tmp"] / "nowhere"))
    assert result.returncode == 2 and "no such folder" in result.stderr


def test_shipped_judgements_name_real_posts_at_their_lines():
    """Each judgement's post key is a post of its corpus, at the line it gives the reader."""
    folder = chat_corpora_dir(None, ROOT)
    doc = yaml.safe_load(JUDGEMENTS.read_text(encoding="utf-8"))
    if not folder.is_dir():
        pytest.skip(
            f"the chat corpora are not at {folder} (they sit beside the repository in CI; "
            f"set ${CHAT_CORPORA_ENV} to point elsewhere)"
        )
    for corpus, items in doc.items():
        lines = {key(text): number for number, text in posts(folder / corpus)}
        for item in items:
            assert lines.get(item["post"]) == item["line"], (corpus, item)


def test_mentions_are_reported_apart_without_a_target(setup):
    (setup["benign"] / "nl-mentions.yaml").write_text(
        'sample-sieg-heil:\n  - "De krant schreef dat hij sieg heil riep"\n  - "Een les"\n',
        encoding="utf-8",
    )
    out = run(setup, "--no-excerpts").stdout
    assert "1 of 2 mentions are strict matches (50.000%)" in out, out
    assert "| nl | 2 | 1 |" in out
    assert "| nl | 2 | 1 | 50.000% |" in out, "the harmless sentences are counted as before"
