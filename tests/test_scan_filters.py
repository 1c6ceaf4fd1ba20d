"""Scans filtered by kind and minimum tier: the Python API (text, pooled, streams, images), the
command line and the scan page and JSON API, on the shipped knowledge base as built.

A filtered scan reports exactly the unfiltered scan's matches of the entries the filter lets
through, and an entry left out still counts as context for the others."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from matchers.filters import ASSESSMENT_ORDER, KINDS
from matchers.image import KB_SOURCE, ImageMatcher
from matchers.text import EntryRule, PatternRule, TextMatcher
from symbolenbank.cli import cli
from symbolenbank.publish import make_datasette
from tests.helpers import DATA, scale_posts

FILTERS = (
    [{"kinds": [k]} for k in KINDS]
    + [{"exclude_kinds": [k]} for k in KINDS]
    + [{"min_assessment": t} for t in ASSESSMENT_ORDER]
    + [{"kinds": ["name", "number", "slogan"], "exclude_kinds": ["slogan"],
        "min_assessment": "borderline"}]
)  # fmt: skip


def passes(flt: dict, kind: str, assessment: str) -> bool:
    """What a filter lets through, written out from its definition."""
    if "kinds" in flt and kind not in flt["kinds"]:
        return False
    if kind in flt.get("exclude_kinds", ()):
        return False
    floor = flt.get("min_assessment")
    return floor is None or ASSESSMENT_ORDER.index(assessment) >= ASSESSMENT_ORDER.index(floor)


@pytest.fixture(scope="module")
def tm(db_path) -> TextMatcher:
    return TextMatcher.from_db(db_path)


@pytest.fixture(scope="module")
def posts(db_path) -> list[str]:
    """Every example of the knowledge base, pairs of them (so that one entry's match can be
    another's context), and everyday posts with a sign in some."""
    conn = sqlite3.connect(db_path)
    examples = [row[0] for row in conn.execute("select text from examples order by id")]
    conn.close()
    rng = random.Random(11)
    pairs = [" ".join(rng.sample(examples, 2)) for _ in range(len(examples))]
    return examples + pairs + scale_posts(500)


def entry_rows(db_path: Path) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("select * from entries where status = 'active'").fetchall()
    conn.close()
    return {row["id"]: row for row in rows}


# ---------------------------------------------------------------------------- vocabularies


def test_tier_order_and_kinds_are_the_vocabularies():
    tiers = [t["id"] for t in yaml.safe_load((DATA / "vocab/assessments.yaml").read_text())]
    kinds = [k["id"] for k in yaml.safe_load((DATA / "vocab/kinds.yaml").read_text())]
    assert tuple(reversed(tiers)) == ASSESSMENT_ORDER  # the file lists the most serious first
    assert tuple(kinds) == KINDS


def test_site_tier_order_is_the_matchers_order():
    from symbolenbank.web.common import TIER_ORDER

    assert tuple(reversed(ASSESSMENT_ORDER)) == TIER_ORDER


# ---------------------------------------------------------------------------- Python API


@pytest.mark.parametrize("include_weak", [False, True])
def test_filtered_scan_is_the_unfiltered_scan_filtered(tm, posts, include_weak):
    everything = list(tm.scan_many(posts, include_weak=include_weak))
    assert sum(map(len, everything)) > len(posts) // 2
    for flt in FILTERS:
        got = list(tm.scan_many(posts, include_weak=include_weak, **flt))
        want = [[m for m in ms if passes(flt, m.kind, m.assessment)] for ms in everything]
        assert got == want, flt
        assert any(got), flt
        # the lowest tier lets every entry through; every other filter leaves some out
        assert (got == everything) == (flt == {"min_assessment": ASSESSMENT_ORDER[0]}), flt


def test_filters_apply_on_every_path(tm, posts):
    """One post at a time, the per-character reference path, fuzzy scans and two processes."""
    flt = {"exclude_kinds": ["name"], "min_assessment": "borderline"}
    sample = posts[::7]
    want = [tm.scan(p, fuzzy=True, **flt) for p in sample]
    assert want == [
        [m for m in tm.scan(p, fuzzy=True) if passes(flt, m.kind, m.assessment)] for p in sample
    ]
    assert [tm.scan_reference(p, fuzzy=True, **flt) for p in sample] == want
    assert list(tm.scan_many(sample, workers=2, fuzzy=True, **flt)) == want


def test_an_entry_left_out_still_counts_as_context(db_path, tm):
    """Each example of an entry whose context rule names other entries, scanned for that
    entry's kind and tier only: the entry is still met, also where only an entry the filter
    leaves out met it."""
    rows = entry_rows(db_path)
    conn = sqlite3.connect(db_path)
    examples = conn.execute("select entry_id, text from examples where expect = 'match'").fetchall()
    conn.close()
    met_by_a_left_out_entry = 0
    for entry_id, text in examples:
        entry = rows.get(entry_id)
        deps = set(json.loads(entry["context_requires_any"] or "[]")) & set(rows) if entry else ()
        if not deps:
            continue
        flt = {"kinds": [entry["kind"]], "min_assessment": entry["assessment"]}
        found = tm.scan(text, **flt)
        assert any(m.entry_id == entry_id and not m.weak for m in found), (entry_id, text)
        everything = tm.scan(text)
        left_out = {m.entry_id for m in everything if not passes(flt, m.kind, m.assessment)}
        met_by_a_left_out_entry += bool(deps & left_out)
    assert met_by_a_left_out_entry >= 10


def test_context_of_a_left_out_entry_in_rules():
    entries = [
        EntryRule("group", "Groep", "Group", "name", "terrorist", context_requires_any=("call",)),
        EntryRule("call", "Oproep", "Call", "slogan", "context"),
    ]
    tm = TextMatcher.from_rules(
        entries, [PatternRule("group", "zorvath"), PatternRule("call", "rise now")]
    )
    found = tm.scan("zorvath, rise now", min_assessment="terrorist")
    assert [(m.entry_id, m.weak) for m in found] == [("group", False)]
    assert tm.scan("zorvath alone", min_assessment="terrorist") == []
    weak = tm.scan("zorvath alone", include_weak=True, min_assessment="terrorist")
    assert [(m.entry_id, m.weak) for m in weak] == [("group", True)]
    assert tm.scan("zorvath, rise now", exclude_kinds=["name"])[0].entry_id == "call"


@pytest.mark.parametrize(
    "options,error,message",
    [
        ({"kinds": ["nme"]}, ValueError, "unknown kind 'nme' in kinds; known kinds: expression"),
        ({"exclude_kinds": ["x", "y"]}, ValueError, "unknown kinds 'x', 'y' in exclude_kinds"),
        ({"min_assessment": "high"}, ValueError, "known tiers, least to most serious: context"),
        ({"kinds": []}, ValueError, "kinds is empty"),
        ({"kinds": ["name"], "exclude_kinds": ["name"]}, ValueError, "leaves none of kinds"),
        ({"kinds": "name"}, TypeError, r"write kinds=\['name'\]"),
        ({"min_assessment": 3}, TypeError, "must be a tier id"),
    ],
)
def test_bad_filters_are_refused_before_any_scan(tm, options, error, message):
    with pytest.raises(error, match=message):
        tm.scan("sieg heil", **options)
    with pytest.raises(error, match=message):
        tm.scan_many(iter(["sieg heil"]), workers=2, **options)  # raises before helpers start


def test_scanner_and_streams_filter(db_path, tm, posts):
    from matchers.parallel import Scanner, scan_stream

    sample = posts[:600]
    flt = {"kinds": ["number", "slogan"]}
    want = [[m.to_dict() for m in ms] for ms in tm.scan_many(sample, **flt)]
    assert any(want)
    assert list(scan_stream(sample, db_path, workers=2, chunk_size=100, **flt)) == want
    with Scanner(db_path, workers=2) as scanner:
        assert list(scanner.scan(sample, chunk_size=100, **flt)) == want
        assert list(scanner.scan(sample, chunk_size=100)) != want
        with pytest.raises(ValueError, match="unknown kind"):
            scanner.scan(sample, kinds=["numbers"])
    with pytest.raises(ValueError, match="unknown assessment tier"):
        scan_stream(sample, db_path, min_assessment="severe")


def test_knowledge_base_shortcuts_filter(db_path):
    import matchers

    kb = matchers.load(db_path)
    text = "Sieg Heil kameraden"
    assert kb.scan(text, exclude_kinds=["slogan"]) == kb.text.scan(text, exclude_kinds=["slogan"])
    assert kb.scan(text) != kb.scan(text, exclude_kinds=["slogan"])


def drawn_entry(db_path: Path) -> tuple[str, str, str, Path]:
    """(entry id, kind, tier, drawing) of an entry with a drawing below the top tier."""
    conn = sqlite3.connect(db_path)
    row = conn.execute(
        "select e.id, e.kind, e.assessment, i.file from images i join entries e"
        " on e.id = i.entry_id where i.file is not null and e.assessment != ? order by e.id",
        (ASSESSMENT_ORDER[-1],),
    ).fetchone()
    conn.close()
    return row[0], row[1], row[2], DATA / row[3]


def test_image_scan_filters_knowledge_base_entries(db_path):
    entry_id, kind, tier, drawing = drawn_entry(db_path)
    im = ImageMatcher.from_db(db_path)
    hits = {m.entry_id for m in im.scan(drawing)}
    assert entry_id in hits
    assert entry_id in {m.entry_id for m in im.scan(drawing, kinds=[kind], min_assessment=tier)}
    higher = ASSESSMENT_ORDER[ASSESSMENT_ORDER.index(tier) + 1]
    assert entry_id not in {m.entry_id for m in im.scan(drawing, min_assessment=higher)}
    assert entry_id not in {m.entry_id for m in im.scan(drawing, exclude_kinds=[kind])}
    # a hash list's matches carry no kind or tier: a filter keeps them
    im.add_hash_list(im.records(), name="partner-list")
    kept = im.scan(drawing, exclude_kinds=[kind])
    assert {m.entry_id for m in kept if m.source == "partner-list"} >= {entry_id}
    assert all(m.entry_id != entry_id for m in kept if m.source == KB_SOURCE)
    with pytest.raises(ValueError, match="known kinds"):
        im.scan(drawing, kinds=["sticker"])


# ---------------------------------------------------------------------------- command line


def run_scan(db_path: Path, texts: list[str], *args: str):
    argv = ["scan", "--db", str(db_path), "--format", "jsonl", "-s", *args]
    return CliRunner().invoke(cli, argv, input="\n".join(texts) + "\n")


def test_cli_scan_filters(db_path, tm, posts):
    sample = posts[:400]
    result = run_scan(db_path, sample, "--kind", "number", "--kind", "acronym",
                      "--exclude-kind", "acronym", "--min-assessment", "context")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = [json.loads(line)["matches"] for line in result.stdout.splitlines()]
    want = [[m.to_dict() for m in tm.scan(p, kinds=["number"])] for p in sample]
    assert got == want and any(want)
    result = run_scan(db_path, sample, "--exclude-kind", "name", "--min-assessment", "borderline")
    got = [json.loads(line)["matches"] for line in result.stdout.splitlines()]
    flt = {"exclude_kinds": ["name"], "min_assessment": "borderline"}
    assert got == [[m.to_dict() for m in tm.scan(p, **flt)] for p in sample]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--kind", "nme"], "Invalid value for '--kind': 'nme' is not one of 'expression'"),
        (["--exclude-kind", "Name"], "Invalid value for '--exclude-kind'"),
        (["--min-assessment", "high"], "'high' is not one of 'context', 'borderline'"),
        (["--kind", "name", "--exclude-kind", "name"], "--exclude-kind leaves none of the kinds"),
    ],
)
def test_cli_refuses_unknown_filters(db_path, args, message):
    result = run_scan(db_path, ["sieg heil"], *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_scan_image_filters(db_path):
    entry_id, kind, tier, drawing = drawn_entry(db_path)

    def found(*args: str) -> set[str]:
        argv = ["scan-image", "--db", str(db_path), "-s", "--workers", "1", *args, str(drawing)]
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 0, result.output
        return {m["entry_id"] for m in json.loads(result.stdout)["matches"]}

    assert entry_id in found("--kind", kind)
    assert entry_id not in found("--exclude-kind", kind)
    assert entry_id not in found("--min-assessment", ASSESSMENT_ORDER[-1])
    result = CliRunner().invoke(cli, ["scan-image", "--kind", "sticker", str(drawing)])
    assert result.exit_code == 2 and "Invalid value for '--kind'" in result.stderr


# ---------------------------------------------------------------------------- site

THE_POST = "Sieg Heil kameraden, 88! Volg ons op #ZwarteZon en lees de Stormfront-krant."


@pytest.fixture
def ds(built):
    return make_datasette(built.output)


def strong_and_weak(data: dict) -> list[tuple[str, bool]]:
    return [(m["entry_id"], m["weak"]) for m in data["matches"] + data["weak"]]


def expected(tm: TextMatcher, text: str, **flt) -> list[tuple[str, bool]]:
    found = tm.scan(text, include_weak=True, **flt)
    return [(m.entry_id, m.weak) for m in sorted(found, key=lambda m: m.weak)]


@pytest.mark.parametrize(
    "query,body,applied",
    [
        ("", {"kinds": ["slogan", "number"]}, {"kinds": ["number", "slogan"]}),
        ("", {"kinds": "slogan, number"}, {"kinds": ["number", "slogan"]}),
        ("?kinds=slogan,number", {}, {"kinds": ["number", "slogan"]}),
        ("?kinds=slogan&kinds=number", {}, {"kinds": ["number", "slogan"]}),
        ("?exclude_kinds=name", {"exclude_kinds": ["slogan"]}, {"exclude_kinds": ["slogan"]}),
        ("?min_assessment=illegal", {}, {"min_assessment": "illegal"}),
        ("", {"min_assessment": "borderline", "exclude_kinds": "name"},
         {"min_assessment": "borderline", "exclude_kinds": ["name"]}),
    ],
)  # fmt: skip
async def test_scan_json_filters(ds, tm, query, body, applied):
    response = await ds.client.post("/-/scan.json" + query, json={"text": THE_POST, **body})
    assert response.status_code == 200, response.text
    data = response.json()
    echo = {"kinds": None, "exclude_kinds": [], "min_assessment": None, **applied}
    assert data["filters"] == echo
    assert strong_and_weak(data) == expected(tm, THE_POST, **echo)
    assert strong_and_weak(data) != expected(tm, THE_POST)
    assert data["found"]["matches"] == len(data["matches"])
    assert set(data["entries"]) == {m["entry_id"] for m in data["matches"] + data["weak"]}


@pytest.mark.parametrize(
    "query,body,message",
    [
        ("", {"kinds": ["nme"]}, "unknown kind 'nme' in kinds; known kinds: expression,"),
        ("?exclude_kinds=names", {}, "unknown kind 'names' in exclude_kinds"),
        ("", {"min_assessment": "high"}, "unknown assessment tier 'high' in min_assessment"),
        ("", {"kinds": 5}, '"kinds" must be a list of kind ids or a comma-separated string'),
        ("", {"kinds": ["name", 5]}, '"kinds" must be a list of kind ids'),
        ("", {"min_assessment": ["illegal"]}, '"min_assessment" must be a tier id'),
        ("?kinds=name", {"exclude_kinds": ["name"]}, "leaves none of kinds (name)"),
    ],
)
async def test_scan_json_refuses_unknown_filters(ds, query, body, message):
    response = await ds.client.post("/-/scan.json" + query, json={"text": THE_POST, **body})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": response.json()["error"]}
    assert message in response.json()["error"]


async def test_scan_json_filters_image_matches(site_cases_ds, site_cases):
    ds, file, entry_id = site_cases_ds, site_cases.drawing, site_cases.drawing_entry
    files = {"image": ("up.png", file.read_bytes(), "image/png")}

    async def image_hits(data: dict[str, str]) -> set[str]:
        response = await ds.client.post("/-/scan.json", data=data, files=files)
        assert response.status_code == 200, response.text
        return {m["entry_id"] for m in response.json()["image_matches"]}

    assert entry_id in await image_hits({"exclude_kinds": "name"})
    assert entry_id not in await image_hits({"exclude_kinds": "symbol"})
    assert entry_id not in await image_hits({"min_assessment": "illegal"})


async def test_scan_page_has_labelled_filter_controls(ds):
    html = (await ds.client.get("/-/scan")).text
    form = html[html.index('<form class="sb-scan-form"') : html.index("</form>")]
    select = re.search(r'<select id="sb-min-assessment" name="min_assessment">(.*?)</select>',
                       form, re.S)  # fmt: skip
    assert select and '<label for="sb-min-assessment">' in form
    values = re.findall(r'<option value="(\w*)"', select.group(1))
    assert values == ["", *ASSESSMENT_ORDER[1:]]
    boxes = re.findall(
        r'<label class="sb-check"><input type="checkbox" name="exclude_kinds" value="(\w+)"> \w',
        form,
    )
    assert boxes == list(KINDS)
    assert "<legend>Leave out these kinds</legend>" in form


async def csrf(ds) -> tuple[str, dict[str, str]]:
    page = await ds.client.get("/-/scan")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return token, {"ds_csrftoken": page.cookies["ds_csrftoken"]}


async def test_scan_page_form_applies_and_keeps_the_filters(ds, tm):
    token, cookies = await csrf(ds)
    fields = [("csrftoken", token), ("text", THE_POST), ("min_assessment", "borderline"),
              ("exclude_kinds", "name"), ("exclude_kinds", "number")]  # fmt: skip
    response = await ds.client.post(
        "/-/scan", data=dict(fields[:3]), files=[(k, (None, v)) for k, v in fields[3:]],
        cookies=cookies,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    html = response.text
    shown = re.findall(r'data-entry-id="([^"]+)"', html)
    flt = {"exclude_kinds": ["name", "number"], "min_assessment": "borderline"}
    assert shown == [m.entry_id for m in tm.scan(THE_POST, include_weak=True, **flt)]
    assert shown and "Filtered: without number, name; tier borderline or more serious." in html
    assert '<option value="borderline" selected>' in html
    assert 'value="name" checked>' in html and 'value="number" checked>' in html
    assert 'value="slogan" checked>' not in html


async def test_scan_page_link_presets_and_checks_the_filters(ds):
    page = await ds.client.get("/-/scan?exclude_kinds=name&min_assessment=terrorist")
    assert page.status_code == 200
    assert 'value="name" checked>' in page.text
    assert '<option value="terrorist" selected>' in page.text
    bad = await ds.client.get("/-/scan?min_assessment=severe")
    assert bad.status_code == 400 and "unknown assessment tier &#39;severe&#39;" in bad.text


@pytest.fixture(scope="module")
def server(built, start_server):
    return start_server(built.output)


def test_served_scan_json_filters(server, db_path):
    tm = TextMatcher.from_db(db_path)
    response = httpx.post(
        server + "/-/scan.json?min_assessment=illegal",
        json={"text": THE_POST, "exclude_kinds": ["number"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["filters"] == {"kinds": None, "exclude_kinds": ["number"],
                               "min_assessment": "illegal"}  # fmt: skip
    assert strong_and_weak(data) == expected(tm, THE_POST, **data["filters"])
    assert data["matches"]
    refused = httpx.post(server + "/-/scan.json", json={"text": "x", "kinds": ["nme"]}, timeout=30)
    assert refused.status_code == 400 and "known kinds" in refused.json()["error"]
