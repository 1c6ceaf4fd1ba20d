"""The scan page and its JSON API, in process, on the shipped knowledge base (and, for a weak
match and a drawing, on the small one of the `site_cases` fixture)."""

from __future__ import annotations

import io
import json
import random
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
    assert "Why it is weak:" in weak_section
    assert "Weak: none of the entry&#39;s context terms or entries is in this text." in weak_section
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
    assert set(data) == {
        "database", "matches", "weak", "image_matches", "entries", "found", "truncated",
        "max_matches", "filters",
    }  # fmt: skip
    assert data["filters"] == {"kinds": None, "exclude_kinds": [], "min_assessment": None}
    assert data["truncated"] is False and data["found"] == {"matches": len(data["matches"]),
                                                            "weak": len(data["weak"])}  # fmt: skip
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
        "url",
    ):
        assert key in match, key
    assert OBFUSCATED[match["start"] : match["end"]] == match["matched"] == "s1eg h.e.i.l"
    assert match["assessment"] == "illegal" and match["weak"] is False
    assert match["url"] == "/symbolenbank/entries/sieg-heil"
    assert "leetspeak" in match["reasons"]
    # The entry's texts are in `entries`, once, not in every match.
    entry = data["entries"]["sieg-heil"]
    for key in ("title", "title_en", "kind", "assessment", "summary", "summary_en",
                "benign_uses", "benign_uses_en", "url"):  # fmt: skip
        assert key in entry, key
    assert "NSDAP" in entry["summary_en"] and entry["benign_uses_en"]
    assert entry["url"] == match["url"] and entry["title"] == match["title"]
    assert "summary_en" not in match and "benign_uses_en" not in match
    assert set(data["entries"]) == {m["entry_id"] for m in data["matches"] + data["weak"]}


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
    assert hit["assessment"] == "borderline" and hit["kind"] == "symbol"
    assert data["entries"][entry_id]["summary_en"].startswith("A black triangle")


@pytest.mark.parametrize(
    "body,content_type,status,message",
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b'["text"]', "application/json", 400, "JSON object"),
        (b'{"text": 5}', "application/json", 400, '"text" must be a string'),
        (b'{"text": "  "}', "application/json", 400, "nothing to scan"),
        (b'{"text": "hallo", "database": "nope"}', "application/json", 403, "does not exist"),
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


# ---------------------------------------------------------------------------- bounds

EIGHTS_100K = ("88 " * 33_334)[:100_000]
"""A weak match of `code-88` every three characters: 33,333 of them."""


async def test_scan_json_answer_is_bounded(ds):
    """Each entry's texts once per answer, at most MAX_MATCHES matches, and `truncated`."""
    response = await ds.client.post("/-/scan.json", json={"text": EIGHTS_100K})
    assert response.status_code == 200
    assert len(response.content) < 1_000_000  # was 58 MB
    data = response.json()
    assert data["truncated"] is True and data["max_matches"] == 1000
    assert data["found"] == {"matches": 0, "weak": 33_333}
    assert data["matches"] == [] and len(data["weak"]) == 1000
    starts = [m["start"] for m in data["weak"]]
    assert starts == list(range(0, 3000, 3))  # the first ones, in text order
    assert all(EIGHTS_100K[m["start"] : m["end"]] == m["matched"] == "88" for m in data["weak"])
    assert all(m["url"] == "/symbolenbank/entries/code-88" for m in data["weak"])
    assert list(data["entries"]) == ["code-88"] and data["entries"]["code-88"]["summary_en"]
    assert not any("summary_en" in m or "benign_uses" in m for m in data["weak"])


async def test_scan_json_truncation_keeps_strong_matches(ds):
    text = "88 " * 1200 + "en toen " * 6 + "s1eg h.e.i.l"  # out of the 88s' context window
    data = (await ds.client.post("/-/scan.json", json={"text": text})).json()
    assert data["truncated"] is True
    assert [m["entry_id"] for m in data["matches"]] == ["sieg-heil"]
    assert data["found"] == {"matches": 1, "weak": 1200} and len(data["weak"]) == 999
    assert set(data["entries"]) == {"sieg-heil", "code-88"}


async def test_scan_page_is_bounded(ds):
    response = await post_form(ds, {"text": EIGHTS_100K})
    assert response.status_code == 200
    html = response.text
    assert "Only the first 1,000 of 33,333 matches are highlighted and listed" in html
    assert html.count('<li class="sb-match') == 1000
    assert html.count("<mark ") == 1000
    assert len(response.content) < 3_000_000


async def test_scan_json_untruncated_answer_says_so(ds):
    data = (await ds.client.post("/-/scan.json", json={"text": OBFUSCATED})).json()
    assert data["truncated"] is False
    assert data["found"] == {"matches": len(data["matches"]), "weak": len(data["weak"])}


async def test_scan_json_hides_which_databases_exist(built):
    """A database the actor may not see is answered exactly like one that does not exist."""
    from symbolenbank.publish import RESTRICTED_NAME

    ds = make_datasette(built.output, built.restricted_output)
    answers = {}
    for name in (RESTRICTED_NAME, "no-such-db"):
        response = await ds.client.post("/-/scan.json", json={"text": "hallo", "database": name})
        answers[name] = (response.status_code, response.json()["error"].replace(name, "<name>"))
    assert answers[RESTRICTED_NAME] == answers["no-such-db"]
    assert answers["no-such-db"][0] == 403


def test_highlight_agrees_with_its_definition():
    """The sweep gives what the definition says: each segment covered by the matches that
    contain it, on random overlapping matches."""
    from symbolenbank.web.scan_worker import highlight

    def by_definition(text, matches):
        points = sorted({0, len(text)} | {p for m in matches for p in (m["start"], m["end"])})
        segments = []
        for a, b in zip(points, points[1:], strict=False):
            covering = [m for m in matches if m["start"] <= a and m["end"] >= b]
            strong = [m for m in covering if not m["weak"]]
            tiers = sorted((m["assessment"] for m in (strong or covering)), key=tier_rank)
            segments.append(
                {
                    "text": text[a:b],
                    "numbers": [m["number"] for m in covering],
                    "weak": bool(covering) and not strong,
                    "tier": tiers[0] if tiers else None,
                    "title": " | ".join(
                        f"{m['number']}. {m['title']} ({m['assessment']})"
                        + (
                            f" – weak: {m['evidence']['text']}"
                            if m["weak"] and "evidence" in m
                            else ""
                        )
                        for m in covering
                    ),
                    "ends": [m["number"] for m in covering if m["end"] == b],
                }
            )
        return segments

    from symbolenbank.web.common import TIER_ORDER, tier_rank

    rng = random.Random(20261125)
    for _ in range(300):
        text = "".join(rng.choice("ab ") for _ in range(rng.randint(1, 30)))
        matches = []
        for number in range(1, rng.randint(0, 8) + 1):
            start = rng.randrange(len(text))
            end = rng.randint(start + 1, len(text))
            weak, tier = rng.random() < 0.3, rng.choice(TIER_ORDER)
            matches.append({"start": start, "end": end, "number": number, "title": f"t{number}",
                            "weak": weak, "assessment": tier})  # fmt: skip
        matches.sort(key=lambda m: m["start"])
        assert highlight(text, matches) == by_definition(text, matches)


def test_highlight_of_many_matches():
    """13,333 matches in 40,000 characters (once 73 s, every segment against every match; the
    time is measured by benchmarks/scan_load.py): one segment per match and per gap."""
    from symbolenbank.web.scan_worker import highlight

    text = ("88 " * 13_334)[:40_000]
    matches = [
        {
            "start": i,
            "end": i + 2,
            "number": n,
            "title": "88",
            "weak": True,
            "assessment": "context",
        }
        for n, i in enumerate(range(0, len(text) - 1, 3), start=1)
    ]
    segments = highlight(text, matches)
    assert len(segments) <= 2 * len(matches) + 1
    assert "".join(s["text"] for s in segments) == text
    assert [s["numbers"] for s in segments[:3]] == [[1], [], [2]]


# ---------------------------------------------------------------------------- form limits


def raw_multipart(parts: list[tuple[str, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body from (headers, data) pairs, for forms no browser would send."""
    body = b"".join(
        f"--B\r\n{headers}\r\n\r\n".encode() + data + b"\r\n" for headers, data in parts
    )
    return body + b"--B--\r\n", {"content-type": "multipart/form-data; boundary=B"}


async def test_scan_form_with_many_tiny_fields_is_refused_at_once(ds):
    """11 MB of empty fields: refused past the form's few parts, not parsed for seconds."""
    from symbolenbank.web.scan_request import MAX_BODY_BYTES, MAX_FORM_PARTS

    part = ('Content-Disposition: form-data; name="a"', b"")
    one = len(raw_multipart([part])[0])
    body, headers = raw_multipart([part] * ((MAX_BODY_BYTES - 100) // (one - 7)))
    assert len(body) > 10 * 2**20
    response = await ds.client.request("POST", "/-/scan.json", content=body, headers=headers)
    assert response.status_code == 400
    assert f"the form has more than {MAX_FORM_PARTS} parts" in response.json()["error"]


async def test_scan_form_part_headers_are_bounded(ds):
    padding = "\r\n".join(f"X-Pad-{i}: {'a' * 1000}" for i in range(6))
    body, headers = raw_multipart(
        [(f'Content-Disposition: form-data; name="text"\r\n{padding}', b"s1eg h.e.i.l")]
    )
    response = await ds.client.request("POST", "/-/scan.json", content=body, headers=headers)
    assert response.status_code == 400
    assert "headers are longer than 4,096 bytes" in response.json()["error"]


async def test_scan_form_fields_are_bounded(ds):
    body, headers = raw_multipart(
        [
            ('Content-Disposition: form-data; name="text"', b"s1eg h.e.i.l"),
            ('Content-Disposition: form-data; name="database"', b"x" * 5000),
        ]
    )
    response = await ds.client.request("POST", "/-/scan.json", content=body, headers=headers)
    assert response.status_code == 413
    assert "'database' is over 1,024 bytes" in response.json()["error"]
    body, headers = raw_multipart([('Content-Disposition: form-data; name="text"', b"x" * 400_001)])
    response = await ds.client.request("POST", "/-/scan.json", content=body, headers=headers)
    assert response.status_code == 413
    assert "the limit is 100,000 characters" in response.json()["error"]


async def test_scan_form_ignores_fields_it_does_not_have(ds):
    body, headers = raw_multipart(
        [
            ('Content-Disposition: form-data; name="comment"', b"y" * 100_000),
            ('Content-Disposition: form-data; name="text"', OBFUSCATED.encode()),
        ]
    )
    response = await ds.client.request("POST", "/-/scan.json", content=body, headers=headers)
    assert response.status_code == 200
    assert any(m["entry_id"] == "sieg-heil" for m in response.json()["matches"])


async def test_scan_urlencoded_form_with_many_fields_is_refused_at_once(ds):
    from symbolenbank.web.scan_request import MAX_FORM_PARTS

    body = b"a=&" * (10 * 2**20 // 3)
    response = await ds.client.request(
        "POST",
        "/-/scan.json",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert f"the form has more than {MAX_FORM_PARTS} fields" in response.json()["error"]


async def test_scan_json_body_is_bounded_and_a_fully_escaped_text_fits(ds):
    """A JSON body needs no room for an image: padding past the bound is refused before it is
    parsed, while the longest text, every character escaped, still fits."""
    padded = json.dumps({"text": "sieg heil", "pad": [{}] * 1_000_000}).encode()
    response = await ds.client.post(
        "/-/scan.json", content=padded, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["ok"] is False and "JSON body" in response.json()["error"]
    escaped = '{"text": "' + "\\ud83c\\udff4" * 50_000 + '"}'
    response = await ds.client.post(
        "/-/scan.json", content=escaped.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text[:200]
