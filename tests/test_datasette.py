"""Publication in the real Datasette, in process: home, facets, full-text search, entry page."""

from __future__ import annotations

from html import unescape

import pytest
import sqlite_utils

from symbolenbank.publish import make_datasette


@pytest.fixture
def ds(built):
    return make_datasette(built.output)


async def test_home(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert "Symbolenbank" in response.text
    assert "Explain, don" in response.text


async def test_entries_table_with_facets(ds):
    response = await ds.client.get("/symbolenbank/entries.json?_facet=kind&_size=5")
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    for name in ("kind", "assessment", "ideologies", "languages"):
        assert name in facets, facets.keys()
    counts = {r["value"]: r["count"] for r in facets["assessment"]["results"]}
    assert sum(counts.values()) == response.json()["filtered_table_rows_count"]


async def test_array_facet_filter(ds, db_path):
    response = await ds.client.get(
        "/symbolenbank/entries.json?ideologies__arraycontains=right-wing-extremism&_shape=array"
    )
    rows = response.json()
    db = sqlite_utils.Database(db_path)
    expected = db.execute(
        "select count(*) from entry_ideologies where ideology_id = 'right-wing-extremism'"
    ).fetchone()[0]
    assert len(rows) == min(expected, 50)


async def test_full_text_search_by_title_word(ds, db_path):
    db = sqlite_utils.Database(db_path)
    entry = next(db.query("select id, title_en from entries where title_en like '%Sieg%'"), None)
    if entry is None:
        entry = next(db.query("select id, title_en from entries limit 1"))
    word = max(entry["title_en"].replace("(", " ").replace(")", " ").split(), key=len)
    response = await ds.client.get(f"/symbolenbank/entries.json?_search={word}&_shape=array")
    assert response.status_code == 200
    assert entry["id"] in {r["id"] for r in response.json()}


async def test_entry_page(ds, db_path):
    db = sqlite_utils.Database(db_path)
    entry = next(db.query("select * from entries where related != '[]' limit 1"))
    response = await ds.client.get(f"/symbolenbank/entries/{entry['id']}")
    assert response.status_code == 200
    html = response.text
    assert entry["title"] in unescape(html)
    assert 'class="sb-patterns"' in html and 'class="sb-examples"' in html
    source = next(db.query("select url from sources where entry_id = ?", [entry["id"]]))
    assert f'href="{source["url"]}"' in html
    related = next(db.query("select related_id from related where entry_id = ?", [entry["id"]]))
    assert f'/symbolenbank/entries/{related["related_id"]}"' in html


async def test_canned_queries(ds):
    response = await ds.client.get("/symbolenbank/find_term.json?term=heil&_shape=array")
    assert response.status_code == 200
    assert any("heil" in (r["pattern_texts"] or "").lower() for r in response.json())
    response = await ds.client.get("/symbolenbank/by_ideology.json?ideology=jihadism&_shape=array")
    assert response.status_code == 200 and response.json()
    response = await ds.client.get("/symbolenbank/recent.json?since=2000-01-01&_shape=array")
    assert response.status_code == 200 and response.json()


async def test_entry_page_drawing_and_links(site_cases_ds, site_cases):
    ds, db = site_cases_ds, sqlite_utils.Database(site_cases.db)
    row = next(
        db.query(
            "select e.id, e.assessment, e.kind, i.file from entries e join images i"
            " on i.entry_id = e.id where e.id = ?",
            [site_cases.drawing_entry],
        )
    )
    html = (await ds.client.get(f"/symbolenbank/entries/{row['id']}")).text
    assert f'<img class="sb-drawing" src="/{row["file"]}"' in html
    drawing = await ds.client.get(f"/{row['file']}")
    assert drawing.status_code == 200
    assert drawing.headers["content-type"].startswith("image/")
    assert f'href="/symbolenbank/entries?assessment={row["assessment"]}"' in html
    assert f'href="/symbolenbank/entries?kind={row["kind"]}"' in html
    assert "ideologies__arraycontains=" in html


@pytest.mark.parametrize("path", ["/images/draw.py", "/images/no-such-file.png", "/images/..%2F"])
async def test_only_drawings_of_entries_are_served(ds, path):
    assert (await ds.client.get(path)).status_code == 404


async def test_home_page_explains_the_knowledge_base(ds):
    html = unescape((await ds.client.get("/")).text)
    for text in ("Explain, don't judge", "Four assessment tiers", "Contribute", "CC BY 4.0",
                 "EUPL-1.2", 'href="/-/scan"', 'name="_search"', 'href="/about"'):  # fmt: skip
        assert text in html, text
    for tier in ("terrorist", "illegal", "borderline", "context"):
        assert f'href="/symbolenbank/entries?assessment={tier}"' in html


async def test_about_page(ds):
    response = await ds.client.get("/about")
    assert response.status_code == 200
    html = unescape(response.text)
    for text in ("Explain, don't judge", "The four assessment tiers", "How to contribute",
                 "symbolenbank validate", "Licence", "CC BY 4.0", "EUPL-1.2"):  # fmt: skip
        assert text in html, text
    for tier in ("Terrorist", "Illegal", "Borderline", "Context"):
        assert f">{tier}</span>" in html


async def test_every_page_has_the_stylesheet_and_scan_link(ds):
    for path in ("/", "/about", "/-/scan", "/symbolenbank", "/symbolenbank/entries"):
        html = (await ds.client.get(path)).text
        assert 'href="/assets/symbolenbank.css"' in html, path


async def test_only_our_databases_are_published(ds):
    response = await ds.client.get("/-/databases.json")
    assert [d["name"] for d in response.json()] == ["symbolenbank"]


@pytest.mark.parametrize(
    "sql",
    [
        "select fts3_tokenizer('simple')",
        "select hex(FTS3_TOKENIZER('porter')) as p",
        "select Fts3_Tokenizer('unicode61', x'0000000000000000')",
        "select fts3_tokenizer(name) from (select 'simple' as name)",
        "with t(n) as (select 'simple') select quote(fts3_tokenizer(n)) from t",
    ],
)
async def test_public_sql_cannot_call_fts3_tokenizer(ds, sql):
    """fts3_tokenizer(name) answers with a memory address; no published SQL may call it."""
    response = await ds.client.get("/symbolenbank.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 400
    assert "not authorized" in response.json()["error"]


async def test_public_sql_and_search_otherwise_unchanged(ds):
    response = await ds.client.get(
        "/symbolenbank.json",
        params={"sql": "select count(*) as n from entries_fts where entries_fts match 'heil'"},
    )
    assert response.status_code == 200 and response.json()["rows"][0][0] >= 1
    search = await ds.client.get("/symbolenbank/entries.json?_search=heil&_searchmode=raw")
    assert search.status_code == 200 and search.json()["rows"]


async def test_table_filters_cannot_call_fts3_tokenizer(ds):
    response = await ds.client.get(
        "/symbolenbank/entries.json", params={"_where": "hex(fts3_tokenizer('simple')) != ''"}
    )
    assert response.status_code == 400
    assert "not authorized" in response.json()["error"]
