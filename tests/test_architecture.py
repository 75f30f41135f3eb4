"""The shape of the code, checked: no import cycles between modules or packages, packages depend only on the
layers below them (docs/architecture.md), modules stay small and say what they are, ruff is clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import imports

# The layers, lowest first (docs/architecture.md, "The module map"): a package imports only from lower layers
# (and `aipipe` itself, for the version). cli/ and the entry points are the top and may import anything.
LAYERS = [
    ["aipipe.core", "aipipe.bundled"],
    ["aipipe.clouds"],
    ["aipipe.build"],
    ["aipipe.semantics"],
    ["aipipe.spec"],
    ["aipipe.triggers"],
    ["aipipe.kinds"],
    ["aipipe.policies", "aipipe.schema"],
    ["aipipe.validation"],
    ["aipipe.codegen"],
    ["aipipe.offline", "aipipe.deploy", "aipipe.scaffold", "aipipe.local"],
]
ALLOWED = {
    package: {"aipipe", *(p for lower in LAYERS[:level] for p in lower)}
    for level, layer in enumerate(LAYERS)
    for package in layer
}
MAX_LINES = 400


def test_no_module_imports_itself_back_through_others():
    assert imports.cycles(imports.module_graph()) == []


def test_no_package_imports_itself_back_through_others():
    assert imports.cycles(imports.package_graph(imports.module_graph())) == []


def test_packages_depend_only_on_the_layers_below():
    packages = imports.package_graph(imports.module_graph())
    wrong = {
        package: sorted(targets - ALLOWED[package])
        for package, targets in packages.items()
        if package in ALLOWED and targets - ALLOWED[package]
    }
    assert wrong == {}


def test_the_cycle_finder_finds_cycles():
    assert imports.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}) == [["a", "b", "c"], ["e"]]


def test_modules_are_small_and_say_what_they_are():
    for path in sorted((ROOT / "aipipe").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= MAX_LINES, f"{path.relative_to(ROOT)} is over {MAX_LINES} lines: split it"
        assert ast.get_docstring(ast.parse(text)), f"{path.relative_to(ROOT)} has no module docstring"


def test_only_trigger_kinds_and_kinds_branch_on_a_trigger_model():
    """Trigger semantics live in aipipe/triggers/; others ask the trigger kind (registry) or the model's own
    methods. A policy may use a trigger's own method (fires_on_write) on its type."""
    names = {"BucketTrigger", "StreamTrigger", "TopicTrigger", "ScheduleTrigger"}
    outside = []
    for path in sorted((ROOT / "aipipe").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("aipipe/triggers/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
                checked = ast.unparse(node.args[1])
                if any(name in checked for name in names):
                    outside.append(f"{relative} {checked}")
    assert sorted(outside) == [
        "aipipe/policies/recursion.py BucketTrigger",
        "aipipe/policies/timeouts.py StreamTrigger",
    ]


def _ruff() -> str | None:
    beside = Path(sys.executable).parent / "ruff"  # the one pip installed with the test extras
    return str(beside) if beside.exists() else shutil.which("ruff")


@pytest.mark.skipif(_ruff() is None, reason="ruff is a test extra (pip install '.[test]')")
@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(command):
    result = subprocess.run(
        [_ruff(), *command, "--no-cache", "aipipe", "tests", "benchmarks", "tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_kind_table_names_every_module_that_defines_a_kind():
    """kinds/registry imports kinds lazily from KIND_MODULES; a kind module missing from it would be unknown."""
    from aipipe import kinds
    from aipipe.core.discovery import discover
    from aipipe.kinds.base import Kind
    from aipipe.kinds.registry import KIND_MODULES, KINDS

    found = discover(kinds, "KIND", Kind, frozenset({"base", "registry"}))
    assert list(KINDS) == [kind.name for kind in found]
    assert all(KINDS[kind.name] is kind for kind in found)
    assert sorted(KIND_MODULES.values()) == list(KIND_MODULES.values())  # messages list types in module order


def test_validating_a_spec_loads_only_the_kinds_it_uses():
    import subprocess

    from aipipe.kinds.registry import KIND_MODULES, KINDS

    probe = (
        "import sys\nfrom aipipe.validation import load_spec\n"
        "assert load_spec(sys.argv[1]).valid\n"
        "kinds = {m.split('.')[2] for m in sys.modules if m.startswith('aipipe.kinds.')}\n"
        "print(' '.join(sorted(kinds)))"
    )
    spec = ROOT / "specs" / "event-driven-ingest" / "aipipe.yaml"
    out = subprocess.run([sys.executable, "-c", probe, str(spec)], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["base", "bucket", "bucket_access", "bucket_seed", "function", "registry", "stream"]
    assert sorted(KIND_MODULES) == sorted(KINDS) and "workflow" in KINDS  # still known, only not imported
