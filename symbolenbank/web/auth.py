"""Who may reach the restricted database: actors with a bearer token from the environment.

``Authorization: Bearer <token>`` with a token from the environment (:func:`token_actors`) makes
the request's actor ``{"id": <actor>}``; metadata.yml lets only such actors (``allow: {id:
"*"}``) view the restricted database, so any other request gets 403 there. A header that is not
such a token, whatever bytes it holds, is no token: the request is anonymous.

The tokens never go into Datasette's metadata, which anyone can read at `/-/metadata.json`: the
instance keeps only their SHA-256 digests (:class:`.common.Site`), and a request's token is
compared by digest, in constant time and as bytes, so no header can make the comparison fail.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from typing import Any

from datasette import hookimpl

from .common import site_of

TOKEN_VAR = "SYMBOLENBANK_TOKEN"
"""Environment variable holding the token of the actor ``analyst``; ``SYMBOLENBANK_TOKEN_<NAME>``
holds the token of the actor ``<name>`` (lower case)."""
MIN_TOKEN_LENGTH = 16
_GOOD_TOKEN = re.compile(rf"[\x21-\x7e]{{{MIN_TOKEN_LENGTH},}}")
"""Printable ASCII without spaces: what an HTTP header carries as it is."""
_BEARER = b"Bearer "


def token_actors(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """{token: actor id} for the token variables set in the environment.

    Raises ValueError for a weak token, or one that two variables share (its requests could not
    tell which actor they are).
    """
    environ = os.environ if environ is None else environ
    actors: dict[str, str] = {}
    variables: dict[str, str] = {}
    for var in sorted(environ):
        if var == TOKEN_VAR:
            actor = "analyst"
        elif var.startswith(TOKEN_VAR + "_") and re.fullmatch(r"[A-Z0-9_]+", var):
            actor = var[len(TOKEN_VAR) + 1 :].lower()
        else:
            continue
        token = environ[var]
        if not token:
            continue
        if not _GOOD_TOKEN.fullmatch(token):
            raise ValueError(
                f"${var}: a token must be at least {MIN_TOKEN_LENGTH} characters of printable"
                " ASCII without spaces; make one with"
                " `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        if token in actors:
            raise ValueError(
                f"${variables[token]} and ${var} hold the same token; give each its own"
            )
        actors[token], variables[token] = actor, var
    return actors


def token_digests(actors: Mapping[str, str]) -> dict[bytes, str]:
    """{SHA-256 of the token: actor id}, what an instance keeps of `actors`."""
    return {_digest(token.encode("ascii")): actor for token, actor in actors.items()}


def _digest(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


def bearer_token(request: Any) -> bytes | None:
    """The bytes after ``Bearer `` in the request's Authorization header, as sent, or None.

    Datasette decodes header values as Latin-1, which maps every byte to one character, so
    encoding back gives the bytes the client sent, whatever they are.
    """
    header = request.headers.get("authorization", "").encode("latin-1")
    return header[len(_BEARER) :] if header.startswith(_BEARER) else None


@hookimpl
def actor_from_request(datasette: Any, request: Any) -> dict[str, str] | None:
    token = bearer_token(request)
    digests = site_of(datasette).token_digests
    if not token or not digests:
        return None
    digest = _digest(token)
    actor = None
    for known, actor_id in digests.items():  # every digest, so the time says nothing
        if hmac.compare_digest(known, digest):
            actor = actor_id
    return {"id": actor} if actor else None
