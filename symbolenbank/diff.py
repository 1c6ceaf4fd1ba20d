"""`symbolenbank diff`: compare two states of the knowledge base and write the pull-request report.

Each side is read by `snapshot`, compared by `compare`, its new patterns rated by `risk` against
benign documents and chat corpora (`corpus`), and the whole rendered as Markdown by `report`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .compare import Diff, compare
from .corpus import Corpus, read_chat_corpora, read_corpus
from .report import render_markdown
from .risk import assess
from .snapshot import snapshot


def diff_report(
    base: str,
    head: str,
    *,
    repo: Path = Path("."),
    corpus: list[Path] | None = None,
    chat_corpora: Path | None = None,
) -> tuple[Diff, str]:
    """Compare `base` with `head` and render the pull-request report.

    New patterns are measured against the benign documents in `corpus` (see
    `corpus.corpus_paths`) and the chat corpora in the folder `chat_corpora` (see
    `corpus.chat_corpora_dir`); with neither, only their word frequencies are reported.
    """
    with tempfile.TemporaryDirectory(prefix="symbolenbank-diff-") as tmp:
        diff = compare(
            snapshot(base, workdir=Path(tmp), repo=repo),
            snapshot(head, workdir=Path(tmp), repo=repo),
        )
        text_corpus = None
        if corpus or chat_corpora is not None:
            text_corpus = read_corpus(corpus or []) + (
                read_chat_corpora(chat_corpora) if chat_corpora is not None else Corpus()
            )
        risks, note = assess(diff, text_corpus)
    return diff, render_markdown(diff, risks, text_corpus, note)
