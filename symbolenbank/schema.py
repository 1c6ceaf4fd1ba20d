"""The JSON Schema of an entry file, with the vocabularies as enums for autocomplete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .loading import load_data
from .models import Entry


def entry_schema(data_root: Path) -> dict[str, Any]:
    schema = Entry.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Symbolenbank entry"
    data = load_data(data_root)
    props = schema["properties"]
    for field, vocab in (("ideologies", "ideologies"), ("movements", "movements")):
        ids = sorted(data.vocab_ids(vocab))
        if ids:
            props[field]["items"] = {"type": "string", "enum": ids}
    return schema
