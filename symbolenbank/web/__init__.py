"""The published site's own pages and features, as Datasette plugins.

One module per page or feature: :mod:`.home` (home and about pages), :mod:`.entry_page`,
:mod:`.drawings` (reference drawings, only for actors who may see their entry), :mod:`.scan` (the
scan page and its JSON API, with :mod:`.scan_request` and :mod:`.scanning`), :mod:`.layout` (menu
and stylesheet on every page), :mod:`.auth` (tokens for the restricted database),
:mod:`.introspection` (Datasette's `/-/databases` and `/-/metadata`, limited to what the actor
may see) and :mod:`.sql_guard` (what published SQL may not call). What they share is in
:mod:`.common`. Templates and static files stay in the checkout's `datasette/` folder
(:func:`symbolenbank.paths.datasette_dir`), which the wheel carries too.

This is the publication side: it may import `matchers` and `symbolenbank`; `matchers` never
imports it.
"""

from __future__ import annotations


def register() -> None:
    """Add the site's plugins to Datasette's plugin manager, once per process.

    Datasette 0.65 has one plugin manager for every instance in the process (its `plugins_dir`
    registers there too), so each later `make_datasette` finds them registered already. They are
    registered by name rather than as a setuptools entry point, so other Datasette instances in
    the same environment never load them.
    """
    # Imported here, not with the package: a scan worker imports `.scan_worker` alone and
    # would otherwise load Datasette and every page for nothing.
    from datasette.plugins import pm

    from . import auth, drawings, entry_page, home, introspection, layout, scan, sql_guard

    for module in (auth, drawings, entry_page, home, introspection, layout, scan, sql_guard):
        if pm.get_plugin(module.__name__) is None:
            pm.register(module, name=module.__name__)
