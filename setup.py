"""Build hook: the wheel carries the built knowledge base, `data/` and `datasette/`.

`matchers.load()` must work right after `pip install .` with no checkout present, so the
public database is built from `data/` while the wheel is built.
"""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithKnowledgeBase(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        sys.path.insert(0, str(ROOT))
        from symbolenbank.build import build_database

        lib = Path(self.build_lib)
        build_database(
            ROOT / "data",
            lib / "matchers" / "kb" / "symbolenbank.db",
            restricted_output=None,
            check_examples=False,
        )
        for name in ("data", "datasette"):
            target = lib / "symbolenbank" / "_share" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithKnowledgeBase})
