"""The runtime library stands alone: `matchers` never imports the build or publishing side.

The import contract of pyproject.toml (`[tool.importlinter]`) is checked here rather than in the
Makefile, so that every run of the suite checks it: `make test`, and the workflows and developers
that run pytest directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUILD_SIDE = ("symbolenbank", "datasette", "sqlite_utils", "yaml", "pydantic", "click", "wordfreq")


def test_matchers_imports_nothing_from_the_build_side(db_path):
    script = (
        "import json, sys, matchers, matchers.parallel;"
        f"kb = matchers.load({str(db_path)!r}); kb.scan('Sieg Heil');"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not loaded & set(BUILD_SIDE), loaded & set(BUILD_SIDE)


def test_public_api_is_listed():
    import matchers

    for name in matchers.__all__:
        assert hasattr(matchers, name), name
    for name in ("load", "TextMatcher", "ImageMatcher", "TextMatch", "ImageMatch"):
        assert name in matchers.__all__


def test_import_contracts_hold():
    """`lint-imports`: matchers imports nothing of symbolenbank; no import cycles in a package."""
    script = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout
