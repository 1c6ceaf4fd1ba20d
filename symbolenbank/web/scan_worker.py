"""The part of a scan that costs CPU, run by a worker of :mod:`.scan_pool`, never on the event loop.

:func:`scan_job` scans a text and/or an image with this process's matchers
(`matchers.workercache`, built once per database file) and gives plain data back: at most
`limit` text matches as dicts (strong ones first, each kind in text order), how many were
found, and, for the page, the text cut into highlighted segments (:func:`highlight`).
Everything here is picklable and imports nothing of Datasette, so a worker process stays small.
"""

from __future__ import annotations

import contextlib
import ctypes
from typing import TYPE_CHECKING, Any

from .common import tier_rank

if TYPE_CHECKING:  # the worker imports the matchers when it first scans
    from matchers.filters import EntryFilter

BIG_TEXT_CHARS = 20_000
"""After a text this long (or any image), give freed memory back to the system."""


def scan_job(
    db: str,
    text: str,
    image: bytes | None,
    limit: int,
    segments: bool,
    filters: EntryFilter | None = None,
) -> dict[str, Any]:
    """Matches of `text` and `image` against the database file `db`, at most `limit` of text,
    of the entries `filters` lets through (entries left out still count as context).

    Answers ``{"matches", "weak", "found": {"matches": n, "weak": n}, "image_matches",
    "image_error", "segments"}``; `image_error` is the reason an image cannot be scanned,
    `segments` (only when asked for) the text cut for highlighting, with the matches numbered.
    """
    from matchers.errors import ImageError
    from matchers.workercache import worker_matcher

    out: dict[str, Any] = {"matches": [], "weak": [], "found": {"matches": 0, "weak": 0}}
    out.update(image_matches=[], image_error=None, segments=None)
    chosen = filters.options() if filters is not None else {}
    if text.strip():
        found = worker_matcher(db, "text").scan(text, include_weak=True, **chosen)
        found.sort(key=lambda m: (m.start, m.end, m.entry_id))
        strong = [m for m in found if not m.weak]
        weak = [m for m in found if m.weak]
        out["found"] = {"matches": len(strong), "weak": len(weak)}
        strong = strong[:limit]
        weak = weak[: limit - len(strong)]
        for key, kept in (("matches", strong), ("weak", weak)):
            out[key] = [{**m.to_dict(), "explanation": m.explain()} for m in kept]
    if segments and text:
        every = out["matches"] + out["weak"]
        for number, m in enumerate(every, start=1):
            m["number"] = number
        out["segments"] = highlight(text, sorted(every, key=lambda m: m["start"]))
    if image is not None:
        try:
            matches = worker_matcher(db, "image").scan(image, **chosen)
            out["image_matches"] = [m.to_dict() for m in matches]
        except ImageError as exc:
            out["image_error"] = str(exc)
    if image is not None or len(text) >= BIG_TEXT_CHARS:
        release_memory()
    return out


def highlight(text: str, matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split `text` into segments, each with the numbers of the matches covering it.

    Matches may overlap; a segment takes the most serious tier among its strong matches, and is
    `weak` when only weak matches cover it. `ends` lists the matches that end with the segment,
    so the page can put their reference numbers right after them. `matches` come sorted by
    start; one sweep over the sorted boundaries keeps the matches open at each point, so the
    work is linear in the text, the matches and the segments' own lists.
    """
    size = len(text)
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for i, m in enumerate(matches):
        start, end = max(0, m["start"]), min(size, m["end"])
        if start < end:
            opening.setdefault(start, []).append(i)
            closing.setdefault(end, []).append(i)
    labels = [
        f"{m['number']}. {m.get('title')} ({m.get('assessment')})"
        f"{' – weak: ' + m['evidence']['text'] if m.get('weak') and 'evidence' in m else ''}"
        for m in matches
    ]
    points = sorted({0, size, *opening, *closing})
    open_now: dict[int, None] = {}  # indexes into `matches`, in the order they opened
    segments = []
    for a, b in zip(points, points[1:], strict=False):
        for i in closing.get(a, ()):
            open_now.pop(i, None)
        for i in opening.get(a, ()):
            open_now[i] = None
        covering = [matches[i] for i in open_now]
        strong = [m for m in covering if not m.get("weak")]
        tiers = sorted((m.get("assessment") for m in (strong or covering)), key=tier_rank)
        segments.append(
            {
                "text": text[a:b],
                "numbers": [m["number"] for m in covering],
                "weak": bool(covering) and not strong,
                "tier": tiers[0] if tiers else None,
                "title": " | ".join(labels[i] for i in open_now),
                "ends": [m["number"] for m in covering if m["end"] == b],
            }
        )
    return segments


def release_memory() -> None:
    """Hand the heap's free pages back to the system (glibc keeps them after a big scan)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)
