"""Where the data, the publication files and the default build output live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent


def _share(name: str, marker: str) -> Path:
    """A top-level folder of the checkout, or the copy the wheel carries."""
    in_checkout = _CHECKOUT / name
    if (in_checkout / marker).exists():
        return in_checkout
    return PACKAGE_DIR / "_share" / name


def data_dir() -> Path:
    """The knowledge base's `data/` folder."""
    return _share("data", "vocab")


def datasette_dir() -> Path:
    """The `datasette/` folder: metadata, templates, static files (plugins: `symbolenbank.web`)."""
    return _share("datasette", "metadata.yml")


def default_output() -> Path:
    """`build/symbolenbank.db` below the working directory."""
    return Path("build") / "symbolenbank.db"


def default_restricted_output() -> Path:
    return Path("build") / "symbolenbank-restricted.db"
