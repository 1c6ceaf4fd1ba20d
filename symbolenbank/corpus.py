"""Benign text corpora: real Dutch and English prose that nobody in this project wrote.

Debian ships documentation under free licences: the Debian Edu manuals in Dutch and English
(`debian-edu-doc-nl`, `debian-edu-doc-en`, GPL-2+), the Debian Reference (`debian-reference-en`,
GPL-2+) and the Dutch manual pages (`manpages-nl`, GPL-2+). They are used to measure how often
patterns fire on ordinary text.
"""

from __future__ import annotations

import gzip
import html.parser
from collections.abc import Iterator
from pathlib import Path

DEFAULT_SOURCES = {
    "nl": [Path("/usr/share/doc/debian-edu-doc-nl"), Path("/usr/share/man/nl")],
    "en": [Path("/usr/share/doc/debian-edu-doc-en"), Path("/usr/share/debian-reference")],
}


class _TextExtractor(html.parser.HTMLParser):
    SKIP = {"script", "style", "pre", "code", "tt", "kbd", "samp"}
    BLOCK = {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "div", "br", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data.replace("\n", " "))


def _html_lines(path: Path) -> Iterator[str]:
    parser = _TextExtractor()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    for line in "".join(parser.parts).splitlines():
        line = " ".join(line.split())
        if len(line) >= 20:
            yield line


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
