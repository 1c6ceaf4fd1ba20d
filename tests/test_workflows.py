"""The repository workflow: GitHub workflows, templates and docs fit the commands the tests run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from symbolenbank.cli import cli
from symbolenbank.feedback import ISSUE_HEADINGS, KINDS, Report
from tests.helpers import add_entry

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
COMMAND = re.compile(r"(?:^|\$\(|&&|;|\|)\s*symbolenbank\s+([a-z][a-z-]*)(.*)$")


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path.name} is not a YAML mapping"
    return doc


def run_steps(doc: dict) -> list[tuple[str, dict]]:
    return [
        (step["run"], step)
        for job in doc["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]


def invocations(script: str) -> list[tuple[str, str]]:
    """`symbolenbank <command> <rest>` in a shell script, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [m.groups() for line in joined.splitlines() if (m := COMMAND.search(line.strip()))]


def all_invocations() -> list[tuple[str, str, str]]:
    return [
        (path.name, command, rest)
        for path in WORKFLOWS
        for script, _ in run_steps(load(path))
        for command, rest in invocations(script)
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid(path):
    doc = load(path)
    assert doc.get("name") and (doc.get("on") or doc.get(True)), "needs `name` and `on`"
    assert "permissions" in doc, "say which token permissions the workflow needs"
    for name, job in doc["jobs"].items():
        assert job.get("runs-on") and job.get("steps"), f"job {name} needs runs-on and steps"
        for step in job["steps"]:
            assert ("run" in step) != ("uses" in step), f"{name}: a step runs or uses"
    for script, _ in run_steps(doc):
        # Untrusted event text must reach scripts through env:, never as ${{ }} in the script.
        assert "${{ github.event" not in script and "${{ inputs" not in script


def test_workflows_call_the_commands_the_tests_exercise():
    used = {command for _, command, _ in all_invocations()}
    assert {"validate", "build", "diff", "release", "feedback"} <= used


@pytest.mark.parametrize("workflow, command, rest", all_invocations())
def test_workflow_commands_and_options_exist(workflow, command, rest):
    assert command in cli.commands, f"{workflow}: `symbolenbank {command}` is not a command"
    known = {opt for p in cli.commands[command].params for opt in getattr(p, "opts", [])}
    for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
        assert option in known, f"{workflow}: `symbolenbank {command}` has no {option}"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_pr_report_step_runs_as_written(mini_data, tmp_path):
    """Run the workflow's own diff script in a repository shaped like a pull request checkout."""
    doc = load(GITHUB / "workflows" / "pr-report.yml")
    script, step = next((s, st) for s, st in run_steps(doc) if "symbolenbank diff" in s)
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(mini_data, repo / "data")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.email=t@example.org", "-c", "user.name=T", "add", "data")
    _git(repo, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qm", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    add_entry(repo / "data", "blut-und-boden", "blut und boden")
    _git(repo, "-c", "user.email=t@example.org", "-c", "user.name=T", "add", "data")
    _git(repo, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qm", "pr")
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        **step.get("env", {}),
        "BASE_REF": "main",
        "GITHUB_STEP_SUMMARY": str(summary),
        "SYMBOLENBANK_BENIGN_CORPUS": str(tmp_path / "no-corpus-here"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo, env=env, check=True)
    report = (repo / "pr-report" / "report.md").read_text(encoding="utf-8")
    assert "`blut-und-boden`" in report and "### Added entries (1)" in report
    assert summary.read_text(encoding="utf-8") == report


def test_feedback_issue_form_maps_to_the_report():
    form = load(GITHUB / "ISSUE_TEMPLATE" / "feedback.yml")
    fields = [f for f in form["body"] if f["type"] != "markdown"]
    labels = {f["attributes"]["label"].lower(): f["id"] for f in fields}
    assert labels == ISSUE_HEADINGS
    assert set(labels.values()) <= set(Report.__dataclass_fields__)
    kind = next(f for f in fields if f["id"] == "kind")
    assert tuple(kind["attributes"]["options"]) == KINDS
    required = {f["id"] for f in fields if f.get("validations", {}).get("required")}
    assert required == {"entry_id", "kind", "text"}


def test_pull_request_template_and_codeowners():
    template = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ]") >= 5 and "symbolenbank validate" in template
    owners = (ROOT / "CODEOWNERS").read_text(encoding="utf-8")
    assert re.search(r"^/data/\s+@", owners, re.M)


def test_contributing_documents_the_workflow():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for command in ("new", "validate", "diff", "feedback", "release"):
        assert f"symbolenbank {command}" in text
    for word in ("terrorist", "illegal", "borderline", "context", "Sourcing", "Review checklist"):
        assert word in text
