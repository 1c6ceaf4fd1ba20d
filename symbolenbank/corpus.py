"""Benign text corpora: real Dutch and English prose that nobody in this project wrote.

Debian ships documentation under free licences: the Debian Edu manuals in Dutch and English
(`debian-edu-doc-nl`, `debian-edu-doc-en`, GPL-2+), the Debian Reference (`debian-reference-en`,
GPL-2+) and the Dutch manual pages (`manpages-nl`, GPL-2+). They are read in place, never copied,
to measure how often patterns fire on ordinary text.

Two readings of the same files, one reader: `corpus_lines` gives the prose lines of a language
for the accuracy benchmark (code and preformatted text left out, manual pages included);
`read_corpus` gives the distinct paragraphs of the files or folders the diff report is pointed
at (HTML, text and Markdown).
"""

from __future__ import annotations

import gzip
import html.parser
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SOURCES = {
    "nl": [Path("/usr/share/doc/debian-edu-doc-nl"), Path("/usr/share/man/nl")],
    "en": [Path("/usr/share/doc/debian-edu-doc-en"), Path("/usr/share/debian-reference")],
}
#: What the diff report measures new patterns against when no corpus is named: the Debian Edu
#: manuals in Dutch and English (installed by scripts/system-deps.sh).
DEFAULT_CORPUS = (
    Path("/usr/share/doc/debian-edu-doc-nl"),
    Path("/usr/share/doc/debian-edu-doc-en"),
)
CORPUS_ENV = "SYMBOLENBANK_BENIGN_CORPUS"
CORPUS_SUFFIXES = (".html", ".htm", ".txt", ".md")

_HEADINGS = frozenset(f"h{i}" for i in range(1, 7))


@dataclass(frozen=True)
class HtmlReading:
    """Which elements an HTML page's text leaves out, and which ones end a line."""

    skip: frozenset[str]
    blocks: frozenset[str]
    #: Line breaks inside an element's text are spaces (else they end the line too).
    join_lines: bool


#: Prose only: code and preformatted text are left out, a paragraph is one line.
PROSE = HtmlReading(
    skip=frozenset({"script", "style", "pre", "code", "tt", "kbd", "samp"}),
    blocks=frozenset(
        {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "div", "br", "title"}
    ),
    join_lines=True,
)
#: Everything a reader sees: only scripts and styles are left out.
VISIBLE = HtmlReading(
    skip=frozenset({"script", "style"}),
    blocks=frozenset(
        {"p", "li", "div", "br", "tr", "td", "th", "dt", "dd", "pre", "title", "section"}
    )
    | _HEADINGS,
    join_lines=False,
)


class _TextExtractor(html.parser.HTMLParser):
    def __init__(self, reading: HtmlReading) -> None:
        super().__init__(convert_charrefs=True)
        self.reading = reading
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.reading.skip:
            self.depth += 1
        elif tag in self.reading.blocks:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.reading.skip:
            self.depth = max(0, self.depth - 1)
        elif tag in self.reading.blocks:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data.replace("\n", " ") if self.reading.join_lines else data)


def html_text(text: str, reading: HtmlReading) -> str:
    """The text of an HTML page, a line break at the start and end of each block element."""
    parser = _TextExtractor(reading)
    parser.feed(text)
    return "".join(parser.parts)


def _lines(text: str) -> Iterator[str]:
    """Each line of `text` with its whitespace collapsed."""
    return (" ".join(line.split()) for line in text.splitlines())


def _html_lines(path: Path) -> Iterator[str]:
    text = html_text(path.read_text(encoding="utf-8", errors="replace"), PROSE)
    return (line for line in _lines(text) if len(line) >= 20)


def _man_lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for raw in f:
            if raw.startswith((".", "'", '\\"')):
                continue
            line = raw
            for esc in ("\\fB", "\\fI", "\\fR", "\\fP", "\\-", "\\(em", "\\&", "\\e"):
                line = line.replace(esc, "-" if esc == "\\-" else "")
            line = " ".join(line.split())
            if len(line) >= 20:
                yield line


def corpus_lines(lang: str, sources: list[Path] | None = None) -> list[str]:
    """Lines of benign prose in `lang` from the installed sources (empty if none installed)."""
    lines: list[str] = []
    for root in sources if sources is not None else DEFAULT_SOURCES.get(lang, []):
        if not root.exists():
            continue
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.name.endswith((".html", ".htm")):
                lines.extend(_html_lines(path))
            elif path.name.endswith(".gz") and "/man" in str(path) and path.name != "changelog.gz":
                lines.extend(_man_lines(path))
    return lines


@dataclass
class Corpus:
    """Paragraphs of benign text, and the paths asked for that were not there."""

    paths: list[Path]
    lines: list[str] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(line.split()) for line in self.lines)


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        text = html_text(text, VISIBLE)
    return [line for line in _lines(text) if len(line.split()) >= 3]


def corpus_paths(option: list[Path] | None = None) -> list[Path]:
    """The paths given, else $SYMBOLENBANK_BENIGN_CORPUS (os.pathsep-separated), else Debian's."""
    if option:
        return list(option)
    env = os.environ.get(CORPUS_ENV)
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return list(DEFAULT_CORPUS)


def read_corpus(paths: list[Path]) -> Corpus:
    """Distinct paragraphs of every text or HTML file in `paths` (files or folders)."""
    corpus, seen = Corpus(paths), set()
    for root in paths:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.suffix in CORPUS_SUFFIXES)
        else:
            corpus.missing.append(root)
            continue
        for path in files:
            for line in _paragraphs(path):
                if line not in seen:
                    seen.add(line)
                    corpus.lines.append(line)
    return corpus
