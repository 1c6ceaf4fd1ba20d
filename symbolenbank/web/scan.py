"""The scan page and its JSON API: paste a post or upload an image, see what matches and why.

``GET /-/scan`` shows the form; ``POST /-/scan`` (form, CSRF-protected) shows the text with every
match highlighted in place; ``POST /-/scan.json`` takes ``{"text": ...}`` as JSON or a multipart
form with ``text`` and/or ``image`` and answers ``{"matches": [...], "weak": [...],
"image_matches": [...], "entries": {...}, ...}`` (README.md, "Scan page and JSON API"), or
``{"ok": false, "error": ...}`` with a 4xx status, or 503 with ``Retry-After`` when the server
is busy. Anonymous actors scan the public database; authenticated actors may scan the
restricted one, which holds the whole knowledge base.

Both routes are one view: read the request, choose the database, scan on a worker of
:mod:`.scan_pool` (the highlighting too), time it (the ``Server-Timing`` header), then render
the page or the JSON, as the route's extension says. The event loop only reads, checks and
renders, and what it renders is bounded (:data:`.scanning.MAX_MATCHES`). Both take the filters
``kinds``, ``exclude_kinds`` and ``min_assessment`` (:mod:`.scan_filters`); the page has them as
a tier select and a checkbox per kind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from datasette.utils.asgi import Response

from datasette import hookimpl
from matchers.filters import ASSESSMENT_ORDER, KINDS, EntryFilter

from .common import assessment_tiers, visible_databases
from .scan_request import (
    MAX_IMAGE_BYTES,
    MAX_TEXT_CHARS,
    ScanError,
    filters_of,
    query_filters,
    read_scan_request,
)
from .scan_worker import BIG_TEXT_CHARS, release_memory
from .scanning import choose_database, run_scan

BIG_BODY_BYTES = 1024 * 1024
"""After a request this big (an image, mostly), give freed memory back to the system."""

SCAN_PATHS = ("/-/scan", "/-/scan.json")


@dataclass
class Scan:
    """One POST to the scan view, as far as it got: a result, or the error that stopped it."""

    text: str = ""
    database: str | None = None
    filters: EntryFilter | None = None
    result: dict[str, Any] | None = None
    segments: list[dict[str, Any]] | None = None
    """The text cut for highlighting, for the page only."""
    error: ScanError | None = None
    took_ms: float = 0.0


async def perform_scan(datasette: Any, request: Any, *, for_page: bool) -> Scan:
    """Read the request, choose the database (with the actor's permissions), scan, time it."""
    scan = Scan()
    started = time.perf_counter()
    try:
        asked = await read_scan_request(datasette, request)
        scan.text, scan.filters = asked.text, asked.filters
        scan.database = await choose_database(datasette, request.actor, asked.database)
        scan.result, scan.segments = await run_scan(
            datasette, scan.database, asked.text, asked.image, segments=for_page,
            filters=asked.filters,
        )  # fmt: skip
    except ScanError as error:
        scan.error = error
    scan.took_ms = (time.perf_counter() - started) * 1000
    return scan


async def scan_view(datasette: Any, request: Any) -> Response:
    """`/-/scan` and `/-/scan.json`: the same scan, answered as a page or as JSON."""
    as_json = bool(request.url_vars.get("json"))
    if request.method != "POST":
        if as_json:
            message = 'POST {"text": "..."} as application/json, or a multipart form'
            return json_error(ScanError(message, 405))
        return await render_page(datasette, request, None)
    scan = await perform_scan(datasette, request, for_page=not as_json)
    if as_json and scan.error is not None:
        response = json_error(scan.error)
    elif as_json:
        response = Response.json(scan.result)
    else:
        response = await render_page(datasette, request, scan)
    if scan.error is None:
        response.headers["Server-Timing"] = f"scan;dur={scan.took_ms:.2f}"
    elif scan.error.retry_after is not None:
        response.headers["Retry-After"] = str(scan.error.retry_after)
    length = request.headers.get("content-length", "")
    if len(scan.text) >= BIG_TEXT_CHARS or (length.isdigit() and int(length) >= BIG_BODY_BYTES):
        # The body, its parse and the page are garbage now; glibc would keep their pages.
        release_memory()
    return response


def json_error(error: ScanError) -> Response:
    response = Response.json({"ok": False, "error": error.message}, status=error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def render_page(datasette: Any, request: Any, scan: Scan | None) -> Response:
    """The form, and below it the highlighted text and the match cards of `scan`, if any."""
    databases = await visible_databases(datasette, request.actor, "entries")
    context: dict[str, Any] = {
        "databases": databases,
        "database": None,
        "text": "",
        "result": None,
        "error": None,
        "max_text_chars": MAX_TEXT_CHARS,
        "max_image_mb": MAX_IMAGE_BYTES // 2**20,
    }
    status = 200
    if scan is None:
        try:  # a link may preset the filters: /-/scan?exclude_kinds=name
            scan = Scan(filters=filters_of(query_filters(request), {})) if request.args else None
        except ScanError as error:
            scan = Scan(error=error)
    if scan is not None:
        context["text"] = scan.text[:MAX_TEXT_CHARS]
        context["database"] = scan.database
        if scan.error is not None:
            context["error"], status = scan.error.message, scan.error.status
        elif scan.result is not None:
            context["result"] = scan.result
            context["segments"] = scan.segments or []
            context["took_ms"] = scan.took_ms
    if context["database"] is None and databases:
        context["database"] = await choose_database(datasette, request.actor, None)
    shown = context["database"] or (databases[0] if databases else None)
    context["tiers"] = await assessment_tiers(datasette.get_database(shown)) if shown else []
    context["kinds"] = await kind_labels(datasette.get_database(shown)) if shown else []
    context["filter_form"] = filter_form(scan.filters if scan is not None else None)
    html_text = await datasette.render_template("scan.html", context, request=request)
    return Response.html(html_text, status=status)


async def kind_labels(db: Any) -> list[dict[str, str]]:
    """The kinds of entry with their English labels, in vocabulary order."""
    rows = (await db.execute("select id, label_en from kinds")).rows
    labels = {row["id"]: row["label_en"] for row in rows}
    return [{"id": kind, "label": labels.get(kind) or kind} for kind in KINDS]


def filter_form(filters: EntryFilter | None) -> dict[str, Any]:
    """What the page's filter controls show: the tier choices (the lowest tier is every tier),
    the selected one, the kinds ticked to leave out, and a line that says what was applied."""
    tiers = [("", "Every tier")]
    tiers += [(t, f"{t.capitalize()} or more serious") for t in ASSESSMENT_ORDER[1:-1]]
    tiers.append((ASSESSMENT_ORDER[-1], f"{ASSESSMENT_ORDER[-1].capitalize()} only"))
    if filters is None:
        return {"tiers": tiers, "tier": "", "excluded": [], "summary": ""}
    parts = []
    if filters.kinds is not None:
        parts.append("only " + ", ".join(k for k in KINDS if k in filters.kinds))
    if filters.exclude_kinds:
        parts.append("without " + ", ".join(k for k in KINDS if k in filters.exclude_kinds))
    if filters.min_assessment is not None:
        parts.append(f"tier {filters.min_assessment} or more serious")
    tier = filters.min_assessment if filters.min_assessment != ASSESSMENT_ORDER[0] else ""
    return {"tiers": tiers, "tier": tier or "", "excluded": sorted(filters.exclude_kinds),
            "summary": "; ".join(parts)}  # fmt: skip


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [(r"^/-/scan(?P<json>\.json)?$", scan_view)]


@hookimpl
def skip_csrf(scope: dict[str, Any]) -> bool | None:
    """Which scan requests asgi-csrf leaves to this plugin.

    JSON to the scan API needs no CSRF token: a cross-site form cannot send application/json
    (Datasette 1.0 skips it for every JSON API), and a scan changes nothing. Multipart forms are
    checked by :func:`~symbolenbank.web.scan_request.check_csrf` instead of asgi-csrf, whose
    multipart parsing (0.11) fails with python-multipart >= 0.0.13; the rule is the same.
    """
    if scope.get("type") != "http" or scope.get("path") not in SCAN_PATHS:
        return None
    headers = dict(scope.get("headers") or [])
    media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if media == b"multipart/form-data":
        return True
    return (media == b"application/json" and scope["path"] == "/-/scan.json") or None
