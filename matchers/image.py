"""Match images against the knowledge base's hashes and imported hash lists.

    im = ImageMatcher.from_db("build/symbolenbank.db")
    im.add_hash_list("tcap.csv")                 # scanned together, labelled by source
    for m in im.scan("upload.jpg"):              # path, bytes, binary file or PIL image
        print(m.entry_id, m.algorithm, m.distance, m.source)

Each algorithm has its own Hamming threshold (:data:`DEFAULT_THRESHOLDS`, chosen from
``benchmarks/image_robustness.py``); every match carries its distance and the threshold it was
held to. The query is also hashed mirrored, so a mirrored copy matches (``mirrored=True``).
When the query has a caption band (meme style) at the top or bottom, the image without the band
and its uniform borders is hashed too, as an additional query (``hashing.trim_box``); a match
is then the nearest over all query variants.
By default (``confirm=True``) a reference stored with both pHash and dHash matches when both
are within :data:`CONFIRM_THRESHOLDS` (reported once, as ``phash`` with the dHash distance in
``confirm_distance``); a reference with only one of them is held to that algorithm's single
threshold. ``confirm=False`` applies the single thresholds to every hash independently.

A reference may carry two thresholds of its own (columns of the ``images`` table, keys of
:meth:`ImageMatcher.from_hashes` rows): ``pdq_threshold`` caps the PDQ threshold for it, and
``pdq_confirm`` makes every pHash or dHash match of it (confirmed pair or single) count only when
PDQ is within ``pdq_confirm`` too, for some query variant (reported in ``confirm_pdq``). A
reference with ``pdq_confirm`` but no PDQ hash matches by PDQ alone or not at all.

The build sets both on every drawing of the knowledge base (``symbolenbank/common_shapes.py``):
64-bit pHash and dHash cannot tell a simple black-on-white drawing from a plus sign, a
first-aid cross, a star or an up arrow; PDQ can. On the 2,817 common shapes and emoji of
``tests/common_shapes.py`` the pair rule alone gives 51 matches (the red star 38 times, the
arrow cross 11, the Celtic cross twice, once by PDQ 30), 77 with ``confirm=False``; with the
drawings' thresholds none, while every drawing still matches its resized, recompressed,
mirrored, greyscale and brightened copies. The price is recall under geometric edits, where PDQ
moves more than pHash: over the 40 drawings 2% crop 0.88 -> 0.80, 2-degree rotation
0.55 -> 0.38, 5% crop 0.28 -> 0, 5 degrees 0.30 -> 0.08 (``benchmarks/image_robustness.py``).
Hash lists carry no per-hash thresholds, so :meth:`ImageMatcher.export_csv` leaves out the
hashes that do not match on their own.

``scan(image, kinds=..., exclude_kinds=..., min_assessment=...)`` reports only the knowledge
base's entries of those kinds and tiers (:mod:`matchers.filters`); matches from added hash lists
have neither and are always reported.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any, cast

from .db import connect
from .errors import DatabaseError, ImageError
from .filters import EntryFilter
from .hamming import HammingIndex
from .hashing import (
    ALGORITHMS,
    HASH_BITS,
    HASH_REDUCE_SIZE,
    PDQ_MIN_QUALITY,
    QUERY_DRAFT_SIZE,
    ImageHashes,
    distance,
    hex_to_bytes,
    query_hashes,
    query_variants,
)
from .hashlists import HashList, HashRecord, read_hash_list, write_hash_list
from .imaging import DEFAULT_MAX_PIXELS, ImageSource, open_image

KB_SOURCE = "symbolenbank"
DEFAULT_THRESHOLDS: dict[str, int] = {"phash": 8, "dhash": 2, "pdq": 31}
"""Single-algorithm thresholds, each the largest distance whose false-positive rate over the
153k unrelated pairs of ``benchmarks/image_robustness.py`` stays <= 1e-4 (pHash 8: 9.8e-5;
dHash 2: 4.6e-5, dHash alone is weak on drawings and emoji). PDQ 31 is ThreatExchange's
``PDQ_CONFIDENT_MATCH_THRESHOLD``, which hash lists from HMA/TCAP are vetted with; it measured
2.6e-5 there (the floor: glyph pairs that differ only in colour)."""
CONFIRM_THRESHOLDS: dict[str, int] = {"phash": 10, "dhash": 10}
"""``confirm=True`` (the default): a reference with both pHash and dHash matches when both are
within 10. Same benchmark: false-positive rate 9.1e-5 (vs 9.8e-5 for pHash <= 8 alone) with
higher recall under brightness (0.94 vs 0.92), 5-degree rotation (0.63 vs 0.53) and 5% crop
(0.35 vs 0.31); only 2% crop is a point lower (0.95 vs 0.96)."""
PDQ_CONFIRM_THRESHOLD = 48
"""The PDQ distance that confirms a pHash/dHash match of a reference with ``pdq_confirm``; the
build lowers it for a drawing that a common shape comes near. Within 48: the drawings'
recompressed, resized, mirrored and greyscale copies (PDQ 32 at most) and four in five of their
2%-crop copies. Beyond it: all but one of the common shapes that passed the pHash+dHash rule
(PDQ 54 and more; the one, a crosshair at 36 from the Celtic cross, is why that drawing's
thresholds are 23). Over the 153k unrelated pairs of ``benchmarks/image_robustness.py`` the pair
rule with PDQ confirmation has a false-positive rate of 6.5e-5, 9.1e-5 without."""
_FAR = float("inf")
MIN_SIDE = 8
"""Images smaller than this on either side give no matches: their hashes carry no shape."""
_ROW_KEYS = (
    "entry_id", "phash", "dhash", "pdq", "pdq_quality", "note", "pdq_threshold", "pdq_confirm",
)  # fmt: skip


def _threshold(row: Mapping[str, Any], key: str) -> int | None:
    """A reference's own threshold from its row: None, or an int >= 0."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a whole number >= 0, got {value!r}")
    return value


@dataclass(frozen=True)
class ImageMatch:
    """One reference hash the scanned image is within threshold of."""

    entry_id: str
    """Knowledge-base entry id; for an imported list the list's id for the hash, else the hash."""
    algorithm: str
    """``phash``, ``dhash``, ``pdq`` or ``md5`` (exact bytes)."""
    distance: int
    """Hamming distance in bits (0 for md5)."""
    source: str
    """``symbolenbank`` for the knowledge base, else the name the hash list was added under."""
    threshold: int
    mirrored: bool
    """True when the mirrored image matched (and was closer than the image as is)."""
    reference: str
    """The stored hash that matched (hex)."""
    labels: tuple[str, ...] = ()
    """KB: (assessment,); imported lists: their tags, collaboration or ideology."""
    note: str | None = None
    confirm_distance: int | None = None
    """For a pHash match confirmed by dHash (``confirm=True``): the dHash distance."""
    confirm_pdq: int | None = None
    """For a pHash or dHash match of a reference with ``pdq_confirm``: the PDQ distance."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels)
        return d


@dataclass(frozen=True)
class _Ref:
    source: str
    entry_id: str
    algorithm: str
    value: str
    labels: tuple[str, ...]
    note: str | None
    group: int
    """References of one image (one row of the images table) share a group, for confirmation."""
    cap: int | None = None
    """The reference's own threshold (``pdq_threshold``), below the matcher's."""


class ImageMatcher:
    """Perceptual-hash matcher over the knowledge base and any added hash lists."""

    def __init__(
        self,
        *,
        thresholds: Mapping[str, int] | None = None,
        confirm: bool = True,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.thresholds = dict(DEFAULT_THRESHOLDS)
        if thresholds:
            unknown = set(thresholds) - set(ALGORITHMS)
            if unknown:
                raise ValueError(f"unknown algorithm(s): {', '.join(sorted(unknown))}")
            self.thresholds.update(thresholds)
        self.confirm = confirm
        self.max_pixels = max_pixels
        self._refs: list[_Ref] = []
        self._groups = 0
        self._indexes: dict[str, tuple[HammingIndex, list[_Ref]]] | None = None
        self._md5: dict[str, list[_Ref]] = {}
        self._by_group: dict[int, dict[str, list[str]]] = {}
        self._confirm_pdq: dict[int, int] = {}
        self._entries: dict[str, tuple[str, str]] = {}
        """Knowledge-base entry id -> (kind, assessment), for filtered scans."""
        self.sources: dict[str, int] = {}

    # -- building -------------------------------------------------------------------------

    def _add(
        self,
        source: str,
        entry_id: str,
        hashes: Mapping[str, Any],
        labels: Iterable[str],
        note: str | None,
    ) -> int:
        group = self._groups
        self._groups += 1
        added = 0
        cap = _threshold(hashes, "pdq_threshold")
        confirm_pdq = _threshold(hashes, "pdq_confirm")
        if confirm_pdq is not None:
            self._confirm_pdq[group] = confirm_pdq
        for algorithm in (*ALGORITHMS, "md5"):
            value = hashes.get(algorithm)
            if not value:
                continue
            if algorithm == "pdq":
                quality = hashes.get("pdq_quality")
                if quality is not None and int(quality) < PDQ_MIN_QUALITY:
                    continue
            value = str(value).strip().lower()
            if algorithm == "md5":
                if len(value) != 32:
                    raise ValueError(f"{entry_id}: md5 must be 32 hex digits")
            else:
                hex_to_bytes(value, algorithm)  # validates
            ref = _Ref(
                source, entry_id, algorithm, value, tuple(labels), note, group,
                cap if algorithm == "pdq" else None,
            )  # fmt: skip
            self._refs.append(ref)
            self._by_group.setdefault(group, {}).setdefault(algorithm, []).append(value)
            if algorithm == "md5":
                self._md5.setdefault(value, []).append(ref)
            added += 1
        self.sources[source] = self.sources.get(source, 0) + added
        self._indexes = None
        return added

    @classmethod
    def from_hashes(
        cls,
        rows: Iterable[Mapping[str, Any]],
        *,
        source: str = KB_SOURCE,
        **options: Any,
    ) -> ImageMatcher:
        """Build from plain mappings: ``entry_id`` and any of ``phash``, ``dhash``, ``pdq``,
        ``pdq_quality``, ``md5``, ``labels`` (sequence), ``note``, ``pdq_threshold`` and
        ``pdq_confirm`` (see the module docstring), and the entry's ``kind`` and ``assessment``
        (for filtered scans of the knowledge base's source). Other keys are ignored.
        Raises ValueError on a malformed hash or threshold, naming the entry."""
        matcher = cls(**options)
        for row in rows:
            entry_id = row.get("entry_id")
            if not entry_id:
                raise ValueError(f"row without entry_id: {dict(row)!r}")
            try:
                matcher._add(source, str(entry_id), row, row.get("labels") or (), row.get("note"))
            except ValueError as exc:
                raise ValueError(f"{entry_id}: {exc}") from None
            if source == KB_SOURCE:
                kind, assessment = row.get("kind") or "", row.get("assessment") or ""
                matcher._entries[str(entry_id)] = (str(kind), str(assessment))
        return matcher

    @classmethod
    def from_db(cls, path: str | os.PathLike, **options: Any) -> ImageMatcher:
        """Load the ``images`` table of a built database (active entries only). A database
        built before ``pdq_threshold`` and ``pdq_confirm`` existed loads without them."""
        conn = connect(path)
        try:
            present = {r["name"] for r in conn.execute("pragma table_info(images)")}
            guard = ", ".join(
                f"i.{c}" if c in present else f"null as {c}"
                for c in ("pdq_threshold", "pdq_confirm")
            )
            rows = conn.execute(
                "select i.entry_id, i.phash, i.dhash, i.pdq, i.pdq_quality, i.note,"
                f" {guard}, e.kind, e.assessment from images i join entries e on e.id = i.entry_id"
                " where e.status = 'active' order by i.id"
            ).fetchall()
        except Exception as exc:  # sqlite3.Error; the schema is the build side's
            raise DatabaseError(f"{path}: cannot read the images table ({exc})") from None
        finally:
            conn.close()
        try:
            return cls.from_hashes(
                (
                    {
                        **{k: r[k] for k in _ROW_KEYS},
                        "kind": r["kind"],
                        "assessment": r["assessment"],
                        "labels": (r["assessment"],) if r["assessment"] else (),
                    }
                    for r in rows
                ),
                **options,
            )
        except ValueError as exc:
            raise DatabaseError(f"{path}: bad hash in the images table: {exc}") from None

    def add_hash_list(
        self,
        source: str | os.PathLike | IO[str] | IO[bytes] | HashList | Iterable[HashRecord],
        *,
        name: str | None = None,
        format: str = "auto",
        signal_type: str | None = None,
    ) -> int:
        """Add a hash list (a file in one of the :mod:`matchers.hashlists` formats, a
        :class:`HashList` or records); its matches carry ``source=name`` (default: the file
        stem). Returns how many hashes were added."""
        if isinstance(source, HashList):
            hash_list = source
        elif isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
            hash_list = read_hash_list(
                cast("str | os.PathLike[str] | IO[str] | IO[bytes]", source),
                format=format,
                signal_type=signal_type,
            )
        else:
            hash_list = HashList(name or "hash-list", list(source))
        label = name or hash_list.name
        if label == KB_SOURCE:
            raise ValueError(f"{KB_SOURCE!r} is reserved for the knowledge base")
        added = 0
        for rec in hash_list.records:
            hashes = {rec.algorithm: rec.value, "pdq_quality": rec.quality}
            added += self._add(label, rec.id or rec.value, hashes, rec.labels, None)
        self.sources.setdefault(label, 0)
        return added

    def _build(self) -> dict[str, tuple[HammingIndex, list[_Ref]]]:
        if self._indexes is None:
            indexes = {}
            for algorithm in ALGORITHMS:
                refs = [r for r in self._refs if r.algorithm == algorithm]
                if refs:
                    blobs = [bytes.fromhex(r.value) for r in refs]
                    index = HammingIndex(blobs, bits=HASH_BITS[algorithm])
                    indexes[algorithm] = (index, refs)
            self._indexes = indexes
        return self._indexes

    def __len__(self) -> int:
        return len(self._refs)

    @property
    def algorithms(self) -> frozenset[str]:
        """The perceptual algorithms that have at least one reference hash."""
        return frozenset(self._build())

    # -- scanning -------------------------------------------------------------------------

    def query_hashes(self, image: ImageSource) -> ImageHashes:
        """The query hashes scan() uses (JPEG draft decode, mirrored hashes included)."""
        decoded = open_image(
            image,
            max_pixels=self.max_pixels,
            draft_size=QUERY_DRAFT_SIZE,
            reduce_size=HASH_REDUCE_SIZE,
        )
        return query_hashes(decoded, ALGORITHMS)

    def scan(
        self,
        image: ImageSource,
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> list[ImageMatch]:
        """Match one image; nearest first. Raises ImageError naming the input and the reason.

        `kinds`, `exclude_kinds` and `min_assessment` leave out the knowledge base's entries of
        other kinds and lower tiers, as `TextMatcher.scan` does (ValueError for unknown values);
        matches from added hash lists are kept."""
        filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
        found = self._scan(image)
        if filters is None:
            return found
        return [m for m in found if m.source != KB_SOURCE or self._allows(filters, m.entry_id)]

    def _allows(self, filters: EntryFilter, entry_id: str) -> bool:
        kind, assessment = self._entries.get(entry_id, ("", ""))
        return filters.allows(kind, assessment)

    def _scan(self, image: ImageSource) -> list[ImageMatch]:
        indexes = self._build()
        want_bytes = bool(self._md5) and not hasattr(image, "getpixel")
        decoded = open_image(
            image,
            max_pixels=self.max_pixels,
            draft_size=QUERY_DRAFT_SIZE,
            reduce_size=HASH_REDUCE_SIZE,
            keep_bytes=want_bytes,
        )
        found: dict[tuple[str, str, str], ImageMatch] = {}

        def keep(match: ImageMatch) -> None:
            key = (match.source, match.entry_id, match.algorithm)
            best = found.get(key)
            if best is None or match.distance < best.distance:
                found[key] = match

        if decoded.data is not None:
            for ref in self._md5.get(hashlib.md5(decoded.data).hexdigest(), ()):
                keep(self._match(ref, 0, False, 0))
        width, height = decoded.original_size
        if not indexes or min(width, height) < MIN_SIDE:
            return self._sorted(found)
        wanted = frozenset(indexes) | ({"pdq"} if self._confirm_pdq else frozenset())
        variants = query_variants(decoded, wanted)
        slots = 2 * len(variants)
        # hits[algorithm][position] = distances per query variant: [as is, mirrored] for the
        # image, then for the image without its caption band (when it has one)
        hits: dict[str, dict[int, list[float]]] = {}
        for algorithm, (index, _refs) in indexes.items():
            radius = self.thresholds[algorithm]
            if self.confirm and algorithm in CONFIRM_THRESHOLDS:
                radius = max(radius, CONFIRM_THRESHOLDS[algorithm])
            per = hits.setdefault(algorithm, {})
            for slot in range(slots):
                value = variants[slot // 2].get(algorithm, slot % 2 == 1)
                if value is None:
                    continue
                positions, distances = index.query(bytes.fromhex(value), radius)
                for pos, dist in zip(positions.tolist(), distances.tolist(), strict=True):
                    per.setdefault(pos, [_FAR] * slots)[slot] = dist
        confirmed = self._confirmed(hits, indexes, slots) if self.confirm else {}
        query_pdq = [v.get("pdq", m) for v in variants for m in (False, True)]
        for algorithm, per in hits.items():
            refs = indexes[algorithm][1]
            for pos, dists in per.items():
                ref = refs[pos]
                threshold = self.thresholds[algorithm]
                if ref.cap is not None:
                    threshold = min(threshold, ref.cap)
                if ref.group in confirmed:
                    if algorithm == "phash":
                        dist, flip, other = confirmed[ref.group]
                        ok, pdq = self._pdq_confirms(ref.group, query_pdq)
                        if ok:
                            limit = CONFIRM_THRESHOLDS["phash"]
                            keep(self._match(ref, dist, flip, limit, other, pdq))
                    continue
                if self.confirm and self._has_pair(ref):
                    continue  # both hashes stored but they did not agree
                slot = min(range(slots), key=dists.__getitem__)
                if dists[slot] > threshold:
                    continue
                ok, pdq = (True, None)
                if algorithm != "pdq":
                    ok, pdq = self._pdq_confirms(ref.group, query_pdq)
                if ok:
                    keep(self._match(ref, int(dists[slot]), slot % 2 == 1, threshold, None, pdq))
        return self._sorted(found)

    def _pdq_confirms(self, group: int, query_pdq: list[str | None]) -> tuple[bool, int | None]:
        """Whether a pHash/dHash match of ``group`` stands: (True, None) when it needs no PDQ,
        else whether PDQ is within its ``pdq_confirm`` for some query variant, and the distance."""
        limit = self._confirm_pdq.get(group)
        if limit is None:
            return True, None
        stored = self._by_group.get(group, {}).get("pdq", [])
        best = min(
            (distance(ref, q) for ref in stored for q in query_pdq if q is not None),
            default=None,
        )
        return best is not None and best <= limit, best

    def _has_pair(self, ref: _Ref) -> bool:
        stored = self._by_group.get(ref.group, {})
        return ref.algorithm in CONFIRM_THRESHOLDS and "phash" in stored and "dhash" in stored

    def _confirmed(
        self,
        hits: dict[str, dict[int, list[float]]],
        indexes: dict[str, tuple[HammingIndex, list[_Ref]]],
        slots: int = 2,
    ) -> dict[int, tuple[int, bool, int]]:
        """Groups whose pHash and dHash are both within CONFIRM_THRESHOLDS for one query
        variant: group -> (pHash distance, mirrored, dHash distance)."""
        if "phash" not in hits or "dhash" not in hits:
            return {}
        dhash_by_group: dict[int, list[float]] = {}
        for pos, dists in hits["dhash"].items():
            group = indexes["dhash"][1][pos].group
            best = dhash_by_group.setdefault(group, [_FAR] * slots)
            best[:] = [min(b, d) for b, d in zip(best, dists, strict=True)]
        out: dict[int, tuple[int, bool, int]] = {}
        cp, cd = CONFIRM_THRESHOLDS["phash"], CONFIRM_THRESHOLDS["dhash"]
        for pos, pd in hits["phash"].items():
            group = indexes["phash"][1][pos].group
            dd = dhash_by_group.get(group)
            if dd is None:
                continue
            for variant in range(slots):
                if pd[variant] <= cp and dd[variant] <= cd:
                    candidate = (int(pd[variant]), variant % 2 == 1, int(dd[variant]))
                    if group not in out or candidate < out[group]:
                        out[group] = candidate
        return out

    @staticmethod
    def _match(
        ref: _Ref,
        dist: int,
        mirrored: bool,
        threshold: int,
        confirm: int | None = None,
        confirm_pdq: int | None = None,
    ) -> ImageMatch:
        return ImageMatch(
            entry_id=ref.entry_id,
            algorithm=ref.algorithm,
            distance=int(dist),
            source=ref.source,
            threshold=threshold,
            mirrored=mirrored,
            reference=ref.value,
            labels=ref.labels,
            note=ref.note,
            confirm_distance=confirm,
            confirm_pdq=confirm_pdq,
        )

    @staticmethod
    def _sorted(matches: dict[tuple[str, str, str], ImageMatch]) -> list[ImageMatch]:
        def key(m: ImageMatch) -> tuple[float, bool, str, str]:
            bits = HASH_BITS.get(m.algorithm, 1)
            return (m.distance / bits, m.source != KB_SOURCE, m.entry_id, m.algorithm)

        return sorted(matches.values(), key=key)

    def scan_many(
        self,
        images: Iterable[ImageSource],
        *,
        kinds: Iterable[str] | None = None,
        exclude_kinds: Iterable[str] | None = None,
        min_assessment: str | None = None,
    ) -> Iterable[list[ImageMatch] | ImageError]:
        """Scan several images in order (with `scan`'s filters); a bad one yields its
        ImageError instead of stopping. Bad filter values raise ValueError at once."""
        filters = EntryFilter.of(kinds, exclude_kinds, min_assessment)
        return self._scan_each(images, filters.options() if filters is not None else {})

    def _scan_each(
        self, images: Iterable[ImageSource], chosen: dict[str, Any]
    ) -> Iterable[list[ImageMatch] | ImageError]:
        for image in images:
            try:
                yield self.scan(image, **chosen)
            except ImageError as exc:
                yield exc

    # -- exporting ------------------------------------------------------------------------

    def records(self, source: str = KB_SOURCE, *, standalone: bool = False) -> list[HashRecord]:
        """The hashes of one source as hash-list records (id = entry id). ``standalone``: only
        those that match on their own at the default thresholds, i.e. not the pHash and dHash
        of a reference with ``pdq_confirm``, nor a PDQ hash whose ``pdq_threshold`` is below
        the default."""
        return [
            HashRecord(r.algorithm, r.value, r.entry_id, r.labels)
            for r in self._refs
            if r.source == source and (not standalone or self._standalone(r))
        ]

    def _standalone(self, ref: _Ref) -> bool:
        if ref.algorithm == "pdq":
            return ref.cap is None or ref.cap >= DEFAULT_THRESHOLDS["pdq"]
        return ref.algorithm == "md5" or ref.group not in self._confirm_pdq

    def export_csv(
        self,
        dest: str | os.PathLike | IO[str],
        *,
        format: str = "te",
        algorithms: Iterable[str] | None = None,
        source: str = KB_SOURCE,
    ) -> int:
        """Write the knowledge base's hashes (or another source's) as a hash list; returns the
        number of rows. ``algorithms`` defaults to all for ``te``/``tcap``/``lines`` and to
        ``("pdq",)`` for ``hma``, whose files hold one signal type. Hash lists have no field
        for a reference's own thresholds, so only :meth:`records` ``(standalone=True)`` are
        written: a drawing's pHash alone would match plus signs wherever the list is used."""
        if algorithms is None:
            algorithms = ("pdq",) if format == "hma" else (*ALGORITHMS, "md5")
        wanted = set(algorithms)
        rows = [r for r in self.records(source, standalone=True) if r.algorithm in wanted]
        return write_hash_list(rows, dest, format=format)
