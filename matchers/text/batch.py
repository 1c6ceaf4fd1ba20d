"""The scan driver: many posts canonicalised and searched at once (`scan_batch`), the
reference path for one post (`scan_reference`), and the cutting of a stream into batches.

A batch of posts is canonicalised in one go (`canon.canonicalize_batch`), the key automaton
runs once over the whole canonical batch, and its hits are handed out to their posts by
position. Only posts with hits (or with the first character of a punctuation-only pattern) are
resolved; posts where letters touch digits also get their other readings. Posts the batch path
cannot canonicalise exactly (`slow`, or with a NUL, the batch joiner) take the reference path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from .. import canon as nz
from .fuzzy import FuzzyHit
from .index import TextIndex
from .readings import with_readings
from .resolve import Hit, resolve
from .rules import TextMatch
from .selection import Selection
from .views import BatchView, ListView

__all__ = ["BATCH", "BATCH_CHARS", "chunks", "scan_batch", "scan_reference"]

# Posts canonicalised and searched at once, and at most this many characters: larger batches
# need multi-megabyte temporary arrays, and glibc hands memory that size back to the system
# after each batch, so the next one page-faults it in again (up to 23,000 faults per 4 MB of
# posts with 2,048 posts per batch; none with 1,024).
BATCH = 1024
BATCH_CHARS = 256_000


def chunks(texts: Iterable[str], size: int, chars: int | None = None) -> Iterator[list[str]]:
    """Lists of up to `size` texts and, past the first text, up to `chars` characters."""
    chunk: list[str] = []
    total = 0
    for t in texts:
        n = len(t) if type(t) is str else 1  # other types fail in the scan, with their name
        if chunk and chars is not None and total + n > chars:
            yield chunk
            chunk, total = [], 0
        chunk.append(t)
        total += n
        if len(chunk) >= size:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


def _type_error(value: object) -> TypeError:
    return TypeError(f"TextMatcher.scan() expects str, got {type(value).__name__}")


def scan_reference(
    ix: TextIndex,
    text: str,
    include_weak: bool = False,
    fuzzy: bool = False,
    sel: Selection | None = None,
) -> list[TextMatch]:
    """The matches of one post through the exact per-character path only (of the entries
    `sel` wants, if given)."""
    if not isinstance(text, str):
        raise _type_error(text)
    canon = nz.canonicalize(text, ix.codes)
    view = ListView(canon)
    hits = ix.keys.find(canon.k) if ix.nkeys else []
    fz = ix.fuzzy.hits(canon.k, fuzzy) if ix.fuzzy.wanted(fuzzy) else []
    if sel is not None:
        hits, fz = sel.hits(hits), sel.fuzzy_hits(fz)
    out = resolve(ix, text, view, hits, fz, include_weak)
    if ix.nkeys and len(nz.letter_digit_positions(canon.k)):
        out = with_readings(ix, text, out, view, include_weak, fuzzy)
    return out if sel is None else sel.matches(out)


def scan_batch(
    ix: TextIndex,
    posts: list[str],
    include_weak: bool,
    fuzzy: bool,
    sel: Selection | None = None,
) -> dict[int, list[TextMatch]]:
    """The matches of the posts that have any, by index. Sparse: most posts match nothing,
    and a list per post held through the batch would be promoted by the garbage collector
    and walked by its full collections again and again. Raises TypeError for a non-str.

    With `sel`, only the hits of the entries it needs are resolved, and only the matches of
    those it wants reported (`selection`)."""
    out: dict[int, list[TextMatch]] = {}
    if not posts:
        return out
    try:
        batch = nz.canonicalize_batch(posts, ix.tables)  # its join is the type check
    except TypeError:
        bad = [p for p in posts if not isinstance(p, str)]
        if not bad:
            raise
        raise _type_error(bad[0]) from None
    slow = batch.slow
    per_post = _hits_by_post(ix, batch)
    fz_post = _fuzzy_hits_by_post(ix, batch, fuzzy)
    if sel is not None:
        per_post, fz_post = _selected(sel, per_post, fz_post)
    todo = set(per_post) | set(fz_post)
    if ix.punct_patterns:
        first = ix.punct_first
        todo.update(i for i, p in enumerate(posts) if any(c in p for c in first))
    for o in todo:
        if not slow[o]:
            view = _post_view(batch, o, len(posts))
            out[o] = resolve(
                ix, posts[o], view, per_post.get(o, []), fz_post.get(o, []), include_weak
            )
    if ix.nkeys:
        for o, positions in _glued_by_post(batch).items():
            if not slow[o]:
                view = _post_view(batch, o, len(posts))
                local = [g - view.klo for g in positions]  # posts are framed by spaces
                out[o] = with_readings(
                    ix, posts[o], out.get(o, []), view, include_weak, fuzzy, local
                )
    for o in np.flatnonzero(slow).tolist():
        out[o] = scan_reference(ix, posts[o], include_weak, fuzzy, sel)
    if sel is not None:
        out = {o: kept for o, found in out.items() if (kept := sel.matches(found))}
    return out


def _selected(
    sel: Selection, per_post: dict[int, list[Hit]], fz_post: dict[int, list[FuzzyHit]]
) -> tuple[dict[int, list[Hit]], dict[int, list[FuzzyHit]]]:
    """The hits of the entries `sel` needs, by post; posts left with none are dropped."""
    hits = {o: kept for o, found in per_post.items() if (kept := sel.hits(found))}
    fz = {o: near for o, found in fz_post.items() if (near := sel.fuzzy_hits(found))}
    return hits, fz


def _post_view(batch: nz.Batch, o: int, nposts: int) -> BatchView:
    klo = int(batch.post_kstart[o])
    khi = int(batch.post_kstart[o + 1]) if o + 1 < nposts else len(batch.k)
    return BatchView(batch, int(batch.post_base[o]), klo, khi)


def _hits_by_post(ix: TextIndex, batch: nz.Batch) -> dict[int, list[Hit]]:
    """The key automaton's hits over the whole batch, by post (none for `slow` posts)."""
    per_post: dict[int, list[Hit]] = {}
    if not ix.nkeys:
        return per_post
    hits = ix.keys.find(batch.k)
    if not hits:
        return per_post
    ends = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
    owners = np.searchsorted(batch.post_kstart, ends, side="right") - 1
    slow_l = batch.slow.tolist()
    for h, o in zip(hits, owners.tolist(), strict=True):
        if not slow_l[o]:
            got = per_post.get(o)
            if got is None:
                per_post[o] = [h]
            else:
                got.append(h)
    return per_post


def _fuzzy_hits_by_post(ix: TextIndex, batch: nz.Batch, fuzzy: bool) -> dict[int, list[FuzzyHit]]:
    """Tokens one edit from an eligible pattern, by post, when the scan asks for fuzzy."""
    fz_post: dict[int, list[FuzzyHit]] = {}
    if not ix.fuzzy.wanted(fuzzy):
        return fz_post
    slow = batch.slow
    for cs, ce, item in ix.fuzzy.hits(batch.k, fuzzy, batch.k_arr):
        o = int(np.searchsorted(batch.post_kstart, cs, side="right") - 1)
        if not slow[o]:
            fz_post.setdefault(o, []).append((cs, ce, item))
    return fz_post


def _glued_by_post(batch: nz.Batch) -> dict[int, list[int]]:
    """Canonical positions where a letter touches a digit, by post."""
    glued = nz.letter_digit_positions(batch.k_arr)
    by_post: dict[int, list[int]] = {}
    if len(glued):
        owners = np.searchsorted(batch.post_kstart, glued, side="right") - 1
        for o, g in zip(owners.tolist(), glued.tolist(), strict=True):
            by_post.setdefault(o, []).append(g)
    return by_post
