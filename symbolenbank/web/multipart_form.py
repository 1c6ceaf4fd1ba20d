"""A multipart/form-data body read within limits: a few parts, short headers, bounded fields.

The scan form sends four fields (csrftoken, text, database, image). A body of 11 MB in
hundreds of thousands of tiny parts would otherwise cost seconds of parsing for nothing, and
long headers or unexpected fields memory, so parsing stops at the first part past MAX_PARTS,
at a part whose headers exceed MAX_HEADER_BYTES, and at a field longer than its limit; fields
without a limit are counted but not kept. Built on python-multipart's streaming parser.
"""

from __future__ import annotations

from typing import Any, NamedTuple

try:
    from python_multipart.multipart import MultipartParser, parse_options_header
except ImportError:  # older python-multipart
    from multipart.multipart import (  # type: ignore[no-redef]
        MultipartParser,
        parse_options_header,
    )

MAX_PARTS = 8
"""Parts of one form; the scan form has four."""
MAX_HEADER_BYTES = 4096
"""Header bytes of one part (names and values together)."""


class FormError(Exception):
    """A form that is broken or over a limit; `field` names the field that was too long."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


class Part(NamedTuple):
    data: bytes
    filename: str | None
    """None for a plain field; the file's name (may be empty) for a file input."""


class _FormReader:
    """python-multipart's callbacks for one body: counts, bounds and keeps the fields."""

    def __init__(
        self,
        limits: dict[str, int],
        max_parts: int,
        max_header_bytes: int,
        repeated: frozenset[str] = frozenset(),
    ) -> None:
        self.limits, self.max_parts, self.max_header_bytes = limits, max_parts, max_header_bytes
        self.repeated = repeated
        self.fields: dict[str, Part] = {}
        self.parts = self.header_bytes = self.size = 0
        self.header_name, self.header_value = bytearray(), bytearray()
        self.headers: dict[str, bytes] = {}
        self.name: str | None = None
        self.filename: str | None = None
        self.limit: int | None = None
        self.chunks: list[bytes] = []

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise FormError(
                f"the form has more than {self.max_parts} parts; send text and/or image"
            )
        self.header_bytes, self.headers, self.name, self.chunks, self.size = 0, {}, None, [], 0

    def _count_header(self, start: int, end: int) -> None:
        self.header_bytes += end - start
        if self.header_bytes > self.max_header_bytes:
            raise FormError(f"a part's headers are longer than {self.max_header_bytes:,} bytes")

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(start, end)
        self.header_name.extend(data[start:end])

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._count_header(start, end)
        self.header_value.extend(data[start:end])

    def header_end(self) -> None:
        name = self.header_name.decode("latin-1").strip().lower()
        self.headers[name] = bytes(self.header_value)
        self.header_name.clear()
        self.header_value.clear()

    def headers_finished(self) -> None:
        kind, params = parse_options_header(self.headers.get("content-disposition", b""))
        if kind != b"form-data" or b"name" not in params:
            raise FormError("a part of the form has no Content-Disposition: form-data; name=...")
        self.name = params[b"name"].decode("utf-8", "replace")
        filename = params.get(b"filename")
        self.filename = None if filename is None else filename.decode("utf-8", "replace")
        self.limit = self.limits.get(self.name)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.limit is None:
            return  # a field the form does not have: counted, not kept
        self.size += end - start
        if self.size > self.limit:
            raise FormError(f"the field {self.name!r} is over {self.limit:,} bytes", 413, self.name)
        self.chunks.append(data[start:end])

    def part_end(self) -> None:
        if self.name is not None and self.limit is not None:
            data = b"".join(self.chunks)
            if self.name in self.repeated and self.name in self.fields:
                data = self.fields[self.name].data + b"," + data  # checkboxes of one name
            self.fields[self.name] = Part(data, self.filename)
        self.chunks = []


def parse_form(
    body: bytes,
    boundary: bytes,
    limits: dict[str, int],
    *,
    max_parts: int = MAX_PARTS,
    max_header_bytes: int = MAX_HEADER_BYTES,
    repeated: frozenset[str] = frozenset(),
) -> dict[str, Part]:
    """The fields of `body` named in `limits`, each at most `limits[name]` bytes (else 413).
    A field in `repeated` may come in several parts (checkboxes): their values are joined
    with commas; of any other field the last part counts.

    Raises FormError (400) for a broken form, too many parts or too long headers.
    """
    reader = _FormReader(limits, max_parts, max_header_bytes, repeated)
    parser = MultipartParser(boundary, reader.callbacks())
    try:
        parser.write(body)
        parser.finalize()
    except FormError:
        raise
    except Exception as exc:  # python-multipart raises several types for broken input
        raise FormError(f"the multipart form could not be read: {exc}") from exc
    return reader.fields
