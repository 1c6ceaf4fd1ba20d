"""Strict matches on everyday text: real benign chat corpora and the project's own sentences.

    python benchmarks/text_precision.py [--db DB | --data data] [--corpora DIR] [--benign DIR]
        [--judgements benchmarks/judgements.yaml] [--top 15] [--no-excerpts] [--check] [--stubs]

A strict match is what ``TextMatcher.scan(text)`` returns with its default options (no weak
matches, no fuzzy matching), on the database built from ``data/`` (or ``--db``).

1. The chat corpora (``--corpora``, else ``$SYMBOLENBANK_CORPORA``, else ``../shared/corpora/``
   beside the repository; its README describes them): ``<lang>_<name>.txt``, one post per line,
   none of them extremist by its source's labels. Per corpus: posts, posts with a strict match and
   per entry. Every strict match is listed with its judgement from ``benchmarks/judgements.yaml``,
   keyed by (corpus file, post key, entry id): ``extremist`` (the sign used in its extremist
   sense), ``mention`` (named in news, discussion or counter-speech) or ``harmless`` (a harmless
   meaning: a false positive). The post key is the first 12 hex digits of the SHA-256 of the
   post's UTF-8 text, so a judgement survives changes to the matcher and the entries; the line
   number is there for the reader. Corpus text never goes into the repository: ``--no-excerpts``
   (which ``run_all.py`` passes for REPORT.md) leaves out the 80-character excerpts, keeping
   line, entry and the matched span, which is the sign itself. A strict match without a judgement
   prints as UNJUDGED; ``--check`` then exits with 1, ``--stubs`` prints judgement stubs for them.
   Targets per corpus: harmless matches in at most 0.05% of posts; strict matches of any kind in
   at most 0.2% of posts.
2. The adversarial-benign sentences in ``data/benign/{nl,de,en}.yaml`` (``--benign DIR``): a
   mapping of entry id to sentences written to look like the entry and be harmless. Per
   language: sentences and strictly flagged ones (target: at most 0.5% overall); every flagged
   sentence is listed, and so is each of a fixed list of named sentences that must never match.
3. The entries with the most strict matches on the corpora and the sentences, for curators.

Deterministic: the files are read in name order and line order; benchmarks never gate tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matchers  # noqa: E402
from symbolenbank.corpus import CHAT_CORPORA_ENV, chat_corpora_dir, name_language, posts  # noqa: E402

VERDICTS = ("extremist", "mention", "harmless")
HARMLESS_MAX = 0.0005  # of a corpus's posts
STRICT_MAX = 0.002  # of a corpus's posts
SENTENCES_MAX = 0.005  # of all adversarial-benign sentences
BENIGN_LANGS = ("nl", "de", "en")
EXCERPT = 80
KEY_HEX = 12

#: Everyday sentences that look like a sign and must never be a strict match.
NAMED_SENTENCES = (
    "ik heb vandaag 1488 stappen gezet",
    "1488 likes op mijn foto",
    "Jacobus III (1452-1488)",
    "84 Prozent der Haushalte in Deutschland",
    "Er zog mit 88 Jahren ins Altersheim",
    "Happy birthday Emma! 4/20 🎂",
    "Am 20.4. hat meine Mutter Geburtstag",
    "Mijn collega Turan is een Turk uit Izmir",
    "Rafidah Aziz, former Malaysian trade minister",
    "In Rainbow Six Siege you have to defend the base",
    "Sturm: 18 Uhr Warnung",
    "Support ticket C18: printer jam",
    "Why did 109 countries vote for the resolution?",
    "Red Star Belgrade fans riot",
)


class InputError(Exception):
    """A judgements or sentences file that cannot be used, with what to fix."""


# --- the inputs ---------------------------------------------------------------------------------


def post_key(text: str) -> str:
    """The stable key of a post: the first 12 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_HEX]


@dataclass(frozen=True)
class Judgement:
    verdict: str
    note: str
    line: int | None


JudgementKey = tuple[str, str, str]  # corpus file name, post key, entry id


def load_judgements(path: Path) -> dict[JudgementKey, Judgement]:
    """The judgements file, checked: every item names a post, an entry, a verdict and a note."""
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping of corpus file name to a list of judgements")
    out: dict[JudgementKey, Judgement] = {}
    for corpus, items in doc.items():
        if not isinstance(items, list):
            raise InputError(f"{path}: {corpus}: expected a list of judgements")
        for i, item in enumerate(items, 1):
            where = f"{path}: {corpus}: judgement {i}"
            if not isinstance(item, dict):
                raise InputError(f"{where}: expected a mapping with post, entry, judgement, note")
            unknown = set(item) - {"post", "line", "entry", "judgement", "note"}
            if unknown:
                raise InputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
            key = str(item.get("post", ""))
            if len(key) != KEY_HEX or any(c not in "0123456789abcdef" for c in key):
                raise InputError(f"{where}: `post` must be {KEY_HEX} lowercase hex digits")
            entry, verdict, note = item.get("entry"), item.get("judgement"), item.get("note")
            if not isinstance(entry, str) or not entry:
                raise InputError(f"{where}: `entry` must be an entry id")
            if verdict not in VERDICTS:
                raise InputError(f"{where}: `judgement` must be one of {', '.join(VERDICTS)}")
            if not isinstance(note, str) or not note.strip():
                raise InputError(f"{where}: `note` must say in a few words why")
            line = item.get("line")
            if line is not None and not isinstance(line, int):
                raise InputError(f"{where}: `line` must be a line number")
            if (str(corpus), key, entry) in out:
                raise InputError(f"{where}: post {key} and entry {entry} are judged twice")
            out[(str(corpus), key, entry)] = Judgement(verdict, note.strip(), line)
    return out


def load_sentences(
    folder: Path, suffix: str = ""
) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """(language -> [(entry id, sentence)], missing file names) of the adversarial-benign files
    (`<lang>.yaml`), or of the mentions in news and counter-speech (`<lang>-mentions.yaml`)."""
    found: dict[str, list[tuple[str, str]]] = {}
    missing = []
    for lang in BENIGN_LANGS:
        path = folder / f"{lang}{suffix}.yaml"
        if not path.is_file():
            missing.append(path.name)
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict):
            raise InputError(f"{path}: expected a mapping of entry id to a list of sentences")
        found[lang] = []
        for entry, sentences in doc.items():
            if not isinstance(sentences, list):
                raise InputError(f"{path}: {entry}: expected a list of sentences")
            for i, sentence in enumerate(sentences, 1):
                if not isinstance(sentence, str) or not sentence.strip():
                    raise InputError(f"{path}: {entry}: sentence {i} is not text (quote it)")
                found[lang].append((str(entry), sentence))
    return found, missing


def build_db(data: Path, tmp: Path) -> Path:
    """`data` built into a temporary database, as the other benchmarks do (examples unchecked)."""
    from symbolenbank.build import BuildError, build_database

    try:
        return build_database(data, tmp / "kb.db", check_examples=False).output
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(f"{data} does not build ({exc}); run `symbolenbank validate`") from None


def active_entries(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("select id from entries where status = 'active'")}
    finally:
        con.close()


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Hit:
    """The strict matches of one entry in one post of a corpus."""

    corpus: str
    line: int
    key: str
    entry: str
    spans: list[tuple[int, int, str]]
    text: str
    judgement: Judgement | None

    @property
    def verdict(self) -> str:
        return self.judgement.verdict if self.judgement else "UNJUDGED"


@dataclass
class CorpusResult:
    name: str
    lang: str | None
    posts: int
    hits: list[Hit] = field(default_factory=list)

    def posts_with(self, verdicts: Iterable[str] | None = None) -> int:
        wanted = set(verdicts) if verdicts is not None else None
        return len({h.line for h in self.hits if wanted is None or h.verdict in wanted})


def scan_corpora(
    tm: matchers.TextMatcher, folder: Path, judgements: dict[JudgementKey, Judgement]
) -> list[CorpusResult]:
    results = []
    for path in sorted(folder.glob("*.txt")):
        result = CorpusResult(path.name, name_language(path), 0)
        for line, text in posts(path):
            result.posts += 1
            by_entry: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
            for m in tm.scan(text):
                by_entry[m.entry_id].append((m.start, m.end, m.matched))
            key = post_key(text)
            for entry, spans in by_entry.items():
                judgement = judgements.get((path.name, key, entry))
                result.hits.append(Hit(path.name, line, key, entry, spans, text, judgement))
        results.append(result)
    return results


@dataclass
class Flagged:
    lang: str
    written_for: str
    sentence: str
    matches: list[matchers.TextMatch]


def scan_sentences(
    tm: matchers.TextMatcher, sentences: dict[str, list[tuple[str, str]]]
) -> list[Flagged]:
    flagged = []
    for lang, items in sentences.items():
        for entry, sentence in items:
            found = tm.scan(sentence)
            if found:
                flagged.append(Flagged(lang, entry, sentence, found))
    return flagged


# --- the report ---------------------------------------------------------------------------------


def pct(a: int, b: int, digits: int = 3) -> str:
    return f"{100 * a / b:.{digits}f}%" if b else "n/a"


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def code(text: str) -> str:
    return f"`{cell(text)}`" if "`" not in text else f"“{cell(text)}”"


def excerpt(text: str, start: int, end: int) -> str:
    """At most EXCERPT characters of the post around a match."""
    left = max(0, min(start - (EXCERPT - (end - start)) // 2, len(text) - EXCERPT))
    piece = text[left : left + EXCERPT]
    return ("…" if left else "") + piece + ("…" if left + EXCERPT < len(text) else "")


def verdict_counts(hits: Iterable[Hit]) -> Counter[str]:
    return Counter(h.verdict for h in hits)


def harmless_target(result: CorpusResult) -> str:
    limit = HARMLESS_MAX * result.posts
    harmless = result.posts_with(["harmless"])
    if harmless > limit:
        return "FAIL"
    if result.posts_with(["harmless", "UNJUDGED"]) > limit:
        return "UNKNOWN (unjudged)"
    return "PASS"


def report_corpora(
    results: list[CorpusResult],
    folder: Path,
    judgements: dict[JudgementKey, Judgement],
    excerpts: bool,
) -> None:
    print("### Benign chat corpora\n")
    print(
        f"Corpora: {len(results)} file(s) in `{shown_path(folder)}`; strict matches are "
        "`TextMatcher.scan(text)` with its default options. Judgements: "
        "`benchmarks/judgements.yaml`; rates are of the corpus's posts.\n"
    )
    print(
        "| corpus | language | posts | posts with a strict match | rate | harmless | "
        "harmless rate | unjudged | all strict ≤ 0.2% | harmless ≤ 0.05% |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        strict, harmless = r.posts_with(), r.posts_with(["harmless"])
        unjudged = r.posts_with(["UNJUDGED"])
        ok = "PASS" if strict <= STRICT_MAX * r.posts else "FAIL"
        print(
            f"| {r.name} | {r.lang or '?'} | {r.posts:,} | {strict} | {pct(strict, r.posts)} | "
            f"{harmless} | {pct(harmless, r.posts)} | {unjudged} | {ok} | {harmless_target(r)} |"
        )
    total = sum(r.posts for r in results)
    strict = sum(r.posts_with() for r in results)
    harmless = sum(r.posts_with(["harmless"]) for r in results)
    unjudged = sum(r.posts_with(["UNJUDGED"]) for r in results)
    print(
        f"| **all** | | {total:,} | {strict} | {pct(strict, total)} | {harmless} | "
        f"{pct(harmless, total)} | {unjudged} | | |"
    )
    print(
        "\nHarmless, unjudged: posts with such a match. A harmless target is UNKNOWN while the "
        "unjudged matches could still take it over the limit."
    )

    for r in results:
        if not r.hits:
            continue
        print(f"\n#### {r.name}: strict matches per entry\n")
        print("| entry | posts | rate | extremist | mention | harmless | unjudged |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        by_entry: dict[str, list[Hit]] = defaultdict(list)
        for h in r.hits:
            by_entry[h.entry].append(h)
        for entry, hits in sorted(by_entry.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            c = verdict_counts(hits)
            print(
                f"| `{entry}` | {len(hits)} | {pct(len(hits), r.posts, 3)} | {c['extremist']} | "
                f"{c['mention']} | {c['harmless']} | {c['UNJUDGED']} |"
            )

    hits = [h for r in results for h in r.hits]
    print("\n#### Every strict match, judged\n")
    if not hits:
        print("None.")
    else:
        extra = " excerpt |" if excerpts else ""
        print(f"| corpus | line | post | entry | matched | judgement | note |{extra}")
        print("|---|---:|---|---|---|---|---|" + ("---|" if excerpts else ""))
        for h in hits:
            matched = ", ".join(code(m) for _, _, m in h.spans)
            note = cell(h.judgement.note) if h.judgement else ""
            verdict = h.verdict if h.judgement else "**UNJUDGED**"
            row = f"| {h.corpus} | {h.line} | {h.key} | `{h.entry}` | {matched} | {verdict} |"
            row += f" {note} |"
            if excerpts:
                start, end, _ = h.spans[0]
                row += f" {cell(excerpt(h.text, start, end))} |"
            print(row)
    seen = {(h.corpus, h.key, h.entry) for h in hits}
    names = {r.name for r in results}
    stale = sorted((k, j) for k, j in judgements.items() if k not in seen and k[0] in names)
    if stale:
        print(
            f"\nJudgements with no strict match today ({len(stale)}; kept for when it returns):\n"
        )
        for (corpus, key, entry), j in stale:
            line = f" line {j.line}" if j.line else ""
            print(f"- {corpus}{line}, post {key}, `{entry}`: {j.verdict}")


def report_sentences(
    tm: matchers.TextMatcher,
    folder: Path,
    sentences: dict[str, list[tuple[str, str]]],
    missing: list[str],
    flagged: list[Flagged],
    entries: set[str],
) -> None:
    print(f"\n### Adversarial-benign sentences (`{shown_path(folder)}`)\n")
    if missing:
        print(f"Missing: {', '.join(f'`{name}`' for name in missing)}.\n")
    if sentences:
        print("| language | sentences | strictly flagged | rate |")
        print("|---|---:|---:|---:|")
        per_lang = Counter(f.lang for f in flagged)
        for lang, items in sentences.items():
            print(
                f"| {lang} | {len(items)} | {per_lang[lang]} | {pct(per_lang[lang], len(items))} |"
            )
        total = sum(len(items) for items in sentences.values())
        ok = "PASS" if len(flagged) <= SENTENCES_MAX * total else "FAIL"
        print(f"| **overall** | {total} | {len(flagged)} | {pct(len(flagged), total)} |")
        print(f"\nTarget: at most 0.5% of the sentences flagged strictly: **{ok}**")
        unknown = sorted({e for items in sentences.values() for e, _ in items} - entries)
        if unknown:
            print(f"\nKeys that are no active entry: {', '.join(f'`{e}`' for e in unknown)}.")
        if flagged:
            print("\nFlagged sentences:\n")
            print("| language | written for | sentence | strict matches |")
            print("|---|---|---|---|")
            for f in flagged:
                spans = "; ".join(
                    f"`{m.entry_id}` {code(m.matched)} at {m.start}–{m.end}"
                    f" ({m.evidence.describe()})"
                    for m in f.matches
                )
                print(f"| {f.lang} | `{f.written_for}` | {cell(f.sentence)} | {spans} |")
    else:
        print("No sentence files.")

    print("\n#### Named sentences that must never be a strict match\n")
    print("| sentence | strict matches | result |")
    print("|---|---|---|")
    passed = 0
    for sentence in NAMED_SENTENCES:
        found = tm.scan(sentence)
        passed += not found
        spans = "; ".join(f"`{m.entry_id}` {code(m.matched)}" for m in found) or "—"
        print(f"| {cell(sentence)} | {spans} | {'FAIL' if found else 'PASS'} |")
    print(f"\n{passed} of {len(NAMED_SENTENCES)} named sentences pass.")


def report_mentions(mentions: dict[str, list[tuple[str, str]]], flagged: list[Flagged]) -> None:
    """Sentences that mention a sign in news, education or counter-speech: no harmless meaning,
    so no target; shown so a curator sees what `exclude_kinds=["name"]` would leave out."""
    total = sum(len(items) for items in mentions.values())
    print("\n#### Mentions in news, education and counter-speech (`<lang>-mentions.yaml`)\n")
    if not total:
        print("No mention files.")
        return
    print(
        f"{len(flagged)} of {total} mentions are strict matches ({pct(len(flagged), total)}): a"
        " mention is reported with its entry's explanation; it is not a harmless meaning, so no"
        " target applies. Of them, kind `name`: "
        f"{sum(any(m.kind == 'name' for m in f.matches) for f in flagged)}.\n"
    )
    print("| language | mentions | strict matches |")
    print("|---|---:|---:|")
    per_lang = Counter(f.lang for f in flagged)
    for lang, items in mentions.items():
        print(f"| {lang} | {len(items)} | {per_lang[lang]} |")


def report_entries(results: list[CorpusResult], flagged: list[Flagged], top: int) -> None:
    print("\n### Entries with the most strict matches on benign text\n")
    total = sum(r.posts for r in results)
    hits: dict[str, list[Hit]] = defaultdict(list)
    for r in results:
        for h in r.hits:
            hits[h.entry].append(h)
    sentences = Counter(e for f in flagged for e in {m.entry_id for m in f.matches})
    ranked = sorted(set(hits) | set(sentences), key=lambda e: (-len(hits[e]), -sentences[e], e))[
        :top
    ]
    if not ranked:
        print("None.")
        return
    print(f"Rate: of all {total:,} corpus posts.\n")
    print(
        "| entry | corpus posts | rate | extremist | mention | harmless | unjudged | "
        "benign sentences flagged |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for entry in ranked:
        c = verdict_counts(hits[entry])
        print(
            f"| `{entry}` | {len(hits[entry])} | {pct(len(hits[entry]), total, 3)} | "
            f"{c['extremist']} | {c['mention']} | {c['harmless']} | {c['UNJUDGED']} | "
            f"{sentences[entry]} |"
        )


def print_stubs(hits: list[Hit]) -> None:
    """YAML to paste into the judgements file, one stub per unjudged match, for a curator who
    reads each post in place before filling in the judgement and the note."""
    by_corpus: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        by_corpus[h.corpus].append(h)
    for corpus, items in by_corpus.items():
        print(f"{corpus}:", file=sys.stderr)
        for h in items:
            print(
                f"  - post: {h.key}\n    line: {h.line}\n    entry: {h.entry}\n"
                f"    judgement: \n    note: ",
                file=sys.stderr,
            )


def shown_path(path: Path) -> str:
    """A path as the report shows it: relative to the repository when in or beside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(ROOT):
        return str(resolved.relative_to(ROOT))
    if resolved.is_relative_to(ROOT.parent):
        return str(Path("..") / resolved.relative_to(ROOT.parent))
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="A built database (default: build --data).")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument(
        "--corpora",
        type=Path,
        help=f"Folder of chat corpora (default: ${CHAT_CORPORA_ENV} or ../shared/corpora).",
    )
    parser.add_argument("--benign", type=Path, default=ROOT / "data" / "benign")
    parser.add_argument("--judgements", type=Path, default=ROOT / "benchmarks" / "judgements.yaml")
    parser.add_argument("--top", type=int, default=15, help="Entries in the per-entry table.")
    parser.add_argument(
        "--no-excerpts", action="store_true", help="Leave corpus text out (for REPORT.md)."
    )
    parser.add_argument("--check", action="store_true", help="Exit 1 if a match is unjudged.")
    parser.add_argument(
        "--stubs", action="store_true", help="Print judgement stubs for unjudged matches."
    )
    args = parser.parse_args()
    folder = chat_corpora_dir(args.corpora, ROOT)
    if args.corpora is not None and not folder.is_dir():
        parser.error(f"--corpora {folder}: no such folder")
    if os.environ.get(CHAT_CORPORA_ENV) and not folder.is_dir():
        parser.error(f"${CHAT_CORPORA_ENV}={folder}: no such folder")
    try:
        judgements = load_judgements(args.judgements)
        sentences, missing = load_sentences(args.benign)
        mentions, _ = load_sentences(args.benign, "-mentions")
    except (InputError, yaml.YAMLError) as exc:
        raise SystemExit(f"error: {exc}") from None

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_db(args.data, Path(tmp))
        tm = matchers.TextMatcher.from_db(db)
        entries = active_entries(db)

    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    data = f"`{shown_path(args.db or args.data)}`"
    print(
        f"Strict matches of the {len(entries)} active entries of {data}"
        + (f" at commit `{commit}`" if commit else "")
        + ".\n"
    )
    results: list[CorpusResult] = []
    if folder.is_dir():
        results = scan_corpora(tm, folder, judgements)
        report_corpora(results, folder, judgements, excerpts=not args.no_excerpts)
    else:
        print(
            f"### Benign chat corpora\n\n**Not found** at `{shown_path(folder)}`: pass "
            f"`--corpora DIR` or set `${CHAT_CORPORA_ENV}`."
        )
    flagged = scan_sentences(tm, sentences)
    report_sentences(tm, args.benign, sentences, missing, flagged, entries)
    report_mentions(mentions, scan_sentences(tm, mentions))
    report_entries(results, flagged, args.top)

    unjudged = [h for r in results for h in r.hits if h.judgement is None]
    if args.stubs and unjudged:
        print_stubs(unjudged)
    if args.check:
        if not results:
            raise SystemExit("check: no chat corpora were read, so no match was checked")
        if unjudged:
            raise SystemExit(
                f"check: {len(unjudged)} strict match(es) UNJUDGED: read each post in place and "
                f"add its judgement to {args.judgements} (--stubs prints stubs)"
            )


if __name__ == "__main__":
    main()
