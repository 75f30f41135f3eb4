"""The import graph of aipipe, from the source (every `import` and `from ... import`, including those inside
functions, since a lazy import is still a dependency): module cycles and package cycles.

Usage: python tools/imports.py          prints the package graph and any cycle (exit 1 when there is one)
tests/test_architecture.py runs the same checks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from aipipe.core.cycles import find_cycles

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aipipe"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of aipipe by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The aipipe modules a module imports (a `from package import name` counts `package.name` when that is a
    module, else `package`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "aipipe")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "aipipe":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return found & known


def module_graph() -> dict[str, set[str]]:
    found = modules()
    names = set(found)
    return {name: imports_of(path, names) - {name} for name, path in found.items()}


def package_of(module: str) -> str:
    """`aipipe.kinds.function.aws` -> `aipipe.kinds`; a top-level module is its own package."""
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = package_of(module)
        packages.setdefault(source, set()).update(package_of(t) for t in targets if package_of(t) != source)
    return packages


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (names in order) for each group of modules or packages that import each other (aipipe's own
    cycle finder, which also finds the dependency cycles of a spec)."""
    return find_cycles({node: set(targets) for node, targets in graph.items()})


def main() -> int:
    graph = module_graph()
    packages = package_graph(graph)
    for package, targets in sorted(packages.items()):
        print(f"{package:<20} -> {', '.join(sorted(t.removeprefix('aipipe.') for t in targets)) or '-'}")
    problems = cycles(graph) + cycles(packages)
    for cycle in problems:
        print("CYCLE:", " <-> ".join(cycle))
    print(f"{len(graph)} modules, {len(packages)} packages, {len(problems)} cycles")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
