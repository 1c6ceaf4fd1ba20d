"""`symbolenbank new`, `diff`, `release` and `feedback`: the curation workflow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

import click

from ..paths import data_dir
from .common import Exit, data_option


def _prompt_list(label: str, at_least: int, split: bool) -> list[str]:
    """Ask for several values: comma-separated, or one per prompt until an empty answer."""
    if split:
        answer = click.prompt(f"{label} (comma-separated)")
        return [v.strip() for v in answer.split(",") if v.strip()]
    values: list[str] = []
    while True:
        done = len(values) >= at_least
        answer = click.prompt(
            f"{label} {len(values) + 1}{' (empty to finish)' if done else ''}",
            default="" if done else None,
            show_default=False,
        )
        if not answer.strip():
            return values
        values.append(answer.strip())


_NEW_PROMPTS = {
    "id": "Id (slug, becomes the file name)",
    "title": "Title (Dutch)",
    "title_en": "Title (English)",
    "kind": "Kind",
    "ideologies": "Ideologies",
    "languages": "Languages (ISO 639-1, und for numbers/emoji)",
    "assessment": "Assessment (terrorist, illegal, borderline, context)",
    "summary": "Summary (Dutch, >= 80 characters, your own words)",
    "summary_en": "Summary (English, >= 80 characters)",
    "benign_uses": "Where it is harmless (Dutch)",
    "benign_uses_en": "Where it is harmless (English)",
    "patterns": "Pattern",
    "examples_match": "Example that must match",
    "examples_no_match": "Example that must not match",
    "source_url": "Source URL (public, read by you)",
    "source_title": "Source title",
    "source_publisher": "Source publisher",
}
_LIST_FIELDS = {"ideologies": (1, True), "languages": (1, True), "patterns": (1, False)}
_LIST_FIELDS |= {"examples_match": (2, False), "examples_no_match": (1, False)}


@click.command()
@data_option
@click.option("--id", "entry_id", help="The new entry's id (a slug; the file name).")
@click.option("--title", help="Dutch display name.")
@click.option("--title-en", help="English display name.")
@click.option("--kind", help="expression, codeword, acronym, number, emoji, hashtag, symbol, ...")
@click.option("--ideology", "ideologies", multiple=True, help="Ideology id (repeatable).")
@click.option("--movement", "movements", multiple=True, help="Movement id (repeatable).")
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code (repeatable).")
@click.option("--assessment", help="terrorist, illegal, borderline or context.")
@click.option("--summary", help="Dutch summary, >= 80 characters.")
@click.option("--summary-en", help="English summary, >= 80 characters.")
@click.option("--benign-uses", help="Dutch: where the same sign is harmless.")
@click.option("--benign-uses-en", help="English: where the same sign is harmless.")
@click.option("--pattern", "patterns", multiple=True, help="A pattern (repeatable).")
@click.option("--match", "match_mode", type=click.Choice(["word", "prefix", "substring", "token"]))
@click.option("--match-example", "examples_match", multiple=True, help="Must match (>= 2).")
@click.option("--no-match-example", "examples_no_match", multiple=True, help="Must not match.")
@click.option("--source-url", help="URL of a public source you have read.")
@click.option("--source-title", help="Title of that source.")
@click.option("--source-publisher", help="Publisher of that source.")
@click.option("--related", multiple=True, help="Related entry id (repeatable).")
@click.option("--no-input", is_flag=True, help="Never prompt; fail if a required value is missing.")
@click.option("--no-examples", is_flag=True, help="Skip running the examples when validating.")
def new(data: Path | None, no_input: bool, no_examples: bool, **given: Any) -> None:
    """Write a new entry file with every required field and today's dates, then validate it."""
    from ..scaffold import NewEntry, ScaffoldError, missing, problems_of, write_entry

    values: dict[str, Any] = {
        ("id" if k == "entry_id" else "match" if k == "match_mode" else k): (
            list(v) if isinstance(v, tuple) else v
        )
        for k, v in given.items()
    }
    gaps = missing(values)
    if gaps and no_input:
        flags = ", ".join("--" + g.replace("_", "-") for g in gaps)
        raise click.UsageError(f"missing required values: {flags}")
    for name in gaps:
        if name in _LIST_FIELDS:
            at_least, split = _LIST_FIELDS[name]
            values[name] = _prompt_list(_NEW_PROMPTS[name], at_least, split)
        else:
            values[name] = click.prompt(_NEW_PROMPTS[name]).strip()
    root = data or data_dir()
    try:
        path = write_entry(root, NewEntry(**values))
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {path}", err=True)
    problems = problems_of(root, path, check_examples=not no_examples)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(
            f"{len(problems)} problem(s): edit {path} and run `symbolenbank validate`.", err=True
        )
        sys.exit(Exit.ERROR)
    click.echo(f"{path} is valid.", err=True)


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The git repository BASE/HEAD refs are looked up in.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Benign documents (file or folder of .html/.txt/.md) to count new patterns' hits on "
    "(default: $SYMBOLENBANK_BENIGN_CORPUS or Debian's debian-edu-doc-nl/-en). A name like "
    "`de_…` or `…-de` gives its language.",
)
@click.option(
    "--corpora",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of chat corpora, <lang>_<name>.txt with one post per line (default: "
    "$SYMBOLENBANK_CORPORA or ../shared/corpora beside the repository).",
)
@click.option("--no-corpus", is_flag=True, help="Only report wordfreq frequencies.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
def diff(
    base: str,
    head: str | None,
    repo: Path,
    corpus: tuple[Path, ...],
    corpora: Path | None,
    no_corpus: bool,
    output: Path | None,
) -> None:
    """Markdown report of what changed from BASE to HEAD, for a pull request.

    BASE and HEAD are built databases, release bundles, data folders or git refs (HEAD defaults
    to the data folder). For every new pattern it reports its wordfreq frequency, its hits on
    benign documents and chat corpora, per language, and its overlaps with other entries.
    """
    from ..corpus import chat_corpora_dir, corpus_paths
    from ..diff import diff_report
    from ..snapshot import SnapshotError

    try:
        _, report = diff_report(
            base,
            head or str(data_dir()),
            repo=repo,
            corpus=[] if no_corpus else corpus_paths(list(corpus)),
            chat_corpora=None if no_corpus else chat_corpora_dir(corpora, repo),
        )
    except SnapshotError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from exc
    if output:
        output.write_text(report, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(report, nl=False)


@click.command()
@data_option
@click.option("--version", "version_", help="CalVer YYYY.MM.N (default: the next for today).")
@click.option("--since", help="Version (or bundle) the delta feed starts from (default: last).")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("release"),
    show_default=True,
    help="Releases go to OUTPUT_DIR/<version>/.",
)
@click.option(
    "--changelog",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("CHANGELOG.md"),
    show_default=True,
)
@click.option("--no-changelog", is_flag=True, help="Do not write a changelog section.")
@click.option(
    "--date",
    "date_",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Release date (default: today); fixes the date stamped into the files.",
)
def release(
    data: Path | None,
    version_: str | None,
    since: str | None,
    output_dir: Path,
    changelog: Path,
    no_changelog: bool,
    date_: Any,
) -> None:
    """Stamp a version and export the database, JSON/CSV bundle, hash lists and delta feed."""
    from ..release import ReleaseError, make_release

    try:
        result = make_release(
            data or data_dir(),
            output_dir,
            version=version_,
            since=since,
            changelog=None if no_changelog else changelog,
            date=date_.date() if date_ else None,
        )
    except ReleaseError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from exc
    d = result.diff
    click.echo(
        f"Released {result.version} in {result.directory}: since {result.since or 'the start'} "
        f"{len(d.added)} added, {len(d.changed)} changed, {len(d.retired)} retired, "
        f"{len(d.removed)} removed; bundle hash {result.bundle_hash}",
        err=True,
    )
    click.echo(str(result.directory))


@click.command()
@data_option
@click.option("--entry", "entry_id", help="The entry id the report is about.")
@click.option("--kind", type=click.Choice(["false-positive", "missed-variant"]))
@click.option("--text", help="The post text that was wrongly matched, or that was missed.")
@click.option("--exception", help="False positive: a benign phrase to add to `exceptions`.")
@click.option("--pattern", help="Missed variant: a pattern to add.")
@click.option(
    "--json",
    "json_file",
    type=click.File("r", encoding="utf-8"),
    help="A report as JSON ({entry_id, kind, text, ...}); - for standard input.",
)
@click.option(
    "--issue-body",
    type=click.File("r", encoding="utf-8"),
    help="The body of a feedback issue (.github/ISSUE_TEMPLATE/feedback.yml).",
)
@click.option("--no-examples", is_flag=True, help="Skip running the examples when validating.")
def feedback(
    data: Path | None,
    entry_id: str | None,
    kind: str | None,
    text: str | None,
    exception: str | None,
    pattern: str | None,
    json_file: IO[str] | None,
    issue_body: IO[str] | None,
    no_examples: bool,
) -> None:
    """Turn a false-positive or missed-variant report into a draft edit of the entry."""
    from ..feedback import FeedbackError, Report, apply_report, parse_issue, parse_json
    from ..scaffold import problems_of

    root = data or data_dir()
    try:
        if json_file is not None:
            report = parse_json(json_file.read())
        elif issue_body is not None:
            report = parse_issue(issue_body.read())
        else:
            fields = {"entry_id": entry_id, "kind": kind, "text": text}
            report = Report.from_dict({**fields, "exception": exception, "pattern": pattern})
        path = apply_report(root, report)
    except FeedbackError as exc:
        raise click.ClickException(str(exc)) from exc
    where = "examples.no_match" if report.kind == "false-positive" else "examples.match"
    click.echo(f"Added the text to {where} of {path}", err=True)
    problems = problems_of(root, path, check_examples=not no_examples)
    for problem in problems:
        click.echo(f"to resolve: {problem}", err=True)
    if problems and report.kind == "false-positive":
        click.echo(
            "The entry still matches the text: add an `exceptions` phrase, a `context` rule or "
            "narrow the pattern's `match` mode, then run `symbolenbank validate`.",
            err=True,
        )
    elif problems:
        click.echo(
            "The entry does not match the text yet: add a pattern for the variant, then run "
            "`symbolenbank validate`.",
            err=True,
        )
