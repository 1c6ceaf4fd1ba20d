"""`symbolenbank diff`: compare two states of the knowledge base and write the pull-request report.

Each side is read by `snapshot`, compared by `compare`, its new patterns rated by `risk` against
a benign corpus (`corpus`), and the whole rendered as Markdown by `report`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .compare import Diff, compare
from .corpus import read_corpus
from .report import render_markdown
from .risk import assess
from .snapshot import snapshot


def diff_report(
    base: str, head: str, *, repo: Path = Path("."), corpus: list[Path] | None = None
) -> tuple[Diff, str]:
    """Compare `base` with `head` and render the pull-request report.

    `corpus` is the benign text to measure new patterns against (see `corpus.corpus_paths`); an
    empty list skips that measurement.
    """
    with tempfile.TemporaryDirectory(prefix="symbolenbank-diff-") as tmp:
        diff = compare(
            snapshot(base, workdir=Path(tmp), repo=repo),
            snapshot(head, workdir=Path(tmp), repo=repo),
        )
        text_corpus = read_corpus(corpus) if corpus else None
        risks, note = assess(diff, text_corpus)
    return diff, render_markdown(diff, risks, text_corpus, note)
