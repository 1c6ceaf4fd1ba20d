"""The scan page and its JSON API, in process, on the shipped knowledge base (and, for a weak
match and a drawing, on the small one of the `site_cases` fixture)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from html import unescape

import pytest

from symbolenbank.publish import make_datasette

OBFUSCATED = "Gisteren riepen ze weer s1eg h.e.i.l kameraden, echt walgelijk."


@pytest.fixture
def ds(built):
    return make_datasette(built.output)


def multipart(fields: dict[str, str], image: bytes | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with the fields first (asgi-csrf wants the token before files)."""
    boundary = "----sbtestboundary"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    if image is not None:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="up.png"\r\n'
            "Content-Type: image/png\r\n\r\n".encode()
        )
        out.write(image + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


async def csrf(ds) -> tuple[str, dict[str, str]]:
    """The form's csrftoken and the cookie that goes with it, as a browser would have them."""
    page = await ds.client.get("/-/scan")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return token, {"ds_csrftoken": page.cookies["ds_csrftoken"]}


async def post_form(ds, fields, image=None, with_token=True):
    token, cookies = await csrf(ds)
    if with_token:
        fields = {"csrftoken": token, **fields}
    body, content_type = multipart(fields, image)
    return await ds.client.request(
        "POST", "/-/scan", content=body, headers={"content-type": content_type}, cookies=cookies
    )


# ---------------------------------------------------------------------------- page


async def test_scan_form(ds):
    response = await ds.client.get("/-/scan")
    assert response.status_code == 200
    html = response.text
    assert 'enctype="multipart/form-data"' in html and 'name="text"' in html
    assert 'type="file" name="image"' in html
    # The token comes before the file input: asgi-csrf reads it before any file part.
    assert html.index('name="csrftoken"') < html.index('name="image"')
    assert "ds_csrftoken" in response.cookies
    for tier in ("terrorist", "illegal", "borderline", "context"):
        assert f"sb-tier-{tier}" in html


async def test_scan_page_highlights_obfuscated_text(ds):
    response = await post_form(ds, {"text": OBFUSCATED})
    assert response.status_code == 200, response.text
    html = response.text
    mark = re.search(r'<mark class="sb-hit sb-tier-(\w+)"[^>]*>([^<]*)</mark>', html)
    assert mark and unescape(mark.group(2)) == "s1eg h.e.i.l"
    assert mark.group(1) == "illegal"
    card = html[html.index('data-entry-id="sieg-heil"') :]
    card = card[: card.index("</li>")]
    assert 'href="/symbolenbank/entries/sieg-heil"' in card
    assert "Sieg Heil" in card and "slogan" in card and "illegal" in card
    assert "leetspeak" in card  # the explanation names what was undone
    assert "Where it is harmless" in card  # benign uses
    assert "NSDAP" in unescape(card)  # the summary


async def test_scan_page_shows_weak_matches_apart(site_cases_ds, site_cases):
    ds, text, entry_id = site_cases_ds, site_cases.weak_text, site_cases.weak_entry
    response = await post_form(ds, {"text": text})
    html = response.text
    assert response.status_code == 200
    weak_section = html[html.index('class="sb-weak-section"') :]
    assert f'data-entry-id="{entry_id}"' in weak_section
    assert "weak: context not met" in weak_section
    assert re.search(r'<mark class="sb-hit sb-tier-\w+ sb-weak"', html)
    assert '<ol class="sb-matches">' not in html  # no strong matches listed


async def test_scan_page_without_csrf_token_is_refused(ds):
    response = await post_form(ds, {"text": OBFUSCATED}, with_token=False)
    assert response.status_code == 403
    assert "mark" not in response.text


async def test_scan_page_no_match(ds):
    response = await post_form(ds, {"text": "Het weer is vandaag prachtig in Utrecht."})
    assert response.status_code == 200
    assert "No entry of the knowledge base matches" in response.text


@pytest.mark.parametrize(
    "text,status,message",
    [
        ("", 400, "nothing to scan"),
        ("x" * 100_001, 413, "the limit is 100,000"),
    ],
)
async def test_scan_page_errors(ds, text, status, message):
    response = await post_form(ds, {"text": text})
    assert response.status_code == status
    assert message in response.text


async def test_scan_page_image_upload(site_cases_ds, site_cases):
    ds, file, entry_id = site_cases_ds, site_cases.drawing, site_cases.drawing_entry
    response = await post_form(ds, {"text": ""}, image=file.read_bytes())
    assert response.status_code == 200, response.text
    section = response.text[response.text.index("sb-image-results") :]
    assert f'href="/symbolenbank/entries/{entry_id}"' in section


async def test_scan_page_bad_image(ds):
    response = await post_form(ds, {"text": ""}, image=b"this is not an image")
    assert response.status_code == 400
    assert "the uploaded image cannot be scanned" in response.text


async def test_menu_links_to_scan_page(ds):
    response = await ds.client.get("/symbolenbank")
    assert 'href="/-/scan"' in response.text


# ---------------------------------------------------------------------------- JSON API


async def test_scan_json(ds):
    response = await ds.client.post("/-/scan.json", json={"text": OBFUSCATED})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert re.fullmatch(r"scan;dur=[0-9.]+", response.headers["server-timing"])
    data = response.json()
    assert set(data) == {"database", "matches", "weak", "image_matches"}
    match = next(m for m in data["matches"] if m["entry_id"] == "sieg-heil")
    for key in (
        "entry_id",
        "start",
        "end",
        "matched",
        "pattern",
        "kind",
        "assessment",
        "title",
        "title_en",
        "weak",
        "reasons",
        "explanation",
        "summary_en",
        "benign_uses_en",
        "url",
    ):
        assert key in match, key
    assert OBFUSCATED[match["start"] : match["end"]] == match["matched"] == "s1eg h.e.i.l"
    assert match["assessment"] == "illegal" and match["weak"] is False
    assert match["url"] == "/symbolenbank/entries/sieg-heil"
    assert "leetspeak" in match["reasons"]


async def test_scan_json_weak_apart(site_cases_ds, site_cases):
    ds, text, entry_id = site_cases_ds, site_cases.weak_text, site_cases.weak_entry
    data = (await ds.client.post("/-/scan.json", json={"text": text})).json()
    assert data["matches"] == []
    assert entry_id in [m["entry_id"] for m in data["weak"]]
    assert all(m["weak"] is True for m in data["weak"])


async def test_scan_json_with_cookie_needs_no_csrf_token(ds):
    """A JSON body cannot come from a cross-site form, so Datasette's CSRF check is skipped."""
    _, cookies = await csrf(ds)
    response = await ds.client.post("/-/scan.json", json={"text": OBFUSCATED}, cookies=cookies)
    assert response.status_code == 200


async def test_scan_json_form_with_cookie_needs_csrf_token(ds):
    token, cookies = await csrf(ds)
    body, content_type = multipart({"text": OBFUSCATED})
    headers = {"content-type": content_type}
    refused = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers=headers, cookies=cookies
    )
    assert refused.status_code == 403
    body, content_type = multipart({"csrftoken": token, "text": OBFUSCATED})
    accepted = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers=headers | {"content-type": content_type},
        cookies=cookies,
    )  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["matches"]


async def test_scan_json_multipart_text_without_cookies(ds):
    body, content_type = multipart({"text": OBFUSCATED})
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 200
    assert any(m["entry_id"] == "sieg-heil" for m in response.json()["matches"])


async def test_scan_json_image(site_cases_ds, site_cases):
    ds, file, entry_id = site_cases_ds, site_cases.drawing, site_cases.drawing_entry
    body, content_type = multipart({}, image=file.read_bytes())
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["matches"] == [] and data["weak"] == []
    hit = next(m for m in data["image_matches"] if m["entry_id"] == entry_id)
    assert hit["distance"] <= hit["threshold"]
    assert hit["url"] == f"/symbolenbank/entries/{entry_id}" and hit["title"]


@pytest.mark.parametrize(
    "body,content_type,status,message",
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b'["text"]', "application/json", 400, "JSON object"),
        (b'{"text": 5}', "application/json", 400, '"text" must be a string'),
        (b'{"text": "  "}', "application/json", 400, "nothing to scan"),
        (b'{"text": "hallo", "database": "nope"}', "application/json", 400, "does not exist"),
        (b"text=hallo", "text/plain", 415, "unsupported content type"),
        (
            json.dumps({"text": "a" * 100_001}).encode(),
            "application/json",
            413,
            "the limit is 100,000",
        ),
    ],
)
async def test_scan_json_errors(ds, body, content_type, status, message):
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.json()["ok"] is False
    assert message in response.json()["error"]


async def test_scan_json_bad_image(ds):
    body, content_type = multipart({}, image=b"GIF89a but not really")
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert "the uploaded image cannot be scanned" in response.json()["error"]


async def test_scan_json_image_too_large(ds):
    body, content_type = multipart({}, image=b"\0" * (10 * 1024 * 1024 + 1))
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]


async def test_scan_json_body_too_large_refused_before_reading(ds):
    body = b"{" + b" " * (12 * 1024 * 1024) + b"}"
    response = await ds.client.request(
        "POST", "/-/scan.json", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_scan_json_get_not_allowed(ds):
    response = await ds.client.get("/-/scan.json")
    assert response.status_code == 405
    assert "POST" in response.json()["error"]


async def test_scan_json_matches_library(ds, db_path):
    """The API reports exactly what the library finds, spans included."""
    import matchers

    tm = matchers.TextMatcher.from_db(db_path)
    conn = sqlite3.connect(db_path)
    texts = [r[0] for r in conn.execute("select text from examples order by id limit 40")]
    text = "\n".join(texts)
    data = (await ds.client.post("/-/scan.json", json={"text": text})).json()
    expected = [m.to_dict() for m in tm.scan(text, include_weak=True)]
    got = data["matches"] + data["weak"]
    key = lambda d: (d["start"], d["end"], d["entry_id"], d["pattern"])  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, expected))
