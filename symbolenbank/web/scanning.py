"""Scan a text and/or an image against one database of the site, as the scan view answers it.

The scan itself runs on a worker of :mod:`.scan_pool` (:func:`.scan_worker.scan_job`); here the
request is checked against the limits, the entries the matches point to are read from the
database, and the answer is put together: each match once, each entry's texts once per answer
(``entries``), at most MAX_MATCHES text matches (``truncated`` says when there were more), and
the filters applied (``filters``).
"""

from __future__ import annotations

from typing import Any

from matchers.filters import EntryFilter, no_filter

from .common import RESTRICTED_NAME, visible_databases
from .scan_pool import POOL, ServerBusy
from .scan_request import MAX_IMAGE_BYTES, MAX_TEXT_CHARS, ScanError
from .scan_worker import scan_job

ENTRY_COLUMNS = (
    "id, title, title_en, kind, assessment, summary, summary_en, benign_uses, benign_uses_en"
)
IMAGE_ENTRY_FIELDS = ("title", "title_en", "kind", "assessment")
"""What an image match repeats of its entry, as a text match does; the rest is in `entries`."""
MAX_MATCHES = 1000
"""Text matches (strong and weak together) in one answer; a post of `88 ` repeated has 33,333."""


async def choose_database(datasette: Any, actor: Any, requested: str | None) -> str:
    """The database to scan against: `requested` if the actor may see it, else the default.

    A database the actor may not see is refused exactly like one that does not exist, so the
    answer never tells which restricted databases there are.
    """
    allowed = await visible_databases(datasette, actor, "entries")
    if not allowed:
        raise ScanError("no knowledge base is published here", 404)
    if not requested:
        # An authenticated analyst scans against the whole knowledge base by default.
        return allowed[-1] if RESTRICTED_NAME in allowed else allowed[0]
    if requested in allowed:
        return requested
    raise ScanError(
        f"database {requested!r} does not exist or you may not scan against it;"
        f" use one of {', '.join(allowed)}",
        403,
    )


async def entry_info(datasette: Any, database: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await datasette.get_database(database).execute(
        f"select {ENTRY_COLUMNS} from entries where id in ({marks})", sorted(ids)
    )
    return {row["id"]: dict(row) for row in rows.rows}


def check_limits(text: str, image: bytes | None) -> None:
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


async def run_scan(
    datasette: Any,
    database: str,
    text: str,
    image: bytes | None,
    *,
    segments: bool = False,
    filters: EntryFilter | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """Scan text and/or image against `database` for the entries `filters` lets through: the
    JSON answer (without timing) and, if `segments`, the text cut for highlighting
    (:func:`.scan_worker.highlight`)."""
    check_limits(text, image)
    path = datasette.get_database(database).path
    try:
        done = await POOL.run(scan_job, path, text, image, MAX_MATCHES, segments, filters)
    except ServerBusy as busy:
        raise ScanError(str(busy), 503, retry_after=busy.retry_after) from busy
    if done["image_error"] is not None:
        raise ScanError(f"the uploaded image cannot be scanned: {done['image_error']}")
    text_matches = done["matches"] + done["weak"]
    ids = {m["entry_id"] for m in text_matches} | {m["entry_id"] for m in done["image_matches"]}
    infos = await entry_info(datasette, database, ids)
    entries = {}
    for entry_id, info in sorted(infos.items()):
        url = datasette.urls.row(database, "entries", entry_id)
        entries[entry_id] = {**{k: v for k, v in info.items() if k != "id"}, "url": url}
    for m in text_matches:
        if m["entry_id"] in entries:
            m["url"] = entries[m["entry_id"]]["url"]
    for im in done["image_matches"]:
        entry = entries.get(im["entry_id"])
        if entry is not None:  # else a hash of an imported list
            im.update({k: entry[k] for k in IMAGE_ENTRY_FIELDS}, url=entry["url"])
    found = done["found"]
    result = {
        "database": database,
        "matches": done["matches"],
        "weak": done["weak"],
        "image_matches": done["image_matches"],
        "entries": entries,
        "found": found,
        "truncated": found["matches"] + found["weak"] > len(text_matches),
        "max_matches": MAX_MATCHES,
        "filters": filters.to_dict() if filters is not None else no_filter(),
    }
    return result, done["segments"]
