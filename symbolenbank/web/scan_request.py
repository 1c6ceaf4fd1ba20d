"""What a scan request carries, read within its limits: JSON, a multipart form or a plain form.

A form that comes with cookies must send back its CSRF token (:func:`check_csrf`); a refused or
unreadable request raises :class:`ScanError` with the HTTP status to answer. The filters by kind
and tier come from the query string or the body (:mod:`.scan_filters`).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from matchers.filters import EntryFilter

from .multipart_form import MAX_PARTS, FormError, parse_form, parse_options_header
from .scan_filters import FILTER_FIELDS, KIND_FIELDS, MAX_FILTER_PARTS, form_filters, read_filters

MAX_TEXT_CHARS = 100_000
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1024 * 1024
"""Room for the image, a full text in any encoding and the form's own bytes."""
MAX_JSON_BYTES = MAX_TEXT_CHARS * 12 + 64 * 1024
"""A JSON body: a full text with every character `\\u`-escaped (12 bytes for a pair), and room."""
MAX_SMALL_FIELD_BYTES = 1024
"""The form's csrftoken and database fields, and each part of a filter field."""
MAX_FORM_PARTS = MAX_PARTS + MAX_FILTER_PARTS
"""Parts of a scan form: its four fields and room, and the filters' checkboxes."""
CSRF_COOKIE, CSRF_FIELD = "ds_csrftoken", "csrftoken"


class ScanError(Exception):
    """A request the scan cannot answer; `status` is the HTTP status to send, `retry_after`
    the seconds for a `Retry-After` header (a busy server)."""

    def __init__(self, message: str, status: int = 400, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class ScanRequest(NamedTuple):
    """What to scan: the text (may be empty), the uploaded image, the database asked for, and
    which entries to report (None: all)."""

    text: str
    image: bytes | None
    database: str | None
    filters: EntryFilter | None = None


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
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ScanError("multipart/form-data without a boundary")
    small = ("csrftoken", "database", *FILTER_FIELDS)
    limits = {name: MAX_SMALL_FIELD_BYTES for name in small}
    limits.update(text=MAX_TEXT_CHARS * 4, image=MAX_IMAGE_BYTES)  # UTF-8: 4 bytes at most
    repeated = frozenset(KIND_FIELDS)
    try:
        parts = parse_form(body, boundary, limits, max_parts=MAX_FORM_PARTS, repeated=repeated)
    except FormError as exc:
        raise ScanError(field_error_message(exc), exc.status) from exc
    fields = {
        name: part.data.decode("utf-8", "replace")
        for name, part in parts.items()
        if name != "image"
    }
    image = parts.get("image")
    return fields, image.data if image is not None and (image.filename or image.data) else None


def parse_urlencoded(body: bytes) -> dict[str, list[str]]:
    """The fields of a urlencoded form, at most MAX_FORM_PARTS of them, as for a multipart
    form."""
    try:
        return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                        max_num_fields=MAX_FORM_PARTS)  # fmt: skip
    except ValueError as exc:  # too many fields
        raise ScanError(f"the form has more than {MAX_FORM_PARTS} fields; send text") from exc


def field_error_message(error: FormError) -> str:
    if error.field == "image":
        limit = f"{MAX_IMAGE_BYTES // 2**20} MB"
        return f"the image is over {MAX_IMAGE_BYTES:,} bytes; the limit is {limit}"
    if error.field == "text":
        limit = f"{MAX_TEXT_CHARS:,} characters"
        return f"the text is over {MAX_TEXT_CHARS * 4:,} bytes; the limit is {limit}"
    return error.message


def parse_json(body: bytes) -> Any:
    """The JSON document `body`, as UTF-8 (a BOM allowed) holding only Unicode text.

    Broken, too deeply nested (RecursionError), non-UTF-8 and lone-surrogate input (escaped or
    encoded; `json.loads` of bytes would let the latter through) raise ScanError (400)."""
    try:
        payload = json.loads(body.decode("utf-8-sig") or "null")
        json.dumps(payload, ensure_ascii=False).encode("utf-8")  # no lone surrogate escaped
    except RecursionError:
        problem = "it is nested too deeply"
    except UnicodeEncodeError as exc:
        problem = f"{exc.object[exc.start : exc.end]!r} is a lone surrogate, not a character"
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too long an integer
        problem = str(exc)
    else:
        return payload
    raise ScanError(f"the body is not valid JSON: {problem}")


async def read_scan_request(datasette: Any, request: Any) -> ScanRequest:
    """The text, image, database and filters of a JSON, multipart or urlencoded POST."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    body = await read_body(request)
    query = query_filters(request)
    if media == "application/json":
        if len(body) > MAX_JSON_BYTES:
            raise ScanError(
                f"a JSON body may be {MAX_JSON_BYTES:,} bytes at most "
                f"({MAX_TEXT_CHARS:,} characters of text); send images as multipart/form-data",
                413,
            )
        # Off the event loop: parsing a large body takes a while even within the limit.
        payload = await asyncio.to_thread(parse_json, body)
        if not isinstance(payload, dict):
            raise ScanError('send a JSON object: {"text": "..."}')
        text, database = payload.get("text", ""), payload.get("database")
        if not isinstance(text, str):
            raise ScanError('"text" must be a string')
        if database is not None and not isinstance(database, str):
            raise ScanError('"database" must be a string')
        return ScanRequest(text, None, database, filters_of(query, payload))
    if media == "multipart/form-data":
        # Off the event loop: a form of 11 MB takes a while to parse, even within the limits.
        fields, image = await asyncio.to_thread(parse_multipart, body, content_type)
        check_csrf(datasette, request, fields.get(CSRF_FIELD))
        return ScanRequest(
            fields.get("text", ""), image, fields.get("database") or None,
            filters_of(query, fields),
        )  # fmt: skip
    if media == "application/x-www-form-urlencoded":
        form = await asyncio.to_thread(parse_urlencoded, body)
        return ScanRequest(
            form.get("text", [""])[0], None, form.get("database", [""])[0] or None,
            filters_of(query, form_filters(form)),
        )  # fmt: skip
    raise ScanError(
        f"unsupported content type {media or '(none)'!r}: send application/json"
        ' ({"text": ...}) or multipart/form-data (fields text, image)',
        415,
    )


def query_filters(request: Any) -> dict[str, Any]:
    """The filter fields of the query string (`form_filters`)."""
    args = request.args
    return form_filters({name: args.getlist(name) for name in FILTER_FIELDS if name in args})


def filters_of(query: dict[str, Any], body: Any) -> EntryFilter | None:
    """The request's filters (`read_filters`); a bad value is answered with 400."""
    try:
        return read_filters(query, body)
    except ValueError as exc:
        raise ScanError(str(exc)) from exc
