"""The command line: scan output contract, exit codes, no tracebacks on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbolenbank.build import build_database
from symbolenbank.cli import cli
from tests.helpers import DATA, edit_sample


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_scan_jsonl_one_object_per_line_in_order(runner, db_path):
    posts = "gewoon een zin\nSieg Heil kameraden\n\nnog een zin zonder iets\n"
    result = runner.invoke(cli, ["scan", "--db", str(db_path), "--format", "jsonl"], input=posts)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4]
    assert records[0]["matches"] == [] and records[2]["matches"] == []
    hit = records[1]["matches"][0]
    for key in ("entry_id", "start", "end", "matched", "pattern", "kind", "assessment"):
        assert key in hit
    assert "Sieg Heil kameraden"[hit["start"] : hit["end"]] == hit["matched"]


def test_scan_text_format_from_file(runner, db_path, tmp_path):
    path = tmp_path / "posts.txt"
    path.write_text("niets\ns1eg h.e.i.l!\n", encoding="utf-8")
    result = runner.invoke(cli, ["scan", "--db", str(db_path), str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2:")
    assert "2 posts, 1 matches" in result.stderr


def test_scan_missing_database_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["scan", "--db", str(tmp_path / "nope.db")], input="x\n")
    assert result.exit_code == 1
    assert "no such database" in result.output


def test_usage_error_exit_code(runner):
    result = runner.invoke(cli, ["scan", "--format", "xml"])
    assert result.exit_code == 2


def test_hash_image_bad_file_exit_1_without_traceback(tmp_path):
    bad = tmp_path / "not-an-image.jpg"
    bad.write_text("this is text", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "symbolenbank", "hash-image", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr


def test_hash_image_prints_hashes(runner, tmp_path):
    from PIL import Image, ImageDraw

    path = tmp_path / "cross.png"
    img = Image.new("RGB", (128, 128), "white")
    ImageDraw.Draw(img).rectangle((54, 10, 74, 118), fill="black")
    img.save(path)
    result = runner.invoke(cli, ["hash-image", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert len(record["phash"]) == 16 and len(record["dhash"]) == 16


@pytest.fixture
def drawing_db(mini_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A database built from a data folder whose sample entry has a drawing: (db, drawing)."""
    from PIL import Image, ImageDraw

    drawing = mini_data / "images" / "sample-drawing.png"
    img = Image.new("RGB", (256, 256), "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((28, 28, 228, 228), outline="black", width=14)
    draw.polygon([(128, 48), (200, 200), (56, 200)], fill="black")
    draw.rectangle((116, 8, 140, 60), fill="black")
    img.save(drawing)
    edit_sample(mini_data, "status: active", DRAWING.format(file=drawing.name) + "status: active")
    db = build_database(mini_data, tmp_path / "drawing.db").output
    return db, drawing


DRAWING = """\
images:
  - file: images/{file}
    note: reference drawing made for the test
"""


def test_scan_image_finds_a_drawing(runner, drawing_db):
    db, drawing = drawing_db
    result = runner.invoke(cli, ["scan-image", "--db", str(db), str(drawing)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert "sample-sieg-heil" in {m["entry_id"] for m in record["matches"]}


def test_scan_image_folders_and_file_lists_in_order(runner, db_path, tmp_path):
    import shutil

    import sqlite_utils

    rows = list(
        sqlite_utils.Database(db_path).query(
            "select entry_id, file from images where file is not null order by file limit 40"
        )
    )
    folder = tmp_path / "uploads"
    (folder / "sub").mkdir(parents=True)
    for i, row in enumerate(rows):
        shutil.copy(DATA / row["file"], folder / ("sub" if i % 2 else "") / f"{i:02d}.png")
    (folder / "notes.txt").write_text("not an image", encoding="utf-8")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    listing = f"{DATA / rows[0]['file']}\n{broken}\n"
    args = ["scan-image", "--db", str(db_path), str(folder), "--files-from", "-"]
    one = runner.invoke(cli, [*args, "--workers", "1"], input=listing)
    two = runner.invoke(cli, [*args, "--workers", "2"], input=listing)
    assert one.exit_code == two.exit_code == 1  # the broken file is an error, the rest is scanned
    assert one.stdout == two.stdout
    records = [json.loads(line) for line in one.stdout.splitlines()]
    assert len(records) == len(rows) + 2
    assert str(broken) in one.stderr and "Traceback" not in one.stderr
    files = [r["file"] for r in records[: len(rows)]]
    assert files == sorted(files)
    assert all(r["matches"] for r in records[:-1])
    assert records[-1]["file"] == str(broken) and "error" in records[-1]


def test_scan_image_needs_an_input(runner, db_path):
    result = runner.invoke(cli, ["scan-image", "--db", str(db_path)])
    assert result.exit_code == 2


def test_every_command_is_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, f"`symbolenbank {name}` has no help text"
        assert f"symbolenbank {name}" in readme, f"README does not mention `symbolenbank {name}`"
