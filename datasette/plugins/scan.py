"""The scan page and its JSON API: paste a post or upload an image, see what matches and why.

``GET /-/scan`` shows the form; ``POST /-/scan`` (form, CSRF-protected) shows the text with every
match highlighted in place; ``POST /-/scan.json`` takes ``{"text": ...}`` as JSON or a multipart
form with ``text`` and/or ``image`` and answers ``{"matches": [...], "weak": [...],
"image_matches": [...]}``. Anonymous actors scan the public database; authenticated actors may
scan the restricted one, which holds the whole knowledge base.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response

from datasette import hookimpl

MAX_TEXT_CHARS = 100_000
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1024 * 1024
"""Room for the image, a full text in any encoding and the form's own bytes."""
RESTRICTED_NAME = "symbolenbank-restricted"
CSRF_COOKIE, CSRF_FIELD = "ds_csrftoken", "csrftoken"
TIER_ORDER = ("terrorist", "illegal", "borderline", "context")
ENTRY_COLUMNS = (
    "id, title, title_en, kind, assessment, summary, summary_en, benign_uses, benign_uses_en"
)

_matchers: dict[tuple[str, str, int, int], Any] = {}
_lock = threading.Lock()


class ScanError(Exception):
    """A request the scan cannot answer; `status` is the HTTP status to send."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


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


# ---------------------------------------------------------------------------- databases


async def scannable_databases(datasette: Any, actor: Any) -> list[str]:
    """Databases with an `entries` table this actor may see, the public one first."""
    names = []
    for name, db in datasette.databases.items():
        if db.is_memory or not db.path or name.startswith("_"):
            continue
        visible, _ = await datasette.check_visibility(
            actor, permissions=[("view-database", name), "view-instance"]
        )
        if visible and await db.table_exists("entries"):
            names.append(name)
    return sorted(names, key=lambda n: (n == RESTRICTED_NAME, n))


async def choose_database(datasette: Any, actor: Any, requested: str | None) -> str:
    allowed = await scannable_databases(datasette, actor)
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


# ---------------------------------------------------------------------------- request body


async def read_body(request: Any) -> bytes:
    """The request body, refusing anything above MAX_BODY_BYTES without reading it all."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ScanError(too_large_message(int(length)), 413)
    chunks, size, more = [], 0, True
    while more:
        message = await request.receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ScanError(too_large_message(size), 413)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def too_large_message(size: int) -> str:
    return (
        f"the request is {size:,} bytes; the limit is {MAX_IMAGE_BYTES // 2**20} MB for an image"
        f" and {MAX_TEXT_CHARS:,} characters for a text"
    )


def check_csrf(datasette: Any, request: Any, token: str | None) -> None:
    """asgi-csrf's rule for a form: a request that carries cookies and no bearer token must
    send back, in the `csrftoken` field, the signed token of its `ds_csrftoken` cookie."""
    if not request.headers.get("cookie"):
        return
    if request.headers.get("authorization", "").startswith("Bearer "):
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    try:
        datasette.unsign(cookie, CSRF_FIELD)
    except Exception:  # itsdangerous.BadSignature and malformed values
        cookie = ""
    if not cookie or not token or not secrets.compare_digest(token, cookie):
        raise ScanError(
            "the form's CSRF token is missing or does not match its cookie; reload the page"
            " and submit the form again",
            403,
        )


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], bytes | None]:
    """Fields and the uploaded `image` (None when no file was chosen) of a multipart form."""
    try:
        from python_multipart import FormParser
        from python_multipart.multipart import parse_options_header
    except ImportError:  # older python-multipart
        from multipart import FormParser  # type: ignore[no-redef]
        from multipart.multipart import parse_options_header  # type: ignore[no-redef]

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ScanError("multipart/form-data without a boundary")
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}

    def on_field(field: Any) -> None:
        fields[field.field_name.decode()] = (field.value or b"").decode("utf-8", "replace")

    def on_file(file: Any) -> None:
        file.file_object.seek(0)
        data = file.file_object.read()
        if file.file_name or data:
            files[file.field_name.decode()] = data

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        boundary=boundary,
        config={"MAX_MEMORY_FILE_SIZE": MAX_BODY_BYTES, "UPLOAD_KEEP_FILENAME": False},
    )
    try:
        parser.write(body)
        parser.finalize()
    except Exception as exc:  # python-multipart raises several types for broken input
        raise ScanError(f"the multipart form could not be read: {exc}") from exc
    return fields, files.get("image")


async def read_scan_request(datasette: Any, request: Any) -> tuple[str, bytes | None, str | None]:
    """(text, image bytes or None, requested database or None) from JSON, multipart or form."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    body = await read_body(request)
    if media == "application/json":
        try:
            payload = json.loads(body or b"null")
        except ValueError as exc:
            raise ScanError(f"the body is not valid JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise ScanError('send a JSON object: {"text": "..."}')
        text, database = payload.get("text", ""), payload.get("database")
        if not isinstance(text, str):
            raise ScanError('"text" must be a string')
        if database is not None and not isinstance(database, str):
            raise ScanError('"database" must be a string')
        return text, None, database
    if media == "multipart/form-data":
        fields, image = parse_multipart(body, content_type)
        check_csrf(datasette, request, fields.get(CSRF_FIELD))
        return fields.get("text", ""), image, fields.get("database") or None
    if media == "application/x-www-form-urlencoded":
        from urllib.parse import parse_qs

        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return form.get("text", [""])[0], None, (form.get("database", [""])[0] or None)
    raise ScanError(
        f"unsupported content type {media or '(none)'!r}: send application/json"
        ' ({"text": ...}) or multipart/form-data (fields text, image)',
        415,
    )


# ---------------------------------------------------------------------------- scanning


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


def _tier_rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)


def highlight(text: str, matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split `text` into segments, each with the numbers of the matches covering it.

    Matches may overlap; a segment takes the most serious tier among its strong matches, and is
    `weak` when only weak matches cover it. `ends` lists the matches that end with the segment,
    so the page can put their reference numbers right after them.
    """
    cuts = {0, len(text)}
    for m in matches:
        cuts.update((m["start"], m["end"]))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    segments = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [m for m in matches if m["start"] <= a and m["end"] >= b]
        strong = [m for m in covering if not m.get("weak")]
        tiers = sorted((m.get("assessment") for m in (strong or covering)), key=_tier_rank)
        segments.append(
            {
                "text": text[a:b],
                "numbers": [m["number"] for m in covering],
                "weak": bool(covering) and not strong,
                "tier": tiers[0] if tiers else None,
                "title": " | ".join(
                    f"{m['number']}. {m.get('title')} ({m.get('assessment')})"
                    f"{' – weak: context not met' if m.get('weak') else ''}"
                    for m in covering
                ),
                "ends": [m["number"] for m in covering if m["end"] == b],
            }
        )
    return segments


# ---------------------------------------------------------------------------- views


def json_error(error: ScanError) -> Response:
    return Response.json({"ok": False, "error": error.message}, status=error.status)


async def scan_json(datasette: Any, request: Any) -> Response:
    if request.method != "POST":
        return json_error(
            ScanError('POST {"text": "..."} as application/json, or a multipart form', 405)
        )
    started = time.perf_counter()
    try:
        text, image, requested = await read_scan_request(datasette, request)
        database = await choose_database(datasette, request.actor, requested)
        result = await run_scan(datasette, database, text, image)
    except ScanError as error:
        return json_error(error)
    took = (time.perf_counter() - started) * 1000
    response = Response.json(result)
    response.headers["Server-Timing"] = f"scan;dur={took:.2f}"
    return response


async def scan_page(datasette: Any, request: Any) -> Response:
    databases = await scannable_databases(datasette, request.actor)
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
    if request.method == "POST":
        started = time.perf_counter()
        try:
            text, image, requested = await read_scan_request(datasette, request)
            context["text"] = text[:MAX_TEXT_CHARS]
            database = await choose_database(datasette, request.actor, requested)
            context["database"] = database
            result = await run_scan(datasette, database, text, image)
        except ScanError as error:
            context["error"], status = error.message, error.status
        else:
            every = result["matches"] + result["weak"]
            for number, m in enumerate(every, start=1):
                m["number"] = number
            context["result"] = result
            context["segments"] = highlight(text, sorted(every, key=lambda m: m["start"]))
            context["took_ms"] = (time.perf_counter() - started) * 1000
    elif databases:
        context["database"] = await choose_database(datasette, request.actor, None)
    tiers = []
    if context["database"] or databases:
        db = datasette.get_database(context["database"] or databases[0])
        tiers = [dict(r) for r in (await db.execute("select * from assessments")).rows]
        tiers.sort(key=lambda t: _tier_rank(t["id"]))
    context["tiers"] = tiers
    html_text = await datasette.render_template("scan.html", context, request=request)
    return Response.html(html_text, status=status)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [(r"^/-/scan$", scan_page), (r"^/-/scan\.json$", scan_json)]


@hookimpl
def skip_csrf(scope: dict[str, Any]) -> bool | None:
    """Which scan requests asgi-csrf leaves to this plugin.

    JSON to the scan API needs no CSRF token: a cross-site form cannot send application/json
    (Datasette 1.0 skips it for every JSON API), and a scan changes nothing. Multipart forms are
    checked by :func:`check_csrf` instead of asgi-csrf, whose multipart parsing (0.11) fails
    with python-multipart >= 0.0.13; the rule is the same.
    """
    if scope.get("type") != "http" or scope.get("path") not in ("/-/scan", "/-/scan.json"):
        return None
    headers = dict(scope.get("headers") or [])
    media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if media == b"multipart/form-data":
        return True
    return (media == b"application/json" and scope["path"] == "/-/scan.json") or None


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path("/-/scan"), "label": "Scan a post or image"},
        {"href": datasette.urls.path("/about"), "label": "About Symbolenbank"},
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/assets/symbolenbank.css")]
