"""Turn a platform's report on an entry into a draft change of that entry's YAML file.

A false positive becomes a `no_match` example (and, if given, an `exception` phrase); a missed
variant becomes a `match` example (and, if given, a new pattern). The file is edited as text, so
comments, order and layout of everything else stay as they were; `updated` is set to today.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import yamlpos

KINDS = ("false-positive", "missed-variant")
#: Issue-form headings (see .github/ISSUE_TEMPLATE/feedback.yml) and the report field they fill.
ISSUE_HEADINGS = {
    "entry id": "entry_id",
    "kind of report": "kind",
    "text": "text",
    "exception phrase": "exception",
    "missing variant": "pattern",
    "platform": "platform",
    "notes": "note",
}
NO_RESPONSE = "_No response_"


class FeedbackError(Exception):
    """A report cannot be applied; the message says what is wrong and where."""


@dataclass(frozen=True)
class Report:
    entry_id: str
    kind: str
    text: str
    exception: str | None = None
    pattern: str | None = None
    platform: str | None = None
    note: str | None = None

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Report:
        values = {k: (str(v).strip() if v is not None else None) for k, v in doc.items()}
        values = {k: v for k, v in values.items() if v and v != NO_RESPONSE}
        if "entry" in values and "entry_id" not in values:
            values["entry_id"] = values.pop("entry")
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise FeedbackError(f"unknown report field(s): {', '.join(sorted(unknown))}")
        for name in ("entry_id", "kind", "text"):
            if not values.get(name):
                raise FeedbackError(f"a report needs `{name}`")
        kind = values["kind"].lower().replace(" ", "-")
        if kind not in KINDS:
            raise FeedbackError(f"kind {values['kind']!r} is not one of {', '.join(KINDS)}")
        return cls(**{**values, "kind": kind})


def parse_json(text: str) -> Report:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise FeedbackError(f"the report is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise FeedbackError("a JSON report is an object with entry_id, kind and text")
    return Report.from_dict(doc)


def parse_issue(body: str) -> Report:
    """Read the Markdown body GitHub makes of the feedback issue form."""
    values: dict[str, str] = {}
    for block in re.split(r"^### ", body, flags=re.M)[1:]:
        heading, _, value = block.partition("\n")
        key = ISSUE_HEADINGS.get(heading.strip().lower())
        if key:
            value = value.strip()
            fence = re.fullmatch(r"```[a-z]*\n(.*?)\n?```", value, re.S)
            values[key] = fence.group(1) if fence else value
    return Report.from_dict(values)


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """Index after the last line of the node starting at `start` that is indented > `indent`."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        text = line.lstrip()
        outside = _indent(line) < indent or (_indent(line) == indent and not text.startswith("- "))
        if text and not text.startswith("#") and outside:
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _append(
    lines: list[str], doc: yamlpos.LocatedYaml, path: tuple[str, ...], item: list[str]
) -> None:
    """Append the block-style `item` lines (first starts with `- `) to the list at `path`."""
    parent: Any = doc.data
    for key in path:
        parent = parent.get(key) if isinstance(parent, dict) else None
    key_at = doc.lines.get(path)
    if parent is None or key_at is None:
        _insert_key(lines, doc, path, item)
        return
    key_line = key_at - 1
    key_indent = _indent(lines[key_line])
    first = doc.lines.get((*path, 0))
    rest = lines[key_line].split(":", 1)[1].strip()
    if rest.startswith("[") or not parent:
        # A flow list (`exceptions: [a, b]`) is rewritten as a block list of the same items.
        end = _block_end(lines, key_line, key_indent)
        block = [" " * key_indent + f"{path[-1]}:"]
        for value in parent:
            block.append(" " * (key_indent + 2) + f"- {_quote(value)}")
        block += [" " * (key_indent + 2) + line for line in item]
        lines[key_line:end] = block
        return
    dash = lines[(first or key_at + 1) - 1]
    dash_indent = _indent(dash)
    end = _block_end(lines, key_line, key_indent)
    lines[end:end] = [" " * dash_indent + line for line in item]


#: Where a missing key goes: before the first of these top-level keys that the file has.
_BEFORE = {
    "exceptions": ("examples", "images", "sources"),
    "examples": ("images", "sources"),
    "patterns": ("context", "exceptions", "examples", "images", "sources"),
}


def _insert_key(
    lines: list[str], doc: yamlpos.LocatedYaml, path: tuple[str, ...], item: list[str]
) -> None:
    if len(path) == 2:  # examples.match / examples.no_match under an existing `examples:`
        parent_at = doc.lines.get(path[:1])
        if parent_at is not None:
            end = _block_end(lines, parent_at - 1, _indent(lines[parent_at - 1]))
            lines[end:end] = [f"  {path[1]}:"] + [f"    {line}" for line in item]
            return
    block = [f"{path[0]}:"]
    if len(path) == 2:
        block += [f"  {path[1]}:"] + [f"    {line}" for line in item]
    else:
        block += [f"  {line}" for line in item]
    at = next((doc.lines[(k,)] - 1 for k in _BEFORE.get(path[0], ()) if (k,) in doc.lines), None)
    if at is None:
        at = len(lines)
    lines[at:at] = block


def _set_updated(lines: list[str], today: dt.date) -> None:
    for i, line in enumerate(lines):
        if re.match(r"^updated:\s", line):
            lines[i] = f"updated: {today.isoformat()}"
            return
    lines.append(f"updated: {today.isoformat()}")


def draft_edit(path: Path, report: Report, today: dt.date | None = None) -> str:
    """The new text of the entry file at `path` with the report applied."""
    today = today or dt.date.today()
    try:
        doc = yamlpos.load(path)
    except yamlpos.YamlError as exc:
        raise FeedbackError(str(exc)) from None
    if not isinstance(doc.data, dict):
        raise FeedbackError(f"{path}: not an entry file")
    lines = path.read_text(encoding="utf-8").splitlines()
    expected: dict[str, Any] = json.loads(json.dumps(doc.data, default=str))
    edits: list[tuple[tuple[str, ...], list[str], Any]] = []
    if report.kind == "false-positive":
        edits.append((("examples", "no_match"), [f"- {_quote(report.text)}"], report.text))
        if report.exception:
            edits.append((("exceptions",), [f"- {_quote(report.exception)}"], report.exception))
    else:
        edits.append((("examples", "match"), [f"- {_quote(report.text)}"], report.text))
        if report.pattern:
            item = [f"- text: {_quote(report.pattern)}"]
            edits.append((("patterns",), item, {"text": report.pattern}))
    for key_path, item, value in edits:
        _append(lines, doc, key_path, item)
        doc = _relocate(path, lines)
        target = expected
        for key in key_path[:-1]:
            target = target.setdefault(key, {})
        target.setdefault(key_path[-1], []).append(value)
    _set_updated(lines, today)
    expected["updated"] = today.isoformat()
    text = "\n".join(lines) + "\n"
    got = json.loads(json.dumps(yaml.safe_load(text), default=str))
    if got != expected:
        raise FeedbackError(
            f"{path}: could not edit the file safely (unusual layout); add the text by hand: "
            f"{report.text!r}"
        )
    return text


def _relocate(path: Path, lines: list[str]) -> yamlpos.LocatedYaml:
    """Line numbers of the edited text (yamlpos reads files, so parse the text the same way)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / path.name
        scratch.write_text("\n".join(lines) + "\n", encoding="utf-8")
        located = yamlpos.load(scratch)
    return yamlpos.LocatedYaml(path, located.data, located.lines)


def apply_report(data_dir: Path, report: Report, today: dt.date | None = None) -> Path:
    """Write the draft change into the entry's file; return the file's path."""
    path = data_dir / "entries" / f"{report.entry_id}.yaml"
    if not path.is_file():
        raise FeedbackError(
            f"no entry `{report.entry_id}` ({path} does not exist); "
            "check the id on the entry's page"
        )
    text = draft_edit(path, report, today)
    path.write_text(text, encoding="utf-8")
    return path
