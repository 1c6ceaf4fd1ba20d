"""`matchers.load()` works from an installed wheel, with no checkout present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_knowledge_base(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(dist), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("symbolenbank-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(site)
    assert "matchers/kb/symbolenbank.db" in names
    assert "symbolenbank/_share/data/vocab/ideologies.yaml" in names
    assert "symbolenbank/_share/datasette/metadata.yml" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)

    script = (
        "import json, matchers; kb = matchers.load();"
        "print(json.dumps({'file': matchers.__file__, 'db': str(kb.path),"
        " 'entries': kb.release['entries'],"
        " 'hit': [m.entry_id for m in kb.scan('Sieg Heil kameraden')]}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "SYMBOLENBANK_DB"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    result = json.loads(out.stdout)
    assert result["file"].startswith(str(site))
    assert result["db"].startswith(str(site))
    assert result["entries"] >= 20
    assert result["hit"], "the shipped knowledge base does not match a plain Sieg Heil"
