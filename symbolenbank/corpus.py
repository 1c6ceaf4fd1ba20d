"""Benign text corpora: real everyday text that nobody in this project wrote.

Two kinds, both read in place and never copied into the repository, to measure how often
patterns fire on ordinary text:

- documents: Debian ships documentation under free licences: the Debian Edu manuals in Dutch and
  English (`debian-edu-doc-nl`, `debian-edu-doc-en`, GPL-2+), the Debian Reference
  (`debian-reference-en`, GPL-2+) and the Dutch manual pages (`manpages-nl`, GPL-2+);
- chat corpora: a folder of `<lang>_<name>.txt` files with one social-media post or line of
  dialogue per line (`../shared/corpora/` beside the repository, described by its README),
  which is how the report gets German at all and what posts on a platform look like.

`corpus_lines` gives the prose lines of a language for the accuracy benchmark (code and
preformatted text left out, manual pages included); `read_corpus` the distinct paragraphs of the
documents the diff report is pointed at (HTML, text and Markdown), `read_chat_corpora` the posts
of a chat folder, each source with its language so a report can say which languages it covers.
"""

from __future__ import annotations

import gzip
import html.parser
import os
import re
from collections.abc import Iterable, Iterator
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
#: The folder of chat corpora, when `--corpora` names none (else `../shared/corpora/` beside
#: the repository).
CHAT_CORPORA_ENV = "SYMBOLENBANK_CORPORA"

#: A language named by a file or folder (up to its first dot): `de_germeval.txt`,
#: `debian-edu-doc-nl`, `man/nl`.
_NAME_LANG = re.compile(r"^(?P<lang>[a-z]{2})(?:$|_)|[-_](?P<suffix>[a-z]{2})$")

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


def name_language(path: Path) -> str | None:
    """The ISO 639-1 code a corpus file or folder's name gives (`de_…`, `…-nl`, `nl`), else None."""
    found = _NAME_LANG.search(path.name.split(".")[0])
    return (found.group("lang") or found.group("suffix")) if found else None


@dataclass
class CorpusSource:
    """One file or folder of benign text: its language (None when its name does not say), what
    a line of it is (`paragraphs` of documents, `posts` of a chat corpus) and its distinct lines.
    `found` is False when the path asked for was not there."""

    path: Path
    lang: str | None
    unit: str
    lines: list[str] = field(default_factory=list)
    found: bool = True


@dataclass
class Corpus:
    """Benign text from several sources, each with its language."""

    sources: list[CorpusSource] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for source in self.sources for line in source.lines]

    @property
    def words(self) -> int:
        return sum(len(line.split()) for source in self.sources for line in source.lines)

    @property
    def missing(self) -> list[CorpusSource]:
        return [source for source in self.sources if not source.found]

    @property
    def languages(self) -> list[str]:
        """The languages that have at least one line."""
        return sorted({s.lang for s in self.sources if s.lang and s.lines})

    def __add__(self, other: Corpus) -> Corpus:
        return Corpus(self.sources + other.sources)


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        text = html_text(text, VISIBLE)
    return [line for line in _lines(text) if len(line.split()) >= 3]


def _distinct(lines: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def corpus_paths(option: list[Path] | None = None) -> list[Path]:
    """The paths given, else $SYMBOLENBANK_BENIGN_CORPUS (os.pathsep-separated), else Debian's."""
    if option:
        return list(option)
    env = os.environ.get(CORPUS_ENV)
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return list(DEFAULT_CORPUS)


def read_corpus(paths: list[Path]) -> Corpus:
    """Distinct paragraphs of every text or HTML file in `paths` (files or folders), one source
    per path, its language from its name (`debian-edu-doc-nl`, `de_notes.txt`)."""
    corpus = Corpus()
    for root in paths:
        source = CorpusSource(root, name_language(root), "paragraphs")
        corpus.sources.append(source)
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.suffix in CORPUS_SUFFIXES)
        else:
            source.found = False
            continue
        source.lines = _distinct(line for path in files for line in _paragraphs(path))
    return corpus


def chat_corpora_dir(option: Path | None = None, repo: Path = Path(".")) -> Path:
    """The folder given, else $SYMBOLENBANK_CORPORA, else `../shared/corpora` beside the
    repository that holds `repo` (its top-level folder, where `.git` is)."""
    if option is not None:
        return option
    env = os.environ.get(CHAT_CORPORA_ENV)
    if env:
        return Path(env)
    top = repo.resolve()
    for folder in (top, *top.parents):
        if (folder / ".git").exists():
            top = folder
            break
    return top.parent / "shared" / "corpora"


def posts(path: Path) -> Iterator[tuple[int, str]]:
    """(line number from 1, text) of every non-empty line of a chat corpus file.

    Lines are split at newlines only: the files put one post on a line and replaced the
    newlines inside posts, so other line separators (U+2028, form feeds) belong to the post.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if line.strip():
            yield number, line


def read_chat_corpora(folder: Path) -> Corpus:
    """The distinct posts of every `*.txt` file in `folder`, one source per file, its language
    from the file name's `<lang>_` prefix. A missing folder is one source that was not found."""
    if not folder.is_dir():
        return Corpus([CorpusSource(folder, None, "posts", found=False)])
    files = sorted(folder.glob("*.txt"))
    if not files:
        return Corpus([CorpusSource(folder, None, "posts")])
    return Corpus(
        [
            CorpusSource(path, name_language(path), "posts", _distinct(t for _, t in posts(path)))
            for path in files
        ]
    )
