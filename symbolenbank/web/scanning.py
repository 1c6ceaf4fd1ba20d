"""Scan a text and/or an image against one database of the site, as the scan view answers it.

The TextMatcher and ImageMatcher of each database file are built on first use and kept for the
life of the process (keyed by the file's path, size and mtime). Results are plain dicts: the
library's match plus the entry's title, summary, benign uses and page URL.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from .common import RESTRICTED_NAME, visible_databases
from .scan_request import MAX_IMAGE_BYTES, MAX_TEXT_CHARS, ScanError

ENTRY_COLUMNS = (
    "id, title, title_en, kind, assessment, summary, summary_en, benign_uses, benign_uses_en"
)

_matchers: dict[tuple[str, str, int, int], Any] = {}
_lock = threading.Lock()


def get_matcher(kind: str, path: str) -> Any:
    """The TextMatcher or ImageMatcher of one database file, built once and kept."""
    stat = os.stat(path)
    key = (kind, str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    matcher = _matchers.get(key)
    if matcher is None:
        with _lock:
            matcher = _matchers.get(key)
            if matcher is None:
                import matchers

                cls = matchers.TextMatcher if kind == "text" else matchers.ImageMatcher
                matcher = cls.from_db(path)
                _matchers[key] = matcher
    return matcher


async def choose_database(datasette: Any, actor: Any, requested: str | None) -> str:
    """The database to scan against: `requested` if the actor may see it, else the default."""
    allowed = await visible_databases(datasette, actor, "entries")
    if not allowed:
        raise ScanError("no knowledge base is published here", 404)
    if not requested:
        # An authenticated analyst scans against the whole knowledge base by default.
        return allowed[-1] if RESTRICTED_NAME in allowed else allowed[0]
    if requested in allowed:
        return requested
    if requested in datasette.databases:
        raise ScanError(f"database {requested!r}: you are not allowed to scan against it", 403)
    raise ScanError(f"database {requested!r} does not exist; use one of {', '.join(allowed)}")


async def entry_info(datasette: Any, database: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await datasette.get_database(database).execute(
        f"select {ENTRY_COLUMNS} from entries where id in ({marks})", sorted(ids)
    )
    return {row["id"]: dict(row) for row in rows.rows}


def match_dict(match: Any, info: dict[str, Any], url: str) -> dict[str, Any]:
    d = dict(match.to_dict())
    d["explanation"] = match.explain()
    for key in ("summary", "summary_en", "benign_uses", "benign_uses_en"):
        d[key] = info.get(key)
    d.setdefault("title", info.get("title"))
    d["url"] = url
    return d


async def run_scan(datasette: Any, database: str, text: str, image: bytes | None) -> dict[str, Any]:
    """Scan text and/or image against `database`; the JSON answer (without timing)."""
    if len(text) > MAX_TEXT_CHARS:
        raise ScanError(
            f"the text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}."
            " Split it and scan the parts.",
            413,
        )
    if image is not None and len(image) > MAX_IMAGE_BYTES:
        raise ScanError(
            f"the image is {len(image):,} bytes; the limit is {MAX_IMAGE_BYTES // 2**20} MB", 413
        )
    if not text.strip() and image is None:
        raise ScanError("nothing to scan: paste a text or choose an image")
    path = datasette.get_database(database).path
    text_matches: list[Any] = []
    image_matches: list[Any] = []
    if text.strip():
        matcher = await asyncio.to_thread(get_matcher, "text", path)
        text_matches = await asyncio.to_thread(matcher.scan, text, include_weak=True)
    if image is not None:
        from matchers.errors import ImageError

        matcher = await asyncio.to_thread(get_matcher, "image", path)
        try:
            image_matches = await asyncio.to_thread(matcher.scan, image)
        except ImageError as exc:
            raise ScanError(f"the uploaded image cannot be scanned: {exc}") from exc
    ids = {m.entry_id for m in text_matches} | {m.entry_id for m in image_matches}
    infos = await entry_info(datasette, database, ids)

    def url(entry_id: str) -> str:
        return datasette.urls.row(database, "entries", entry_id)

    result: dict[str, Any] = {"database": database, "matches": [], "weak": [], "image_matches": []}
    for m in sorted(text_matches, key=lambda m: (m.start, m.end, m.entry_id)):
        d = match_dict(m, infos.get(m.entry_id, {}), url(m.entry_id))
        result["weak" if m.weak else "matches"].append(d)
    for im in image_matches:
        info = infos.get(im.entry_id)
        d = dict(im.to_dict())
        if info is not None:
            d.update({k: info[k] for k in ENTRY_COLUMNS.split(", ") if k != "id"})
            d["url"] = url(im.entry_id)
        result["image_matches"].append(d)
    return result
