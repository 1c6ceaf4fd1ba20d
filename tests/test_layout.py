"""The runtime library stands alone: `matchers` never imports the build or publishing side."""

from __future__ import annotations

import json
import subprocess
import sys

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
