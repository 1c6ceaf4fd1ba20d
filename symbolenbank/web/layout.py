"""What every page of the site carries: the menu links and the project's stylesheet."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path("/-/scan"), "label": "Scan a post or image"},
        {"href": datasette.urls.path("/about"), "label": "About Symbolenbank"},
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/assets/symbolenbank.css")]
