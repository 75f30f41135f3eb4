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
import random
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipipe.codegen.project import render_program
from aipipe.codegen.safe import check_program
from aipipe.core.loader import load_spec_bytes
from aipipe.kinds.registry import RESOURCE_TYPES
from aipipe.validation import load_spec

from conftest import EXAMPLES, WITHOUT_STATE

PROFILE = os.environ.get("AIPIPE_FUZZ", "fast")
EXAMPLES_PER_TEST = {"fast": 150, "long": 5000}[PROFILE]
FUZZ = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    derandomize=PROFILE == "fast",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
COUNTS: dict[str, int] = {}

# The spec's own words, so generated documents get past the first layer of validation.
VOCABULARY = sorted(
    {
        "aipipe",
        "name",
        "cloud",
        "region",
        "resources",
        "outputs",
        "stacks",
        "secrets",
        "tags",
        "type",
        "topic",
        "bucket",
        "stream",
        "schedule",
        "steps",
        "function",
        "parallel",
        "runtime",
        "handler",
        "code",
        "reads",
        "writes",
        "triggers",
        "lifecycle",
        "expire_after",
        "depends_on",
        "dead_letter",
        "max_attempts",
        "retry",
        "catch",
        "source",
        "destination",
        "template",
        "input",
        "output",
        "temp",
        "memory",
        "timeout",
        "environment",
        "events",
        "prefix",
        "aws",
        "gcp",
        *RESOURCE_TYPES,
        *(f for m in RESOURCE_TYPES.values() for f in m.model_fields),
    }
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=False, width=32),
    st.sampled_from(VOCABULARY),
    st.text(max_size=30),
    st.sampled_from(
        [
            "${raw.name}",
            "${secret.KEY}",
            "${stack}",
            "$${x}",
            "${",
            "30d",
            "512MB",
            "rate(1 hour)",
            "python3.12",
            "app.handler",
            "./app",
            "us-east-1",
        ]
    ),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.sampled_from(VOCABULARY), children, max_size=6)
    ),
    max_leaves=40,
)


@pytest.fixture(scope="module")
def workspace():
    """A folder holding a copy of every example (with its code), where fuzzed specs are written."""
    folder = Path(tempfile.mkdtemp(prefix="aipipe-fuzz-"))
    for example in EXAMPLES:
        shutil.copytree(example.parent, folder / example.parent.name, ignore=WITHOUT_STATE)
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
    """Random documents of the spec's words almost never validate: this one exercises the loader and the
    validator (every rejection located, never AP999); the renderer is reached by the mutation tests."""
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


MUTATION_KINDS = ["delete", "replace", "duplicate-into", "unknown-key", "wrap-list", "stringify"]


class Choices:
    """Where a mutation's choices come from: hypothesis (shrinkable) or a seeded random generator (fast)."""

    def __init__(self, data=None, rng: random.Random | None = None):
        self.data, self.rng = data, rng

    def pick(self, options: list, label: str):
        return self.data.draw(st.sampled_from(options), label=label) if self.data else self.rng.choice(options)

    def count(self) -> int:
        return self.data.draw(st.integers(1, 3), label="mutations") if self.data else self.rng.randint(1, 3)

    def value(self):
        if self.data:
            return self.data.draw(DOCUMENTS, label="value")
        return self.rng.choice([None, True, 0, 12, "x", "30d", [], {}, ["raw"], {"type": "bucket"}])

    def text(self) -> str:
        return (
            self.data.draw(st.text(min_size=1, max_size=12), label="key") if self.data else f"k{self.rng.randint(0, 9)}"
        )


def mutate(document: dict, choices: Choices) -> dict:
    """A copy of `document` with 1-3 random mutations."""
    mutated = copy.deepcopy(document)
    for _ in range(choices.count()):
        paths = [p for p in _paths(mutated) if p]
        if not paths:
            break
        target = choices.pick(paths, "path")
        parent = mutated
        for part in target[:-1]:
            parent = parent[part]
        last = target[-1]
        kind = choices.pick(MUTATION_KINDS, "mutation")
        if kind == "delete":
            del parent[last]
        elif kind == "replace":
            parent[last] = choices.value()
        elif kind == "duplicate-into" and isinstance(parent, dict):
            parent[choices.pick(VOCABULARY, "key")] = copy.deepcopy(parent[last])
        elif kind == "unknown-key" and isinstance(parent[last], dict):
            parent[last][choices.text()] = choices.value()
        elif kind == "wrap-list":
            parent[last] = [parent[last]]
        elif kind == "stringify":
            parent[last] = str(parent[last])
    return mutated


@FUZZ
@given(example=st.sampled_from(EXAMPLES), data=st.data())
def test_mutated_examples(example, data, workspace):
    mutated = mutate(yaml.safe_load(example.read_text()), Choices(data=data))
    path = workspace / example.parent.name / "fuzz-mutated.yaml"
    path.write_text(yaml.safe_dump(mutated, allow_unicode=True), encoding="utf-8")
    check_invariants(path, "mutated")


def test_mutations_reach_the_renderer(workspace):
    """The mutation fuzzer is worth its time only if mutated specs that stay valid (an optional field deleted,
    a value stringified) get rendered and checked: 100 seeded mutations, at least a tenth must reach
    check_program."""
    before = COUNTS.get("reach rendered", 0)
    rng = random.Random(20261122)
    for number in range(100):
        example = EXAMPLES[number % len(EXAMPLES)]
        mutated = mutate(yaml.safe_load(example.read_text()), Choices(rng=rng))
        path = workspace / example.parent.name / "fuzz-reach.yaml"
        path.write_text(yaml.safe_dump(mutated, allow_unicode=True), encoding="utf-8")
        check_invariants(path, "reach")
    assert COUNTS.get("reach rendered", 0) - before >= 10


def test_unmutated_examples_still_render(workspace):
    before = COUNTS.get("examples rendered", 0)
    for example in EXAMPLES:
        check_invariants(workspace / example.parent.name / "aipipe.yaml", "examples")
    assert COUNTS.get("examples rendered", 0) - before == len(EXAMPLES)
