"""Scan text and images against the Symbolenbank knowledge base.

    import matchers
    kb = matchers.load()
    for m in kb.scan("post text"):
        print(m.entry_id, m.matched, m.explain())

This package reads the built SQLite file with the standard library only; it never imports the
build or publishing side.
"""

from .errors import DatabaseError, ImageError, MatcherError
from .image import ImageMatch, ImageMatcher
from .knowledge import KnowledgeBase, default_db_path, load
from .text import TextMatch, TextMatcher

__all__ = [
    "DatabaseError",
    "ImageError",
    "ImageMatch",
    "ImageMatcher",
    "KnowledgeBase",
    "MatcherError",
    "TextMatch",
    "TextMatcher",
    "default_db_path",
    "load",
]
