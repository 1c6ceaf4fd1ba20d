"""The build: tables, foreign keys, full-text search, content hash, restricted separation, and
builds that run at once or die halfway."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from symbolenbank.build import BuildError, build_database, stored_hash
from symbolenbank.cli import cli
from tests.helpers import DATA

TABLES = {
    "entries", "patterns", "sources", "examples", "images", "ideologies", "movements",
    "releases", "kinds", "assessments", "entry_ideologies", "entry_movements", "related",
}  # fmt: skip


def test_tables_and_foreign_keys(db_path):
    db = sqlite_utils.Database(db_path)
    assert set(db.table_names()) >= TABLES
    assert db["entries_fts"].exists()
    fks = {(fk.column, fk.other_table) for fk in db["patterns"].foreign_keys}
    assert ("entry_id", "entries") in fks
    assert {(fk.column, fk.other_table) for fk in db["entry_ideologies"].foreign_keys} == {
        ("entry_id", "entries"),
        ("ideology_id", "ideologies"),
    }
    assert list(db.query("PRAGMA foreign_key_check")) == []
    assert db["entries"].count >= 20
    assert db["patterns"].count > db["entries"].count


def test_full_text_search_finds_title_word(db_path):
    db = sqlite_utils.Database(db_path)
    title = next(db.query("select title from entries where title like '% %' limit 1"))["title"]
    word = max(title.replace("(", " ").replace(")", " ").split(), key=len)
    hits = [r["id"] for r in db["entries"].search(word)]
    assert hits, f"no full-text hit for {word!r}"


def test_release_row(db_path, built):
    db = sqlite_utils.Database(db_path)
    (release,) = list(db["releases"].rows)
    assert release["content_hash"] == built.content_hash
    assert release["scope"] == "public"
    assert release["entries"] == db["entries"].count
    assert stored_hash(db_path) == built.content_hash


def test_same_data_same_hash(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    first = build_database(copy, tmp_path / "first.db", check_examples=False)
    second = build_database(copy, tmp_path / "second.db", check_examples=False)
    assert first.content_hash == second.content_hash
    assert stored_hash(tmp_path / "first.db") == stored_hash(tmp_path / "second.db")


def test_changed_data_changes_hash(mini_data, tmp_path):
    first = build_database(mini_data, tmp_path / "a.db")
    path = mini_data / "entries" / "sample-sieg-heil.yaml"
    path.write_text(path.read_text().replace("Example source", "Another source"))
    second = build_database(mini_data, tmp_path / "b.db")
    assert first.content_hash != second.content_hash


def test_restricted_entries_only_in_restricted_file(mini_data, tmp_path):
    src = (mini_data / "entries" / "sample-sieg-heil.yaml").read_text()
    secret = src.replace("id: sample-sieg-heil", "id: sample-secret").replace(
        "status: active", "visibility: restricted\nstatus: active"
    )
    secret = secret.replace("  - text: sieg heil\n", "  - text: geheimcode zeven\n")
    secret = secret.replace('"Sieg Heil kameraden!"', '"de geheimcode zeven is actief"').replace(
        '"s1eg h.e.i.l"', '"GEHEIMCODE zeven"'
    )
    (mini_data / "entries" / "sample-secret.yaml").write_text(secret)
    result = build_database(
        mini_data, tmp_path / "public.db", restricted_output=tmp_path / "restricted.db"
    )
    public = tmp_path / "public.db"
    raw = public.read_bytes()
    assert b"sample-secret" not in raw and b"geheimcode" not in raw
    restricted = sqlite_utils.Database(tmp_path / "restricted.db")
    assert {r["id"] for r in restricted["entries"].rows} == {"sample-sieg-heil", "sample-secret"}
    assert result.restricted_hash != result.content_hash


def test_build_refuses_invalid_data_and_writes_nothing(mini_data, tmp_path):
    path = mini_data / "entries" / "sample-sieg-heil.yaml"
    path.write_text(path.read_text().replace("kind: slogan", "kind: banner"))
    with pytest.raises(BuildError) as exc:
        build_database(mini_data, tmp_path / "out.db")
    assert "kind" in str(exc.value.problems[0])
    assert not (tmp_path / "out.db").exists()


def test_build_cli(mini_data, tmp_path):
    out = tmp_path / "cli.db"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--data",
            str(mini_data),
            "--output",
            str(out),
            "--restricted-output",
            str(tmp_path / "r.db"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "content hash" in result.output
    with sqlite3.connect(out) as conn:
        assert conn.execute("select count(*) from entries").fetchone()[0] == 1


def test_schema_file_is_current(tmp_path):
    out = tmp_path / "schema.json"
    result = CliRunner().invoke(cli, ["schema", "--output", str(out)])
    assert result.exit_code == 0, result.output
    shipped = Path(__file__).resolve().parent.parent / "schema" / "entry.schema.json"
    assert shipped.read_text() == out.read_text(), "run `symbolenbank schema` and commit it"


def _release(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("select * from releases").fetchone())


def test_both_files_of_a_build_carry_one_build_id(built):
    public, restricted = _release(built.output), _release(built.restricted_output)
    assert public["build_id"] == restricted["build_id"] == built.build_id
    assert len(built.build_id) == 32


def test_a_public_file_alone_has_no_build_id_and_no_lock(mini_data, tmp_path):
    result = build_database(mini_data, tmp_path / "alone.db")  # as the wheel and releases do
    assert _release(result.output)["build_id"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.db", "data"]


def _build_command(data: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "symbolenbank", "build", "--data", str(data),
        "--output", str(out / "kb.db"), "--restricted-output", str(out / "kb-restricted.db"),
    ]  # fmt: skip


def test_two_builds_at_once_end_cleanly_with_one_pair(mini_data, tmp_path):
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(_build_command(mini_data, out), stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    ends = [(proc.wait(120), proc.communicate()[1]) for proc in procs]
    for code, stderr in ends:
        assert code == 0 and "Traceback" not in stderr, stderr
    public, restricted = _release(out / "kb.db"), _release(out / "kb-restricted.db")
    assert public["build_id"] == restricted["build_id"]
    assert public["content_hash"] == stored_hash(out / "kb.db")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["kb-restricted.db", "kb-restricted.db.lock", "kb.db", "kb.db.lock"]


def test_a_second_build_waits_for_the_first(mini_data, tmp_path):
    from symbolenbank.buildfiles import locked

    out = tmp_path / "out"
    log = tmp_path / "build.log"
    with locked([out / "kb.db"]):  # as a build of this output holds it
        with open(log, "w") as stderr:
            proc = subprocess.Popen(_build_command(mini_data, out), stderr=stderr, text=True)
        deadline = time.monotonic() + 60
        while "waiting" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert not (out / "kb.db").exists() and not (out / "kb-restricted.db").exists()
    assert proc.wait(120) == 0, log.read_text()
    assert "another build of it is running" in log.read_text()
    assert _release(out / "kb.db")["build_id"] == _release(out / "kb-restricted.db")["build_id"]


def test_what_a_killed_build_left_is_removed(mini_data, tmp_path):
    left = tmp_path / ".kb.db.0123456789abcdef.tmp"
    left.write_bytes(b"half a database")
    (tmp_path / ".kb.db.0123456789abcdef.tmp-journal").write_bytes(b"")
    other = tmp_path / ".kb.db.x.0123456789abcdef.tmp"  # another output's: not this build's
    other.write_bytes(b"")
    running = tmp_path / ".kb.db.fedcba9876543210.tmp"  # a public-only build's, being written
    running.write_bytes(b"")
    old = time.time() - 16 * 60
    for path in (left, tmp_path / ".kb.db.0123456789abcdef.tmp-journal", other):
        os.utime(path, (old, old))
    build_database(mini_data, tmp_path / "kb.db", restricted_output=tmp_path / "kb-r.db")
    assert not left.exists() and other.exists() and running.exists()
    assert not list(tmp_path.glob(".kb.db.0123456789abcdef.tmp*"))
