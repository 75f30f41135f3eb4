"""Fuzzing load -> validate -> render with hypothesis: arbitrary text, arbitrary YAML built from the spec's own
vocabulary, and mutated example specs.

Invariants: nothing raises; every rejection is a diagnostic with a line and column (and never the
internal-error code AP999); every accepted spec renders to a program that parses and passes the allowlist.
CI runs a fast profile; `AIPIPE_FUZZ=long python -m pytest tests/test_fuzz.py -s` runs the long one. Each
test prints how many cases it ran.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipipe.core.loader import load_spec_bytes
from aipipe.codegen.project import render_program
from aipipe.codegen.safe import check_program
from aipipe.validation import load_spec
from aipipe.kinds.registry import RESOURCE_TYPES

from conftest import EXAMPLES

PROFILE = os.environ.get("AIPIPE_FUZZ", "fast")
EXAMPLES_PER_TEST = {"fast": 150, "long": 5000}[PROFILE]
FUZZ = settings(max_examples=EXAMPLES_PER_TEST, deadline=None, derandomize=PROFILE == "fast",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
COUNTS: dict[str, int] = {}

# The spec's own words, so generated documents get past the first layer of validation.
VOCABULARY = sorted({"aipipe", "name", "cloud", "region", "resources", "outputs", "stacks", "secrets", "tags",
                     "type", "topic", "bucket", "stream", "schedule", "steps", "function", "parallel", "runtime",
                     "handler", "code", "reads", "writes", "triggers", "lifecycle", "expire_after", "depends_on",
                     "dead_letter", "max_attempts", "retry", "catch", "source", "destination", "template", "input",
                     "output", "temp", "memory", "timeout", "environment", "events", "prefix", "aws", "gcp",
                     *RESOURCE_TYPES, *(f for m in RESOURCE_TYPES.values() for f in m.model_fields)})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=False, width=32),
                    st.sampled_from(VOCABULARY), st.text(max_size=30),
                    st.sampled_from(["${raw.name}", "${secret.KEY}", "${stack}", "$${x}", "${", "30d", "512MB",
                                     "rate(1 hour)", "python3.12", "app.handler", "./app", "us-east-1"]))
DOCUMENTS = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=5), st.dictionaries(st.sampled_from(VOCABULARY), children, max_size=6)),
    max_leaves=40)


@pytest.fixture(scope="module")
def workspace():
    """A folder holding a copy of every example (with its code), where fuzzed specs are written."""
    folder = Path(tempfile.mkdtemp(prefix="aipipe-fuzz-"))
    for example in EXAMPLES:
        shutil.copytree(example.parent, folder / example.parent.name)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
    print("\nfuzz cases run:", ", ".join(f"{name}={count}" for name, count in sorted(COUNTS.items())))


def check_invariants(path: Path, label: str) -> None:
    COUNTS[label] = COUNTS.get(label, 0) + 1
    result = load_spec(str(path))  # must not raise, whatever the file holds
    for diagnostic in result.diagnostics:
        assert diagnostic.code != "AP999", diagnostic.message
        assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.message
    if result.spec is not None:
        program = render_program(result.spec, path.parent / ".aipipe-fuzz")["__main__.py"]
        check_program(program)
        COUNTS[f"{label} rendered"] = COUNTS.get(f"{label} rendered", 0) + 1
    else:
        assert result.diagnostics


@FUZZ
@given(text=st.text(max_size=400))
def test_arbitrary_text(text):
    COUNTS["text"] = COUNTS.get("text", 0) + 1
    document = load_spec_bytes(text.encode("utf-8", "surrogatepass"), "fuzz.yaml")
    for diagnostic in document.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1


@FUZZ
@given(document=DOCUMENTS)
def test_arbitrary_yaml_from_the_spec_vocabulary(document, workspace):
    path = workspace / "event-driven-ingest" / "fuzz-vocabulary.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    check_invariants(path, "vocabulary")


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from _paths(child, prefix + (position,))


MUTATIONS = st.sampled_from(["delete", "replace", "duplicate-into", "unknown-key", "wrap-list", "stringify"])


@FUZZ
@given(example=st.sampled_from(EXAMPLES), data=st.data())
def test_mutated_examples(example, data, workspace):
    document = yaml.safe_load(example.read_text())
    mutated = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [p for p in _paths(mutated) if p]
        if not paths:
            break
        target = data.draw(st.sampled_from(paths), label="path")
        parent = mutated
        for part in target[:-1]:
            parent = parent[part]
        last = target[-1]
        kind = data.draw(MUTATIONS, label="mutation")
        if kind == "delete":
            del parent[last]
        elif kind == "replace":
            parent[last] = data.draw(DOCUMENTS, label="value")
        elif kind == "duplicate-into" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(VOCABULARY), label="key")] = copy.deepcopy(parent[last])
        elif kind == "unknown-key" and isinstance(parent[last], dict):
            parent[last][data.draw(st.text(min_size=1, max_size=12), label="key")] = data.draw(SCALARS)
        elif kind == "wrap-list":
            parent[last] = [parent[last]]
        elif kind == "stringify":
            parent[last] = str(parent[last])
    path = workspace / example.parent.name / "fuzz-mutated.yaml"
    path.write_text(yaml.safe_dump(mutated, allow_unicode=True), encoding="utf-8")
    check_invariants(path, "mutated")


def test_unmutated_examples_still_render(workspace):
    for example in EXAMPLES:
        check_invariants(workspace / example.parent.name / "aipipe.yaml", "examples")
