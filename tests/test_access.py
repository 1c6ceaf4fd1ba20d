"""Access control on a real `symbolenbank serve` process, with requests whose paths are sent as
written: a restricted drawing, or any other file under data/, is never served to anyone the
entry's database is hidden from, however its path is spelled.

HTTPX normalises `.` and `..` in paths, so these requests go through `http.client`.
"""

from __future__ import annotations

import http.client
import shutil
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import pytest

from symbolenbank.publish import RESTRICTED_NAME
from tests.helpers import DATA, RESTRICTED_ENTRY, ROOT, SAMPLE_ENTRY

TOKEN = "carol-0123456789abcdef0123456789abcdef"
AUTHENTICATED = [("Authorization", f"Bearer {TOKEN}")]
NON_ASCII = [("Authorization", "Bearer ünïcode-tökén-0123456789".encode())]
PNG = b"\x89PNG\r\n\x1a\n"
SECRET = b"# only in data/, never on the site"
PUBLIC_ENTRY = SAMPLE_ENTRY.replace(
    "status: active",
    "images:\n  - file: images/public-sign.png\nrelated: [sample-restricted-code]\nstatus: active",
)

RESTRICTED_DRAWING = [
    "/images/qorvex.png",
    "/images/qorvex.png/",
    "/images/qorvex.png//",
    "/images/./qorvex.png",
    "/images/x/../qorvex.png",
    "/images//qorvex.png",
    "/images/.//qorvex.png",
    "/images/%2e/qorvex.png",
    "/images/x/%2e%2e/qorvex.png",
    "/images/x/%2E%2E/qorvex.png",
    "/images/x%2F..%2Fqorvex.png",
    "/images/x%2f%2e%2e%2fqorvex.png",
    "/images/.%2Fqorvex.png",
    "/images/qorvex%2Epng",
    "/images/%71orvex.png",
    "/images/qorvex.png%2F",
    "/images/qorvex.png?download=1",
    "/images/qorvex.png;x",
    "/images\\qorvex.png",
    "//images/qorvex.png",
    "/./images/qorvex.png",
    "/x/../images/qorvex.png",
    "/assets/../images/qorvex.png",
    "/-/static/../../images/qorvex.png",
]
"""Spellings of the restricted entry's drawing."""

DATA_FILES = [
    "/images/draw.py",
    "/images/draw.py/",
    "/images/./draw.py",
    "/images/x/../draw.py",
    "/images/%2e/draw.py",
    "/images/x%2F..%2Fdraw.py",
    "/images/notes.txt",
    "/images/notes.txt/",
    "/images/../entries/sample-restricted-code.yaml",
    "/images/%2e%2e/entries/sample-restricted-code.yaml",
    "/images/..%2Fentries%2Fsample-restricted-code.yaml",
    "/images/%2e%2e%2fentries%2fsample-restricted-code.yaml",
    "/images/../vocab/kinds.yaml",
    "/images/",
    "/images",
    "/assets/../../data/images/draw.py",
    "/assets/%2e%2e/%2e%2e/data/images/draw.py",
    "/-/static/../../../data/images/draw.py",
    "/data/images/draw.py",
    "/data/entries/sample-restricted-code.yaml",
]
"""Files under data/ that are no drawing of a visible entry, in several spellings."""


@pytest.fixture(scope="module")
def access_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data, public db): a public entry with a drawing that names a restricted entry as
    related, the restricted entry with its drawing, and files in data/images/ that no entry
    shows; built with the restricted database next to the public one."""
    from PIL import Image

    from symbolenbank.build import build_database

    root = tmp_path_factory.mktemp("access")
    data = root / "data"
    shutil.copytree(DATA / "vocab", data / "vocab")
    (data / "entries").mkdir(parents=True)
    (data / "images").mkdir()
    Image.new("RGB", (64, 64), "black").save(data / "images" / "qorvex.png")
    Image.new("RGB", (64, 64), "white").save(data / "images" / "public-sign.png")
    (data / "images" / "draw.py").write_bytes(SECRET + b"\n")
    (data / "images" / "notes.txt").write_bytes(SECRET + b"\n")
    (data / "entries" / "sample-sieg-heil.yaml").write_text(PUBLIC_ENTRY, encoding="utf-8")
    (data / "entries" / "sample-restricted-code.yaml").write_text(RESTRICTED_ENTRY, "utf-8")
    out = root / "build"
    build_database(data, out / "symbolenbank.db", restricted_output=out / f"{RESTRICTED_NAME}.db")
    return data, out / "symbolenbank.db"


@pytest.fixture(scope="module")
def server(access_site, start_server) -> str:
    data, db = access_site
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SYMBOLENBANK_TOKEN_CAROL", TOKEN)
        return start_server(db, data=data)


def raw_request(
    base: str,
    path: str,
    headers: Iterable[tuple[str, str | bytes]] = (),
    *,
    method: str = "GET",
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Send `path` exactly as written; (status, headers in lower case, body)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", RESTRICTED_DRAWING)
@pytest.mark.parametrize("headers", [[], NON_ASCII], ids=["anonymous", "non-ascii-token"])
def test_restricted_drawing_never_served_anonymously(server, path, headers):
    status, _, body = raw_request(server, path, headers)
    assert status != 200 and PNG not in body, (path, status)


def test_restricted_drawing_served_to_its_analysts(server):
    status, headers, body = raw_request(server, "/images/qorvex.png", AUTHENTICATED)
    assert status == 200 and body.startswith(PNG)
    assert headers["content-type"] == "image/png"
    assert "no-store" in headers["cache-control"]


def test_public_drawing_served_to_everyone(server):
    status, headers, body = raw_request(server, "/images/public-sign.png")
    assert status == 200 and body.startswith(PNG)
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", DATA_FILES)
@pytest.mark.parametrize("headers", [[], AUTHENTICATED], ids=["anonymous", "authenticated"])
def test_no_other_file_under_data_is_served(server, path, headers):
    status, _, body = raw_request(server, path, headers)
    assert SECRET not in body and b"visibility: restricted" not in body, path
    assert (ROOT / "data" / "images" / "draw.py").read_bytes()[:60] not in body, path
    assert status != 200, (path, status)


@pytest.mark.parametrize(
    "path,status",
    [("/", 200), ("/symbolenbank/entries", 200), (f"/{RESTRICTED_NAME}/entries", 403)],
)
def test_non_ascii_token_is_a_wrong_token(server, path, status):
    assert raw_request(server, path, NON_ASCII)[0] == status
    answer = raw_request(
        server,
        "/-/scan.json",
        [*NON_ASCII, ("Content-Type", "application/json")],
        method="POST",
        body=b'{"text": "meet at qorvex tonight, sieg heil"}',
    )
    assert answer[0] == 200 and b"sample-restricted-code" not in answer[2]


@pytest.mark.parametrize(
    "path", ["/-/databases.json", "/-/metadata.json", "/.json", "/-/plugins.json"]
)
def test_introspection_hides_the_restricted_database(server, access_site, path):
    _, db = access_site
    status, _, body = raw_request(server, path)
    assert status == 200
    assert RESTRICTED_NAME.encode() not in body and b"carol" not in body
    assert str(db.parent).encode() not in body
