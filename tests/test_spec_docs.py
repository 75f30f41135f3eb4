"""docs/spec.md, the spec-language reference, is generated from the models and stays current: every resource type,
field, nested model and trigger kind is on it, its examples are resources of the good corpus, its links resolve
inside the repository, and generating it imports no Pulumi SDK."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import yaml

from aipipe.kinds.registry import KINDS
from aipipe.offline.spec_docs import spec_markdown
from aipipe.offline.spec_fields import Catalogue, anchor, duration_bounds, reachable_models, type_text
from aipipe.offline.spec_kinds import COMMON_FIELDS, resource_blocks, trigger_heading
from aipipe.spec.document import SpecHeader
from aipipe.triggers.registry import TRIGGERS

from conftest import ROOT

PAGE = ROOT / "docs" / "spec.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")
# the folder beside the checkout where the language's first contract was written
OUTSIDE = "/".join(("..", "shared", ""))
EXAMPLE = re.compile(r"Example \(from `([^`]+)`[^\n]*\n\n```yaml\nresources:\n(.*?)\n```", re.S)


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _section(heading: str) -> str:
    """The text under a `### heading`, up to the next heading of that level or above."""
    page = _page()
    start = page.index(f"\n### {heading}\n")
    following = re.search(r"\n##?#? ", page[start + 1 :])
    return page[start : start + 1 + following.start()] if following else page[start:]


def _row(field: str) -> str:
    return f"| `{field}` |"


def test_the_committed_page_is_the_generated_one():
    assert _page() == spec_markdown(ROOT), "docs/spec.md is stale: run python -m aipipe.offline.spec_docs"


@pytest.mark.parametrize("type_name", sorted(KINDS))
def test_every_field_of_every_type_is_in_its_section(type_name):
    kind = KINDS[type_name]
    section = _section(type_name)
    own = set(kind.model.model_fields) - COMMON_FIELDS
    assert {field for field in own if _row(field) not in section} == set()
    for cloud, form in kind.clouds.items():
        assert f"| {cloud} | {form.service} |" in section
        assert all(f"`{attribute}`" in section for attribute in form.attributes)
    # every nested model (lifecycle, on_failure, steps, ...) has its table on the page, with each of its fields
    page = _page()
    for name, model in reachable_models(kind.model, {}).items():
        if model is kind.model or name in {trigger.model.__name__ for trigger in TRIGGERS.values()}:
            continue
        heading = f"\n#### {name} object\n"
        assert heading in page, f"{name} (used by {type_name}) has no table"
        table = page[page.index(heading) : page.index("\n#", page.index(heading) + 1)]
        written = {info.alias or field for field, info in model.model_fields.items()}
        assert {field for field in written if _row(field) not in table} == set()


def test_the_top_level_and_common_fields_are_documented():
    page = _page()
    top = page[page.index("\n## Top level\n") : page.index("\n## Stacks\n")]
    assert {field for field in SpecHeader.model_fields if _row(field) not in top} == set()
    common = page[page.index("\n## Fields every resource has\n") : page.index("\n## Resource types\n")]
    assert {field for field in COMMON_FIELDS if _row(field) not in common} == set()


@pytest.mark.parametrize("key", sorted(TRIGGERS))
def test_every_trigger_kind_says_its_fields_and_targets(key):
    trigger = TRIGGERS[key]
    section = _section(trigger_heading(key))
    assert {field for field in trigger.model.model_fields if _row(field) not in section} == set()
    for cloud, target in trigger.wiring:
        assert f"[`{target}`](#{target})" in section and cloud in section


def test_types_are_readable():
    """Ranges, durations with their bounds, defaults in the units users write, per-cloud fields."""
    function = _section("function")
    assert "| `max_event_age` | duration 1m-6h | `6h` | all |" in function
    assert "| `retries` | integer 0-2 | `2` | all |" in function
    assert "| `memory` | memory size | `256MB` | all |" in function
    assert "| `layers` | list of string (1-200 characters) | — | aws |" in function
    assert "| `architecture` | one of `x86_64`, `arm64` | — | aws |" in function
    assert "| `partition_key` |" in _section("table") and "required on aws" in _section("table")
    assert '"type":' not in _page() and '"anyOf"' not in _page()


def test_function_limits_and_workflow_steps_are_listed():
    function = _section("function")
    assert "| aws | 128-10240 MB" in function and "| gcp | 128-32768 MB" in function
    assert "15m" in function and "60m" in function
    workflow = _section("workflow")
    for key in ("parallel", "choice", "wait", "pass", "fail", "map", "task"):
        assert f"| `{key}:` |" in workflow
    assert "| `sns.publish` |" in workflow


def test_examples_are_resources_of_the_good_corpus():
    examples = EXAMPLE.findall(_page())
    assert len(examples) == len(KINDS)
    for source, block in examples:
        written = (ROOT / source).read_text(encoding="utf-8")
        assert block in [text for _, text in resource_blocks(written)], f"an example is no resource of {source}"
        assert next(iter(yaml.safe_load(block).values()))["type"] in KINDS


def test_links_stay_inside_the_repository_and_resolve():
    page = _page()
    headings = [anchor(line.lstrip("#")) for line in page.splitlines() if line.startswith("#")]
    assert len(headings) == len(set(headings)), "two headings of docs/spec.md have the same anchor"
    links = LINK.findall(page)
    assert links
    for target in links:
        path, _, fragment = target.partition("#")
        if not path:
            assert fragment in headings, f"docs/spec.md links to #{fragment}, which is no heading of the page"
            continue
        assert not target.startswith(("http:", "https:")), f"docs/spec.md links outside the repository: {target}"
        resolved = (PAGE.parent / path).resolve()
        assert resolved.is_relative_to(ROOT) and Path(resolved).exists(), f"docs/spec.md links to {target}"


def test_no_file_of_the_project_links_outside_the_repository():
    """The spec reference is docs/spec.md: nothing refers to a SPEC.md beside the checkout."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = [
        name
        for name in tracked.split()
        if name.endswith((".py", ".md", ".j2", ".toml", ".yaml", ".yml"))
        and OUTSIDE in (ROOT / name).read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []
    assert "](docs/spec.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_generating_the_page_imports_no_pulumi_sdk():
    probe = (
        "import sys\nfrom pathlib import Path\nfrom aipipe.offline.spec_docs import spec_markdown\n"
        f"spec_markdown(Path({str(ROOT)!r}))\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'pulumi', 'pulumi_aws', 'pulumi_gcp'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "node, text",
    [
        ({"type": "integer", "minimum": 0, "maximum": 2}, "integer 0-2"),
        ({"type": "integer", "minimum": 1}, "integer ≥ 1"),
        ({"anyOf": [{"enum": ["zip", "image"], "type": "string"}, {"type": "null"}]}, "one of `zip`, `image`"),
        ({"type": "array", "items": {"type": "string"}, "maxItems": 5}, "list of string (≤ 5 items)"),
        ({"type": "object", "additionalProperties": {"type": ["string", "number"]}}, "mapping to text"),
        (
            {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^([0-9]+)(s|m|h|d)$"}]},
            "duration",
        ),
        ({"type": "string", "pattern": "^[a-z][a-z0-9-]{0,39}$"}, "resource name"),
        ({}, "any value"),
    ],
)
def test_schema_nodes_read_as_words(node, text):
    assert type_text(node, {}, Catalogue()) == text


def test_a_duration_range_is_read_from_the_annotation():
    from aipipe.kinds.function.model import OnFailure

    info = OnFailure.model_fields["max_event_age"]
    assert duration_bounds(info.metadata) == (60, 21600)
    assert duration_bounds(OnFailure.model_fields["retries"].metadata) is None
    optional = KINDS["subscription"].model.model_fields["ack_deadline"]  # Annotated[Duration, ...] | None
    assert duration_bounds(typing.get_args(optional.annotation)) == (10, 600)


def test_two_different_models_of_one_name_are_refused():
    catalogue = Catalogue()
    catalogue.link("Key", {"properties": {"name": {"type": "string"}}})
    with pytest.raises(ValueError, match="both called Key"):
        catalogue.link("Key", {"properties": {"arn": {"type": "string"}}})
