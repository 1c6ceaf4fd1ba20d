"""Read `data/`: entries and vocabularies, each problem kept with its `path:line`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import yamlpos
from .models import CUE_POSITIONS, Entry, Movement, NumberCue, VocabItem

VOCABS = {
    "ideologies": VocabItem,
    "kinds": VocabItem,
    "assessments": VocabItem,
    "movements": Movement,
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadedEntry:
    entry: Entry
    source: yamlpos.LocatedYaml

    def line(self, *loc: str | int) -> int:
        return self.source.line_of(loc)


@dataclass
class KnowledgeData:
    """Everything under `data/` that parsed, plus the problems of what did not."""

    root: Path
    entries: list[LoadedEntry] = field(default_factory=list)
    vocab: dict[str, list[Any]] = field(default_factory=dict)
    vocab_sources: dict[str, yamlpos.LocatedYaml] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: the number-cue files, by language, with their lines
    cue_sources: dict[str, yamlpos.LocatedYaml] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def vocab_ids(self, name: str) -> set[str]:
        return {item.id for item in self.vocab.get(name, [])}


def _message(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"missing required field `{loc}`"
    if err["type"] == "extra_forbidden":
        return f"unknown field `{loc}`"
    return f"`{loc}`: {msg}" if loc else msg


def parse(model: type[BaseModel], doc: yamlpos.LocatedYaml, data: KnowledgeData) -> Any | None:
    """Validate one YAML document against `model`, recording problems with their lines."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            data.problem(doc.path, doc.line_of(tuple(err["loc"])), _message(err))
        return None


def load_data(root: Path) -> KnowledgeData:
    """Load vocabularies and every `entries/*.yaml` under `root`."""
    data = KnowledgeData(root=root)
    if not (root / "vocab").is_dir():
        data.problem(root, 0, "not a data folder: it has no vocab/ folder")
        return data
    for name, model in VOCABS.items():
        path = root / "vocab" / f"{name}.yaml"
        try:
            doc = yamlpos.load(path)
        except FileNotFoundError:
            data.problem(path, 0, f"missing vocabulary file {name}.yaml")
            continue
        except yamlpos.YamlError as exc:
            data.problem(path, exc.line, exc.message)
            continue
        data.vocab_sources[name] = doc
        items = doc.data or []
        if not isinstance(items, list):
            data.problem(path, 1, "a vocabulary file holds a YAML list of items")
            continue
        parsed = []
        for i, item in enumerate(items):
            sub = yamlpos.LocatedYaml(
                path, item, {k[1:]: v for k, v in doc.lines.items() if k[:1] == (i,)}
            )
            obj = parse(model, sub, data)
            if obj is not None:
                parsed.append(obj)
        data.vocab[name] = parsed
    _load_cues(root, data)
    for path in sorted((root / "entries").glob("*.yaml")):
        try:
            doc = yamlpos.load(path)
        except yamlpos.YamlError as exc:
            data.problem(path, exc.line, exc.message)
            continue
        if not isinstance(doc.data, dict):
            data.problem(path, 1, "an entry file holds one YAML mapping")
            continue
        entry = parse(Entry, doc, data)
        if entry is not None:
            data.entries.append(LoadedEntry(entry, doc))
    for path in sorted((root / "entries").glob("*")):
        if path.suffix != ".yaml" and path.name != "README.md":
            data.problem(path, 0, "entry files end in .yaml")
    return data


def _load_cues(root: Path, data: KnowledgeData) -> None:
    """`vocab/number-cues-<lang>.yaml`: a mapping from a position (`CUE_POSITIONS`) to a list
    of words or signs, read into `data.vocab["number_cues"]` (casefolded, in file order)."""
    cues: list[NumberCue] = []
    for path in sorted((root / "vocab").glob("number-cues-*.yaml")):
        lang = path.stem.removeprefix("number-cues-")
        try:
            doc = yamlpos.load(path)
        except yamlpos.YamlError as exc:
            data.problem(path, exc.line, exc.message)
            continue
        data.cue_sources[lang] = doc
        if not isinstance(doc.data, dict):
            data.problem(path, 1, f"a number-cue file maps {', '.join(CUE_POSITIONS)} to lists")
            continue
        for position, items in doc.data.items():
            if position not in CUE_POSITIONS:
                data.problem(
                    path,
                    doc.line_of((position,)),
                    f"unknown position `{position}`; known: {', '.join(CUE_POSITIONS)}",
                )
                continue
            if not isinstance(items, list):
                data.problem(path, doc.line_of((position,)), f"`{position}` holds a YAML list")
                continue
            seen: set[str] = set()
            for i, item in enumerate(items):
                line = doc.line_of((position, i))
                if not isinstance(item, str) or not item.strip() or item != item.strip():
                    data.problem(
                        path, line, f"a cue is a word or sign without spaces around it: {item!r}"
                    )
                    continue
                cue = " ".join(item.casefold().split())
                if cue in seen:
                    data.problem(path, line, f"`{item}` is already in `{position}`")
                    continue
                if position == "sign" and len(item) != 1:
                    data.problem(path, line, f"a sign is one character: {item!r}")
                    continue
                if position != "sign" and not all(ch.isalpha() or ch == " " for ch in item):
                    data.problem(
                        path,
                        line,
                        f"a cue word has letters and spaces only (the matcher reads words):"
                        f" {item!r}",
                    )
                    continue
                seen.add(cue)
                cues.append(
                    NumberCue(
                        id=f"{lang}:{position}:{cue}", language=lang, position=position, cue=cue
                    )
                )
    data.vocab["number_cues"] = cues
