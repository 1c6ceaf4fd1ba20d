"""Who may reach the restricted database: actors with a bearer token from the environment.

datasette-auth-tokens turns ``Authorization: Bearer <token>`` into an actor; metadata.yml lets
only such actors (``allow: {id: "*"}``) view the restricted database, so anonymous requests get
403 there. This module writes the plugin's token list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

TOKEN_VAR = "SYMBOLENBANK_TOKEN"
"""Environment variable holding the token of the actor ``analyst``; ``SYMBOLENBANK_TOKEN_<NAME>``
holds the token of the actor ``<name>`` (lower case)."""
MIN_TOKEN_LENGTH = 16


def token_config(environ: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """datasette-auth-tokens entries for the token variables set in the environment.

    The metadata only names the variables (``{"$env": ...}``), so no token is ever shown by
    ``/-/metadata.json``; the plugin reads the value on each request. Raises ValueError for a
    weak token.
    """
    environ = os.environ if environ is None else environ
    tokens = []
    for var in sorted(environ):
        if var == TOKEN_VAR:
            actor = "analyst"
        elif var.startswith(TOKEN_VAR + "_") and re.fullmatch(r"[A-Z0-9_]+", var):
            actor = var[len(TOKEN_VAR) + 1 :].lower()
        else:
            continue
        value = environ[var]
        if not value:
            continue
        if len(value) < MIN_TOKEN_LENGTH or re.search(r"\s", value):
            raise ValueError(
                f"${var}: a token must be at least {MIN_TOKEN_LENGTH} characters without spaces;"
                " make one with `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        tokens.append({"token": {"$env": var}, "actor": {"id": actor}})
    return tokens


def with_tokens(metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` with the datasette-auth-tokens configuration of the current environment."""
    metadata.setdefault("plugins", {})["datasette-auth-tokens"] = {"tokens": token_config()}
    return metadata
