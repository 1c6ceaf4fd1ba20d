"""Read and write hash lists in the CSV forms ThreatExchange, HMA and TCAP exchange.

What was read (facebook/ThreatExchange, python-threatexchange):

* ``threatexchange/cli/dataset_cmd.py`` (``threatexchange dataset -P --csv``): a CSV with the
  header ``collab,signal_type,signal_str,category,tags``; ``signal_type`` is the SignalType
  name (``pdq``, ``video_md5``, ``url`` …), ``category`` an opinion category such as
  ``POSITIVE_CLASS``, ``tags`` space-separated. Older releases put ``signal_type`` first, so
  columns are read by name. Format ``"te"`` here.
* ``threatexchange/cli/dataset/simple_serialization.py`` (``HMASerialization``, the HMA 1.x
  store): header-less rows ``indicator,indicator_id,first_descriptor_id,added_on,labels`` in
  files named ``simple.<INDICATOR_TYPE>.te`` (``HASH_PDQ``, ``HASH_MD5``), labels
  space-separated. Format ``"hma"``; the signal type comes from the file name or the
  ``signal_type`` argument.
* ``threatexchange/exchanges/impl/file_api.py`` (``LocalFileSignalExchangeAPI``): one signal a
  line, ``<signal_type> <signal>``, or the bare signal when the collaboration names the type.
  Format ``"lines"``.
* ``threatexchange/exchanges/clients/techagainstterrorism/api.py`` and
  ``exchanges/impl/techagainstterrorism_api.py`` (TCAP hash list v2): entries with
  ``hash_digest``, ``algorithm`` (``PDQ``, ``MD5`` …), ``ideology`` (``islamist``,
  ``far-right``), ``file_type``, ``deleted``, ``id``; MD5 is kept for files, PDQ for images.
  A CSV with those column names is format ``"tcap"``; rows with ``deleted`` true are dropped.
* ``threatexchange/signal_type/pdq/signal.py``: PDQ hex is 64 lowercase hex digits, quality
  below 50 is not matched on.

Algorithms known here: ``pdq``, ``phash``, ``dhash`` (perceptual, matched by distance) and
``md5`` (exact, of the file's bytes). Rows of other signal types (URLs, text, video hashes other
than MD5) are skipped and counted in :attr:`HashList.skipped`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .errors import MatcherError

FORMATS = ("te", "hma", "tcap", "lines")

_ALGORITHM_NAMES = {
    "pdq": "pdq",
    "hash_pdq": "pdq",
    "phash": "phash",
    "hash_phash": "phash",
    "dhash": "dhash",
    "hash_dhash": "dhash",
    "md5": "md5",
    "hash_md5": "md5",
    "photo_md5": "md5",
    "video_md5": "md5",
}
_HEX_WIDTH = {"pdq": 64, "phash": 16, "dhash": 16, "md5": 32}
_TE_NAMES = {"pdq": "pdq", "md5": "photo_md5", "phash": "phash", "dhash": "dhash"}
_HMA_NAMES = {"pdq": "HASH_PDQ", "md5": "HASH_MD5", "phash": "HASH_PHASH", "dhash": "HASH_DHASH"}
_TCAP_NAMES = {"pdq": "PDQ", "md5": "MD5", "phash": "PHASH", "dhash": "DHASH"}
_HMA_FILE = re.compile(r"simple\.([^.]+)\.te$")


class HashListError(MatcherError):
    """A hash list could not be read or written; the message names the file and line."""


@dataclass(frozen=True)
class HashRecord:
    """One hash from a list."""

    algorithm: str
    """``pdq``, ``phash``, ``dhash`` or ``md5``."""
    value: str
    """Lowercase hex."""
    id: str | None = None
    """The list's own id for the hash (HMA indicator id, TCAP id, our entry id) if it has one."""
    labels: tuple[str, ...] = ()
    """Tags, collaboration, ideology … as the list gives them."""
    quality: int | None = None
    """PDQ quality where known."""


@dataclass
class HashList:
    """The records read from one list, and how many rows were skipped (unknown signal type)."""

    name: str
    records: list[HashRecord] = field(default_factory=list)
    skipped: int = 0


def normalise_algorithm(name: str) -> str | None:
    """Map a signal type / algorithm name from any of the formats to ours; None if unknown."""
    return _ALGORITHM_NAMES.get(name.strip().lower())


def _record(
    where: str, algorithm: str, value: str, ident: str | None, labels: Iterable[str]
) -> HashRecord:
    text = value.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    width = _HEX_WIDTH[algorithm]
    if len(text) != width or not re.fullmatch(r"[0-9a-f]+", text):
        raise HashListError(f"{where}: {algorithm} hash must be {width} hex digits, got {value!r}")
    clean = tuple(label for label in labels if label)
    return HashRecord(algorithm, text, ident or None, clean)


def _open_text(source: str | os.PathLike | IO[str] | IO[bytes]) -> tuple[str, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return str(path), path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise HashListError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise HashListError(f"{path}: not UTF-8 text ({exc})") from None
    name = str(getattr(source, "name", "<hash list>"))
    data = source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HashListError(f"{name}: not UTF-8 text ({exc})") from None
    return name, data


def _detect(name: str, text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = {c.strip().lower() for c in next(csv.reader([first]), [])}
    if {"signal_type", "signal_str"} <= header:
        return "te"
    if {"hash_digest", "algorithm"} <= header:
        return "tcap"
    if _HMA_FILE.search(Path(name).name) or first.count(",") >= 4:
        return "hma"
    return "lines"


def read_hash_list(
    source: str | os.PathLike | IO[str] | IO[bytes],
    *,
    format: str = "auto",
    signal_type: str | None = None,
    name: str | None = None,
) -> HashList:
    """Read a hash list; ``format`` is one of :data:`FORMATS` or ``auto`` (from the header).

    ``signal_type`` names the hashes' type where the file does not (HMA files not named
    ``simple.<TYPE>.te``, ``lines`` files of bare hashes). Raises HashListError on a malformed
    row, naming the file and line.
    """
    where, text = _open_text(source)
    if format == "auto":
        format = _detect(where, text)
    if format not in FORMATS:
        raise HashListError(f"{where}: unknown hash list format {format!r} (use {FORMATS})")
    result = HashList(name or (Path(where).stem if where != "<hash list>" else "hash-list"))
    default_alg = normalise_algorithm(signal_type) if signal_type else None
    if signal_type and default_alg is None:
        raise HashListError(f"{where}: unknown signal type {signal_type!r}")

    def add(
        line: int, alg_name: str | None, value: str, ident: str | None, labels: Sequence[str]
    ) -> None:
        algorithm = normalise_algorithm(alg_name) if alg_name else default_alg
        if algorithm is None:
            if not alg_name:
                raise HashListError(f"{where}:{line}: no signal type; pass signal_type=")
            result.skipped += 1
            return
        result.records.append(_record(f"{where}:{line}", algorithm, value, ident, labels))

    if format in ("te", "tcap"):
        reader = csv.DictReader(io.StringIO(text))
        fields = {f.strip().lower(): f for f in reader.fieldnames or []}
        for row in reader:
            line = reader.line_num
            get = {k: (row.get(v) or "").strip() for k, v in fields.items()}
            if format == "te":
                labels = [get.get("collab", "")] + get.get("tags", "").split()
                add(line, get.get("signal_type") or None, get.get("signal_str", ""), None, labels)
            else:
                if get.get("deleted", "").lower() in ("true", "1", "yes"):
                    continue
                labels = [get.get("ideology", "")] + get.get("labels", "").split()
                ident = get.get("id") or None
                add(line, get.get("algorithm") or None, get.get("hash_digest", ""), ident, labels)
    elif format == "hma":
        file_type = _HMA_FILE.search(Path(where).name)
        hma_alg = file_type.group(1) if file_type else None
        for line, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not cells or not cells[0].strip():
                continue
            labels = cells[4].split() if len(cells) > 4 else []
            ident = cells[1].strip() if len(cells) > 1 else None
            add(line, hma_alg, cells[0], ident, labels)
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if default_alg is not None and " " not in stripped:
                add(line, None, stripped, None, ())
            else:
                kind, _, value = stripped.partition(" ")
                add(line, kind, value, None, ())
    return result


def write_hash_list(
    records: Iterable[HashRecord],
    dest: str | os.PathLike | IO[str],
    *,
    format: str = "te",
    collab: str = "symbolenbank",
) -> int:
    """Write records in one of :data:`FORMATS`; return how many rows were written.

    ``te`` writes the ``dataset --csv`` header with category ``POSITIVE_CLASS`` and the record id
    as first tag; ``tcap`` writes ``hash_digest,algorithm,ideology,file_type,id,labels``;
    ``hma`` writes header-less HMA rows and needs records of one algorithm (name the file
    ``simple.HASH_PDQ.te`` for HMA to read it); ``lines`` writes ``<signal_type> <hash>``.
    """
    if format not in FORMATS:
        raise HashListError(f"unknown hash list format {format!r} (use {FORMATS})")
    rows = list(records)
    if format == "hma" and len({r.algorithm for r in rows}) > 1:
        raise HashListError("an HMA file holds one signal type; write one file per algorithm")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if format == "te":
        writer.writerow(["collab", "signal_type", "signal_str", "category", "tags"])
        for r in rows:
            tags = " ".join(t.replace(" ", "_") for t in ((r.id,) if r.id else ()) + r.labels)
            writer.writerow([collab, _TE_NAMES[r.algorithm], r.value, "POSITIVE_CLASS", tags])
    elif format == "tcap":
        writer.writerow(["hash_digest", "algorithm", "ideology", "file_type", "id", "labels"])
        for r in rows:
            labels = " ".join(t.replace(" ", "_") for t in r.labels)
            writer.writerow([r.value, _TCAP_NAMES[r.algorithm], "", "", r.id or "", labels])
    elif format == "hma":
        for r in rows:
            labels = " ".join(t.replace(" ", "_") for t in r.labels)
            writer.writerow([r.value, r.id or "", 0, "", labels])
    else:
        for r in rows:
            buffer.write(f"{_TE_NAMES[r.algorithm]} {r.value}\n")
    text = buffer.getvalue()
    if isinstance(dest, (str, os.PathLike)):
        Path(dest).write_text(text, encoding="utf-8")
    else:
        dest.write(text)
    return len(rows)


def hma_file_name(algorithm: str) -> str:
    """The file name HMA 1.x reads a list of this algorithm from, e.g. ``simple.HASH_PDQ.te``."""
    return f"simple.{_HMA_NAMES[algorithm]}.te"
