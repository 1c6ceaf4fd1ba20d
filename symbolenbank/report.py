"""The Markdown report of `symbolenbank diff` for a pull request.

What changed entry by entry, field by field, and how likely the new patterns are to misfire
(`risk`), with the benign corpora it was measured on and the languages they cover.
"""

from __future__ import annotations

import json
from typing import Any

from .compare import Diff, FieldChange
from .corpus import CHAT_CORPORA_ENV, Corpus, CorpusSource
from .risk import PatternRisk
from .snapshot import Snapshot

MAX_CELL = 160
EMPTY_CELL = "—"


def _item(value: Any) -> str:
    if isinstance(value, dict):
        if "is_emoji" in value:
            extra = ", ".join(f"{k}: {value[k]}" for k in ("lang", "fuzzy") if value.get(k))
            return f"`{value['text']}` ({value['match']}{', ' + extra if extra else ''})"
        if "expect" in value:
            return f"{value['expect']}: “{value['text']}”"
        if "url" in value:
            return f"{value.get('title')} <{value['url']}>"
        if "phash" in value or "file" in value:
            return str(value.get("file") or f"phash {value.get('phash')}")
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _cell(value: Any) -> str:
    if value is None or value == []:
        return EMPTY_CELL
    text = ", ".join(_item(v) for v in value) if isinstance(value, list) else _item(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _change_row(change: FieldChange) -> str:
    before, after = change.before, change.after
    if isinstance(before, list) or isinstance(after, list):
        removed = [f"− {_cell([v])}" for v in change.items_removed]
        added = [f"+ {_cell([v])}" for v in change.items_added]
        if removed or added:
            return f"| `{change.field}` | {'<br>'.join(removed) or EMPTY_CELL} | " + (
                f"{'<br>'.join(added) or EMPTY_CELL} |"
            )
        return f"| `{change.field}` | (order changed) | |"
    return f"| `{change.field}` | {_cell(before)} | {_cell(after)} |"


def _title(snap: Snapshot, eid: str) -> str:
    entry = snap.entries.get(eid, {})
    return f"`{eid}` — {entry.get('title', '?')}"


def _zipf_cell(risk: PatternRisk) -> str:
    if risk.ref.is_emoji:
        return "emoji"
    if risk.zipf <= 0:
        return "not in wordfreq"
    return f"{risk.zipf:.1f} ({risk.per_million_words:.2g}/M, {risk.zipf_lang})"


def _text_in(lang: str | None) -> str:
    return f"{lang} text" if lang else "text of unknown language"


def _corpus_cell(risk: PatternRisk, corpus: Corpus | None) -> str:
    """Hits on text in the pattern's own languages, languages without benign text, and hits on
    text in other languages."""
    if risk.corpus_hits is None or corpus is None or not corpus.lines:
        return "not measured"
    parts = []
    covered = risk.covered(corpus)
    if covered or risk.any_language:
        hits, lines = risk.measured(corpus)
        where = "" if risk.any_language else f" {', '.join(covered)}"
        parts.append(f"{hits} ({hits / lines * 10_000:.1f} per 10k{where} lines)")
    uncovered = risk.uncovered(corpus)
    if uncovered:
        parts.append(f"no benign corpus in {', '.join(uncovered)}")
    elsewhere = risk.elsewhere(corpus)
    if elsewhere:
        langs = ", ".join(
            f"{n} in {_text_in(lang)}" for lang, n in sorted(elsewhere.items(), key=str)
        )
        parts.append(f"{'more: ' if covered else ''}{langs}")
    if risk.weak_hits:
        parts.append(f"{risk.weak_hits} more without its context")
    return "; ".join(parts)


def _source_line(source: CorpusSource) -> str:
    if not source.lines:
        return f"- `{source.path}`: no {source.unit}"
    lang = source.lang or "language not known: name it `<lang>_…` or `…-<lang>`"
    return f"- `{source.path}` ({lang}): {len(source.lines):,} {source.unit}"


def corpus_summary(corpus: Corpus | None) -> str:
    if corpus is None:
        return "Benign corpus: not used (`--no-corpus`)."
    hints = []
    for source in corpus.missing:
        if source.unit == "posts":
            hints.append(
                f"chat corpora `{source.path}`: pass `--corpora DIR` or set `${CHAT_CORPORA_ENV}`"
            )
        else:
            hints.append(
                f"`{source.path}`: install `debian-edu-doc-nl` and `debian-edu-doc-en` "
                "(scripts/system-deps.sh) or pass `--corpus PATH`"
            )
    if not corpus.lines:
        return (
            "Benign corpus: **not found** ("
            + "; ".join(hints or ["no lines in the corpus given"])
            + "). Only wordfreq frequencies are reported."
        )
    langs = ", ".join(corpus.languages) or "none known"
    out = [
        f"Benign corpora cover **{langs}**: {len(corpus.lines):,} lines "
        f"({corpus.words:,} words), from",
        "",
        *(_source_line(s) for s in corpus.sources if s.found),
    ]
    if hints:
        out += ["", "Not found: " + "; ".join(hints) + "."]
    return "\n".join(out)


def _uncovered_summary(risks: list[PatternRisk], corpus: Corpus | None) -> list[str]:
    """The new patterns whose languages have no benign text, so no hits could be counted."""
    if corpus is None or not corpus.lines:
        return []
    gaps = [(r, r.uncovered(corpus)) for r in risks if r.corpus_hits is not None]
    gaps = [(r, langs) for r, langs in gaps if langs]
    if not gaps:
        return []
    langs = sorted({lang for _, ls in gaps for lang in ls})
    return [
        "",
        f"{len(gaps)} new pattern(s) in a language without a benign corpus "
        f"({', '.join(langs)}): their hits in that language are not known.",
    ]


def render_markdown(
    diff: Diff, risks: list[PatternRisk], corpus: Corpus | None, note: str = ""
) -> str:
    """The pull-request report: what changed, and how likely the new patterns are to misfire."""
    base, head = diff.base, diff.head
    changed_only = [e for e in diff.changed if e not in diff.retired]
    out = [
        f"## Symbolenbank changes: `{base.label}` → `{head.label}`",
        "",
        f"**{len(diff.added)} added, {len(changed_only)} changed, {len(diff.retired)} retired, "
        f"{len(diff.removed)} removed** · patterns +{len(diff.patterns_added)} "
        f"−{len(diff.patterns_removed)} · {len(base.entries)} → {len(head.entries)} entries",
    ]
    if diff.empty:
        out += ["", "No entry changed."]
    if diff.added:
        out += ["", f"### Added entries ({len(diff.added)})", ""]
        for eid in diff.added:
            e = head.entries[eid]
            out.append(
                f"- {_title(head, eid)} / {e.get('title_en')} · {e.get('kind')} · "
                f"**{e.get('assessment')}** · {', '.join(e.get('ideologies') or [])} · "
                f"{len(e.get('patterns', []))} pattern(s), {len(e.get('sources', []))} source(s)"
                + (" · status retired" if e.get("status") == "retired" else "")
                + (" · **restricted**" if e.get("visibility") == "restricted" else "")
            )
    for title, ids in (("Changed entries", changed_only), ("Retired entries", diff.retired)):
        if ids:
            out += ["", f"### {title} ({len(ids)})"]
            for eid in ids:
                out += ["", f"#### {_title(head, eid)}", "", "| field | before | after |"]
                out.append("|---|---|---|")
                out += [_change_row(c) for c in diff.changed[eid]]
    if diff.reactivated:
        out += [
            "",
            "Reactivated (retired → active): " + ", ".join(f"`{e}`" for e in diff.reactivated),
        ]
    if diff.removed:
        out += ["", f"### Removed entries ({len(diff.removed)})", ""]
        out.append(
            "> **Entry ids are never reused.** Retire an entry (`status: retired`) instead of "
            "deleting its file, so platforms can follow the change."
        )
        out += [""] + [f"- {_title(base, eid)}" for eid in diff.removed]
    if diff.patterns_added:
        out += ["", f"### Patterns added ({len(diff.patterns_added)})", ""]
        out.append("| entry | pattern | match | wordfreq Zipf | benign lines hit | overlaps |")
        out.append("|---|---|---|---|---|---|")
        for risk in risks:
            r = risk.ref
            flag = "⚠️ " if risk.risky else ""
            out.append(
                f"| `{r.entry_id}` | {flag}`{_cell(r.text)}` | {r.match} | {_zipf_cell(risk)} | "
                f"{_corpus_cell(risk, corpus)} | {_cell(risk.collisions)} |"
            )
    if diff.patterns_removed:
        out += ["", f"### Patterns removed ({len(diff.patterns_removed)})", ""]
        out += [f"- `{r.entry_id}`: `{r.text}` ({r.match})" for r in diff.patterns_removed]
    if diff.patterns_added:
        out += ["", "### False-positive risk", "", corpus_summary(corpus)]
        out += _uncovered_summary(risks, corpus)
        if note:
            out += ["", f"Not measured: {note}."]
        flagged = [r for r in risks if r.risky]
        out += [
            "",
            f"{len(flagged)} of {len(risks)} new pattern(s) flagged (⚠️): common word "
            "(Zipf ≥ 4), fires on benign text, or is the same as or fires inside another "
            "entry's pattern. Check their `match` mode, `context` and `exceptions`.",
        ]
        for risk in flagged:
            for sample in risk.samples:
                out.append(f"- `{risk.ref.text}` ({risk.ref.entry_id}): {_cell(sample)}")
    return "\n".join(out) + "\n"
