"""Restricted access: only actors with a token from the environment reach the restricted db."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from symbolenbank.publish import RESTRICTED_NAME, make_datasette, token_actors
from tests.helpers import DATA, RESTRICTED_ENTRY, SAMPLE_ENTRY

TOKEN = "alice-0123456789abcdef0123456789abcdef"
#: The public entry, naming the restricted one as related: the public build must drop the link.
PUBLIC_ENTRY = SAMPLE_ENTRY.replace(
    "status: active", "related: [sample-restricted-code]\nstatus: active"
)


@pytest.fixture(scope="module")
def restricted_build(tmp_path_factory: pytest.TempPathFactory):
    """The shipped vocabularies, one public and one restricted entry, built."""
    from symbolenbank.build import build_database

    root = tmp_path_factory.mktemp("restricted")
    data = root / "data"
    shutil.copytree(DATA / "vocab", data / "vocab")
    (data / "entries").mkdir(parents=True)
    (data / "images").mkdir()
    draw_png(data / "images" / "qorvex.png")
    (data / "images" / "notes.txt").write_text("not a drawing", encoding="utf-8")
    (data / "entries" / "sample-sieg-heil.yaml").write_text(PUBLIC_ENTRY, encoding="utf-8")
    (data / "entries" / "sample-restricted-code.yaml").write_text(RESTRICTED_ENTRY, "utf-8")
    out = root / "build"
    result = build_database(
        data, out / "symbolenbank.db", restricted_output=out / f"{RESTRICTED_NAME}.db"
    )
    return result


def draw_png(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(image).polygon([(40, 216), (128, 40), (216, 216)], fill="black")
    image.save(path)


@pytest.fixture
def ds(restricted_build, monkeypatch):
    monkeypatch.setenv("SYMBOLENBANK_TOKEN_ALICE", TOKEN)
    data = restricted_build.output.parent.parent / "data"
    return make_datasette(restricted_build.output, restricted_build.restricted_output, data=data)


ANONYMOUS: dict[str, str] = {}
AUTHENTICATED = {"Authorization": f"Bearer {TOKEN}"}
WRONG_TOKEN = {"Authorization": "Bearer not-the-token-0123456789abcdef"}
NOT_BEARER = {"Authorization": TOKEN}

RESTRICTED_PATHS = [
    f"/{RESTRICTED_NAME}",
    f"/{RESTRICTED_NAME}.json",
    f"/{RESTRICTED_NAME}/entries",
    f"/{RESTRICTED_NAME}/entries.json",
    f"/{RESTRICTED_NAME}/entries?_search=qorvex",
    f"/{RESTRICTED_NAME}/entries/sample-restricted-code",
    f"/{RESTRICTED_NAME}/entries/sample-restricted-code.json",
    f"/{RESTRICTED_NAME}/patterns",
    f"/{RESTRICTED_NAME}/find_term?term=qorvex",
    f"/{RESTRICTED_NAME}/find_term.json?term=qorvex",
    f"/{RESTRICTED_NAME}/recent.json?since=2000-01-01",
    f"/{RESTRICTED_NAME}.json?sql=select+id+from+entries",
    f"/{RESTRICTED_NAME}?sql=select+id+from+entries",
    f"/{RESTRICTED_NAME}.db",
]


def test_public_database_holds_no_restricted_entry(restricted_build):
    public = sqlite3.connect(restricted_build.output)
    ids = {r[0] for r in public.execute("select id from entries")}
    assert ids == {"sample-sieg-heil"}
    assert not public.execute("select 1 from entries where visibility != 'public'").fetchall()
    for table in ("patterns", "examples", "sources", "images"):
        assert not public.execute(
            f"select 1 from {table} where entry_id = 'sample-restricted-code'"
        ).fetchall()
    # Nowhere in the file: no column (related, ...), no index, no full-text table names it.
    public_bytes = Path(restricted_build.output).read_bytes().decode("latin-1").lower()
    assert "qorvex" not in public_bytes and "sample-restricted-code" not in public_bytes
    assert public.execute("select related from entries").fetchall() == [("[]",)]
    restricted = sqlite3.connect(restricted_build.restricted_output)
    ids = {r[0] for r in restricted.execute("select id from entries")}
    assert ids == {"sample-sieg-heil", "sample-restricted-code"}
    related = restricted.execute("select related from entries where id = 'sample-sieg-heil'")
    assert related.fetchall() == [('["sample-restricted-code"]',)]


@pytest.mark.parametrize("path", RESTRICTED_PATHS)
@pytest.mark.parametrize(
    "headers", [ANONYMOUS, WRONG_TOKEN, NOT_BEARER], ids=["anonymous", "wrong", "not-bearer"]
)
async def test_restricted_database_forbidden(ds, path, headers):
    response = await ds.client.get(path, headers=headers)
    assert response.status_code == 403, (path, response.status_code)
    assert "qorvex" not in response.text.lower()


@pytest.mark.parametrize("path", RESTRICTED_PATHS)
async def test_restricted_database_for_authenticated_actor(ds, path):
    response = await ds.client.get(path, headers=AUTHENTICATED)
    assert response.status_code == 200, (path, response.status_code)
    if any(part in path for part in ("/entries", "find_term", "recent", "sql=")):
        assert "sample-restricted-code" in response.text


@pytest.mark.parametrize(
    "headers", [ANONYMOUS, WRONG_TOKEN, AUTHENTICATED], ids=["anonymous", "wrong", "authenticated"]
)
async def test_public_database_open_to_everyone(ds, headers):
    for path in ("/", "/symbolenbank", "/symbolenbank/entries/sample-sieg-heil", "/about"):
        response = await ds.client.get(path, headers=headers)
        assert response.status_code == 200, path


async def test_home_lists_restricted_database_only_when_authenticated(ds):
    anonymous = await ds.client.get("/")
    assert RESTRICTED_NAME not in anonymous.text
    authenticated = await ds.client.get("/", headers=AUTHENTICATED)
    assert f'href="/{RESTRICTED_NAME}"' in authenticated.text
    actor = await ds.client.get("/-/actor.json", headers=AUTHENTICATED)
    assert actor.json() == {"actor": {"id": "alice"}}
    actor = await ds.client.get("/-/actor.json", headers=WRONG_TOKEN)
    assert actor.json() == {"actor": None}


async def test_tokens_never_shown(ds):
    for headers in (ANONYMOUS, AUTHENTICATED):
        for path in ("/-/metadata.json", "/-/plugins.json", "/-/settings.json", "/-/config.json"):
            response = await ds.client.get(path, headers=headers)
            assert TOKEN not in response.text and "SYMBOLENBANK_TOKEN" not in response.text, path
    # Nor who holds one: the actors' ids are nowhere in the metadata.
    assert "alice" not in (await ds.client.get("/-/metadata.json", headers=AUTHENTICATED)).text


INTROSPECTION = [
    "/-/databases.json",
    "/-/databases",
    "/-/metadata.json",
    "/-/metadata",
    "/.json",
    "/-/plugins.json",
    "/-/versions.json",
    "/-/settings.json",
    "/-/threads.json",
    "/-/actor.json",
]


@pytest.mark.parametrize("path", INTROSPECTION)
@pytest.mark.parametrize(
    "headers", [ANONYMOUS, WRONG_TOKEN, NOT_BEARER], ids=["anonymous", "wrong", "not-bearer"]
)
async def test_introspection_hides_restricted_database(ds, restricted_build, path, headers):
    response = await ds.client.get(path, headers=headers)
    assert response.status_code == 200, path
    restricted = restricted_build.restricted_output
    for secret in (RESTRICTED_NAME, restricted.name, str(restricted.parent), "alice"):
        assert secret not in response.text, (path, secret)


async def test_introspection_shows_restricted_database_to_its_analysts(ds, restricted_build):
    databases = (await ds.client.get("/-/databases.json", headers=AUTHENTICATED)).json()
    by_name = {d["name"]: d for d in databases}
    assert by_name.keys() == {"symbolenbank", RESTRICTED_NAME}
    assert by_name[RESTRICTED_NAME]["size"] == restricted_build.restricted_output.stat().st_size
    assert "path" not in by_name[RESTRICTED_NAME]  # the server's files are nobody's business
    metadata = (await ds.client.get("/-/metadata.json", headers=AUTHENTICATED)).json()
    assert metadata["databases"].keys() == {"symbolenbank", RESTRICTED_NAME}
    anonymous = (await ds.client.get("/-/metadata.json")).json()
    assert anonymous["databases"].keys() == {"symbolenbank"}
    assert anonymous["title"] == metadata["title"] == "Symbolenbank"


NON_ASCII_TOKENS = [
    "Bearer ünïcode-tökén-0123456789abcdef".encode(),
    "Bearer ünïcode-tökén-0123456789abcdef".encode("latin-1"),
    b"Bearer \xff\xfe\x80-0123456789abcdef",
    ("Bearer " + TOKEN + "é").encode(),
]


@pytest.mark.parametrize("authorization", NON_ASCII_TOKENS)
@pytest.mark.parametrize(
    "path,status",
    [
        ("/", 200),
        ("/symbolenbank/entries.json", 200),
        ("/-/scan", 200),
        ("/images/qorvex.png", 404),
        ("/-/databases.json", 200),
        *[(path, 403) for path in RESTRICTED_PATHS],
    ],
)
async def test_non_ascii_token_is_a_wrong_token(ds, authorization, path, status):
    response = await ds.client.get(path, headers={"Authorization": authorization})
    assert response.status_code == status, (path, response.status_code)
    assert "qorvex" not in response.text.lower()
    actor = await ds.client.get("/-/actor.json", headers={"Authorization": authorization})
    assert actor.json() == {"actor": None}
    scan = await ds.client.post(
        "/-/scan.json", json={"text": "qorvex"}, headers={"Authorization": authorization}
    )
    assert scan.status_code == 200 and scan.json()["matches"] == []


@pytest.mark.parametrize(
    "sql",
    [
        "select fts3_tokenizer('simple')",
        "select hex(FTS3_TOKENIZER('porter')) as p",
        "select fts3_tokenizer('simple', x'0000000000000000')",
        "select (select fts3_tokenizer('unicode61')) from entries",
    ],
)
async def test_restricted_sql_cannot_call_fts3_tokenizer(ds, sql):
    response = await ds.client.get(
        f"/{RESTRICTED_NAME}.json", params={"sql": sql, "_shape": "array"}, headers=AUTHENTICATED
    )
    assert response.status_code == 400 and "not authorized" in response.json()["error"]


async def test_restricted_full_text_search_still_works(ds):
    response = await ds.client.get(
        f"/{RESTRICTED_NAME}/entries.json?_search=qorvex&_shape=array", headers=AUTHENTICATED
    )
    assert [r["id"] for r in response.json()] == ["sample-restricted-code"]


@pytest.mark.parametrize(
    "headers,expected",
    [(ANONYMOUS, set()), (WRONG_TOKEN, set()), (AUTHENTICATED, {"sample-restricted-code"})],
    ids=["anonymous", "wrong", "authenticated"],
)
async def test_scan_sees_restricted_entries_only_when_authenticated(ds, headers, expected):
    text = "Sieg Heil, meet at qorvex tonight"
    response = await ds.client.post("/-/scan.json", json={"text": text}, headers=headers)
    assert response.status_code == 200
    found = {m["entry_id"] for m in response.json()["matches"]}
    assert found == {"sample-sieg-heil"} | expected
    database = response.json()["database"]
    assert database == (RESTRICTED_NAME if expected else "symbolenbank")


@pytest.mark.parametrize("headers", [ANONYMOUS, WRONG_TOKEN], ids=["anonymous", "wrong"])
async def test_scan_against_restricted_database_forbidden(ds, headers):
    response = await ds.client.post(
        "/-/scan.json", json={"text": "qorvex", "database": RESTRICTED_NAME}, headers=headers
    )
    assert response.status_code == 403
    assert "qorvex" not in response.json()["error"].lower().replace(RESTRICTED_NAME, "")


async def test_authenticated_actor_may_choose_public_database(ds):
    response = await ds.client.post(
        "/-/scan.json", json={"text": "qorvex", "database": "symbolenbank"}, headers=AUTHENTICATED
    )
    assert response.status_code == 200 and response.json()["matches"] == []


async def test_scan_page_offers_restricted_database_only_when_authenticated(ds):
    anonymous = await ds.client.get("/-/scan")
    assert RESTRICTED_NAME not in anonymous.text
    authenticated = await ds.client.get("/-/scan", headers=AUTHENTICATED)
    assert f'<option value="{RESTRICTED_NAME}" selected>' in authenticated.text


@pytest.mark.parametrize(
    "headers,status",
    [(ANONYMOUS, 404), (WRONG_TOKEN, 404), (AUTHENTICATED, 200)],
    ids=["anonymous", "wrong", "authenticated"],
)
async def test_restricted_drawing(ds, headers, status):
    response = await ds.client.get("/images/qorvex.png", headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.headers["content-type"] == "image/png"
    # Files no entry refers to are never served.
    assert (await ds.client.get("/images/notes.txt", headers=headers)).status_code == 404


def test_token_actors_from_environment():
    env = {
        "SYMBOLENBANK_TOKEN": "x" * 16,
        "SYMBOLENBANK_TOKEN_BOB_2": "y" * 40,
        "SYMBOLENBANK_TOKEN_EMPTY": "",
        "SYMBOLENBANK_TOKEN_lower": "z" * 20,
        "OTHER": "z" * 20,
    }
    assert token_actors(env) == {"x" * 16: "analyst", "y" * 40: "bob_2"}
    assert token_actors({}) == {}


@pytest.mark.parametrize(
    "value", ["short", "has a space in the token 123456", "ünïcode-tökén-0123456789abcdef"]
)
def test_weak_token_refused(value):
    with pytest.raises(ValueError, match="SYMBOLENBANK_TOKEN_X: a token must be"):
        token_actors({"SYMBOLENBANK_TOKEN_X": value})


def test_shared_token_refused():
    with pytest.raises(ValueError, match=r"SYMBOLENBANK_TOKEN_A and \$SYMBOLENBANK_TOKEN_B"):
        token_actors({"SYMBOLENBANK_TOKEN_A": "x" * 20, "SYMBOLENBANK_TOKEN_B": "x" * 20})


async def test_without_tokens_nobody_reaches_restricted(restricted_build, monkeypatch):
    for var in [v for v in __import__("os").environ if v.startswith("SYMBOLENBANK_TOKEN")]:
        monkeypatch.delenv(var)
    ds = make_datasette(restricted_build.output, restricted_build.restricted_output)
    for headers in (ANONYMOUS, AUTHENTICATED):
        response = await ds.client.get(f"/{RESTRICTED_NAME}/entries", headers=headers)
        assert response.status_code == 403
