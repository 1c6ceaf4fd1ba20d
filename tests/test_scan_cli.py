"""`symbolenbank scan` and `scan-image` on bad input and bad output: every line gets a record in
order, invalid UTF-8 never reaches the output, and Ctrl-C or a closed pipe end the command
cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbolenbank.cli import cli
from tests.helpers import DATA

HIT = "sieg heil kameraden"


def jsonl_posts(count: int, broken: dict[int, bytes] | None = None) -> bytes:
    """`count` JSONL posts (every seventh a hit), with the lines in `broken` in their place."""
    lines = []
    for n in range(1, count + 1):
        if broken and n in broken:
            lines.append(broken[n])
            continue
        text = HIT if n % 7 == 0 else "gewone post"  # numbers could be codes: 18, 88 ...
        lines.append(json.dumps({"id": f"p{n}", "text": text}).encode())
    return b"\n".join(lines) + b"\n"


def records(stdout: bytes) -> list[dict]:
    """The JSON lines of `stdout`, which must be valid UTF-8."""
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def scan(db: Path, input: bytes, *args: str):
    argv = ["scan", "--db", str(db), "--input-format", "jsonl", "--format", "jsonl", *args]
    return CliRunner().invoke(cli, argv, input=input)


def test_broken_line_gets_an_error_record_in_place(db_path):
    result = scan(db_path, jsonl_posts(3000, {2501: b'{"id": "p2501", "text": broken'}),
                  "--workers", "2")  # fmt: skip
    assert result.exit_code == 1, result.output
    out = records(result.stdout_bytes)
    assert [r["line"] for r in out] == list(range(1, 3001))
    errors = [r for r in out if "error" in r]
    assert errors == [{"line": 2501, "error": errors[0]["error"]}]
    assert "not JSON" in errors[0]["error"]
    assert all(r["id"] == f"p{r['line']}" for r in out if "error" not in r)
    assert sum(bool(r.get("matches")) for r in out) == 3000 // 7
    assert "1 error" in result.stderr


def test_on_error_stop_writes_everything_before_the_bad_line(db_path):
    result = scan(db_path, jsonl_posts(3000, {2501: b"not json at all"}),
                  "--workers", "2", "--on-error", "stop")  # fmt: skip
    assert result.exit_code == 1, result.output
    out = records(result.stdout_bytes)
    assert len(out) == 2501
    assert all("matches" in r for r in out[:2500])
    assert [r["line"] for r in out] == list(range(1, 2502))
    assert set(out[-1]) == {"line", "error"} and out[-1]["line"] == 2501


def test_missing_or_wrong_text_field_is_an_error_not_an_empty_post(db_path):
    posts = (
        b'{"id": "a", "text": "sieg heil kameraden"}\n{"id": "b"}\n'
        b'{"id": "c", "text": 42}\n[1, 2]\n{"id": "d", "text": "niets"}\n'
    )
    result = scan(db_path, posts)
    assert result.exit_code == 1, result.output
    a, b, c, array, d = records(result.stdout_bytes)
    assert a["matches"] and d["matches"] == []
    assert b == {"line": 2, "id": "b", "error": "no 'text' field (see --text-field)"}
    assert c["id"] == "c" and "not a string" in c["error"] and "matches" not in c
    assert "id" not in array and "not a JSON object" in array["error"]


def test_deeply_nested_json_is_an_error_record(db_path):
    result = scan(db_path, b"[" * 100_000 + b"\n" + b'{"id": 1, "text": "x"}\n')
    assert result.exit_code == 1, result.output
    first, second = records(result.stdout_bytes)
    assert "error" in first and second["matches"] == []


def test_text_format_reports_bad_lines_on_stderr_and_goes_on(db_path):
    posts = b'{"id": "a", "text": "x"}\n{"id": "b"\n{"id": "c", "text": "sieg heil kameraden"}\n'
    argv = ["scan", "--db", str(db_path), "--input-format", "jsonl"]
    result = CliRunner().invoke(cli, argv, input=posts)
    assert result.exit_code == 1
    assert result.stdout.startswith("c:0-9\t")
    assert "line 2: not JSON" in result.stderr


def test_invalid_utf8_is_replaced_and_flagged(db_path):
    posts = b'{"id": "a\xffb", "text": "sieg heil \xfe kameraden"}\n{"id": "c", "text": "ok"}\n'
    result = scan(db_path, posts)
    assert result.exit_code == 0, result.output
    first, second = records(result.stdout_bytes)
    assert first["id"] == "a\ufffdb"
    assert first["warnings"] == ["invalid UTF-8 replaced with U+FFFD"]
    assert first["matches"][0]["matched"] == "sieg heil"
    assert "warnings" not in second


def test_lone_surrogate_escapes_stay_valid_json(db_path):
    posts = b'{"id": "\\ud800", "text": "\\udc80 sieg heil kameraden"}\n'
    result = scan(db_path, posts)
    assert result.exit_code == 0, result.output
    (record,) = records(result.stdout_bytes)
    assert record["id"] == "\ud800"  # written as the escape it came in as
    assert record["warnings"] and record["matches"][0]["start"] == 2


@pytest.mark.parametrize(
    "env", [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}], ids=["ascii", "C"]
)
def test_output_is_utf8_json_whatever_the_locale(db_path, env):
    env = {**os.environ, **env}
    env.pop("PYTHONUTF8", None)
    posts = "ѕieg heil kameraden\nsieg heil \xff kameraden\n".encode("utf-8", "surrogateescape")
    posts = posts.replace(b"\xc3\xbf", b"\xff")  # a raw 0xFF byte, not the letter ÿ
    base = [sys.executable, "-m", "symbolenbank", "scan", "--db", str(db_path), "-s"]
    jsonl = subprocess.run([*base, "--format", "jsonl"], input=posts, capture_output=True,
                           env=env, timeout=120)  # fmt: skip
    assert jsonl.returncode == 0, jsonl.stderr.decode(errors="replace")
    first, second = records(jsonl.stdout)
    assert first["matches"][0]["matched"] == "ѕieg heil"  # a Cyrillic s
    assert second["warnings"] == ["invalid UTF-8 replaced with U+FFFD"]
    text = subprocess.run([*base], input=posts, capture_output=True, env=env, timeout=120)
    assert text.returncode == 0, text.stderr.decode(errors="replace")
    assert b"Traceback" not in text.stderr and b"line 2: invalid UTF-8" in text.stderr
    assert text.stdout.startswith(b"1:0-9\t")


def test_a_closed_pipe_ends_the_scan_quietly(db_path, tmp_path):
    posts = tmp_path / "posts.txt"
    posts.write_text(f"{HIT}\n" * 30_000, encoding="utf-8")
    command = [sys.executable, "-m", "symbolenbank", "scan", "--db", str(db_path), "-s"]
    with subprocess.Popen(
        [*command, "--format", "jsonl", "--workers", "2", str(posts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        head = [json.loads(proc.stdout.readline()) for _ in range(3)]
        proc.stdout.close()  # what `| head -3` does
        stderr = proc.stderr.read().decode()
        assert proc.wait(60) == 141, stderr
    assert [r["line"] for r in head] == [1, 2, 3]
    assert not stderr, stderr  # no traceback, no "Exception ignored"


def test_ctrl_c_keeps_whole_records_and_exits_130(db_path, tmp_path):
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "symbolenbank", "scan", "--db", str(db_path), "-s"]
    with (
        open(out, "wb") as stdout,
        subprocess.Popen(
            [*command, "--format", "jsonl", "--workers", "2", "-"],
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        ) as proc,
    ):
        assert proc.stdin is not None and proc.stderr is not None
        try:
            proc.stdin.write(b"gewone post\n" * 40_000)
            proc.stdin.flush()  # and the input stays open, as a terminal's would
            deadline = time.monotonic() + 60
            while out.read_bytes().count(b"\n") < 2000:
                assert time.monotonic() < deadline and proc.poll() is None, "no output"
                time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the helper processes get it too
            stderr = proc.stderr.read().decode()
            assert proc.wait(60) == 130, stderr
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    data = out.read_bytes()
    assert data.endswith(b"\n")
    assert [r["line"] for r in records(data)] == list(range(1, data.count(b"\n") + 1))
    assert stderr.strip() == "Interrupted; the records written are complete.", stderr


@pytest.fixture
def images(tmp_path: Path, db_path: Path) -> tuple[Path, Path]:
    """(a shipped drawing, a broken JPEG) below `tmp_path`."""
    import shutil

    import sqlite_utils

    query = "select file from images where file is not null order by file limit 1"
    (row,) = sqlite_utils.Database(db_path).query(query)
    good = tmp_path / "good.png"
    shutil.copy(DATA / row["file"], good)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return good, broken


def test_scan_image_writes_an_error_record_in_place(db_path, images):
    good, broken = images
    listing = f"{good}\n{broken}\n{good}\n".encode()
    argv = ["scan-image", "--db", str(db_path), "--files-from", "-", "--workers", "1"]
    result = CliRunner().invoke(cli, argv, input=listing)
    assert result.exit_code == 1
    first, bad, last = records(result.stdout_bytes)
    assert first["matches"] and last["matches"] and first["file"] == str(good)
    assert bad["file"] == str(broken) and "truncated" in bad["error"] and "matches" not in bad
    assert f"Error: {broken}" in result.stderr


def test_scan_image_undecodable_paths_are_error_records(db_path, images, tmp_path):
    good, _ = images
    folder = tmp_path / "folder"
    folder.mkdir()
    try:
        odd = os.path.join(os.fsencode(folder), b"b\xff.png")
        with open(odd, "wb") as fh:
            fh.write(good.read_bytes())
    except OSError:
        pytest.skip("this file system takes only UTF-8 file names")
    listing = os.fsencode(good) + b"\n" + os.fsencode(tmp_path) + b"/x\xfe.png\n"
    command = [sys.executable, "-m", "symbolenbank", "scan-image", "--db", str(db_path)]
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([*command, str(folder), "--files-from", "-"], input=listing,
                          capture_output=True, env=env, timeout=120)  # fmt: skip
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    in_folder, listed, odd_listed = records(proc.stdout)
    assert in_folder == {"file": f"{folder}/b\ufffd.png", "error": in_folder["error"]}
    assert "not valid UTF-8" in in_folder["error"]
    assert listed["file"] == str(good) and listed["matches"]
    assert odd_listed["file"] == f"{tmp_path}/x\ufffd.png"
    assert "not valid UTF-8" in odd_listed["error"]
