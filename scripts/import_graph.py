"""Print the import graph of `matchers` and `symbolenbank`, and every import cycle in it.

    python scripts/import_graph.py            # from the repository root

Each module is listed with the modules of the two packages it imports directly; an import made
inside a function is marked `(lazy)`, since it counts for cycles as much as one at the top. Two
kinds of cycle are printed: between modules (strongly connected components of the module graph) and
between the children of a package (what the `acyclic_siblings` contract in pyproject.toml
checks, so a cycle through a subpackage counts too). Exits 1 when there is a cycle.
Needs `grimp`, which `import-linter` (the `test` extra) brings along.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

PACKAGES = ("matchers", "symbolenbank")


def _source_lines(module: str) -> list[str]:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return []
    return Path(spec.origin).read_text(encoding="utf-8").splitlines()


def _is_lazy(graph: grimp.ImportGraph, importer: str, imported: str, lines: list[str]) -> bool:
    """Every import of `imported` by `importer` is indented, i.e. inside a function or class."""
    details = graph.get_import_details(importer=importer, imported=imported)
    numbers = [d["line_number"] for d in details]
    return bool(numbers) and all(
        0 < n <= len(lines) and lines[n - 1][:1].isspace() for n in numbers
    )


def edges(graph: grimp.ImportGraph, modules: Iterable[str]) -> dict[str, set[str]]:
    """Direct imports between `modules`."""
    chosen = set(modules)
    return {m: graph.find_modules_directly_imported_by(m) & chosen for m in sorted(chosen)}


def module_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def sibling_cycles(graph: grimp.ImportGraph, package: str) -> dict[str, set[tuple[str, str]]]:
    """Per package (and subpackage): the imports whose removal would leave its children acyclic."""
    result: dict[str, set[tuple[str, str]]] = {}
    children = graph.find_children(package)
    if len(children) >= 2:
        breakers = graph.nominate_cycle_breakers(package)
        if breakers:
            result[package] = set(breakers)
    for child in sorted(children):
        result.update(sibling_cycles(graph, child))
    return result


def main() -> int:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    direct = edges(graph, graph.modules)
    for package in PACKAGES:
        modules = [m for m in sorted(direct) if m.split(".")[0] == package]
        print(f"## {package} ({len(modules)} modules)\n")
        for module in modules:
            lines = _source_lines(module)
            imports = [
                f"{imp}{' (lazy)' if _is_lazy(graph, module, imp, lines) else ''}"
                for imp in sorted(direct[module])
            ]
            print(f"{module} -> {', '.join(imports) if imports else '(nothing)'}")
        print()
    cycles = 0
    for component in module_cycles(direct):
        cycles += 1
        print(f"CYCLE between modules: {' <-> '.join(component)}")
    for package in PACKAGES:
        for parent, breakers in sorted(sibling_cycles(graph, package).items()):
            cycles += 1
            pairs = ", ".join(f"{a} -> {b}" for a, b in sorted(breakers))
            print(f"CYCLE between the children of {parent}: break it at {pairs}")
    print(f"{cycles} cycle(s).")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
