"""Every example spec and every good test spec validates for every stack; together the good specs set every
field of every type on each cloud that supports it."""

from __future__ import annotations

import pytest

from aipipe.kinds.registry import RESOURCE_TYPES, clouds_of
from aipipe.kinds.workflow.model import ParallelStep, TaskStep
from aipipe.spec.model import field_clouds
from aipipe.triggers.bucket import BucketTrigger
from aipipe.triggers.queue import QueueTrigger
from aipipe.triggers.schedule import ScheduleTrigger
from aipipe.triggers.stream import StreamTrigger
from aipipe.triggers.topic import TopicTrigger
from aipipe.validation import load_spec

from conftest import DATA, EXAMPLES

GOOD = sorted((DATA / "good").glob("*.yaml"))
ALL_GOOD = EXAMPLES + GOOD


def test_there_are_five_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", ALL_GOOD, ids=[f"{p.parent.name}/{p.stem}" for p in ALL_GOOD])
def test_good_spec_is_valid_on_every_stack(path):
    result = load_spec(str(path))
    # examples are what users copy: clean even under --strict; the corpus may carry pipeline warnings
    shown = result.diagnostics if path in EXAMPLES else [d for d in result.diagnostics if d.severity.value == "error"]
    assert shown == [], "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in shown)
    assert result.spec is not None
    for stack in result.spec.stack_names:
        stacked = load_spec(str(path), stack)
        assert stacked.valid and stacked.spec.stack == stack


def _specs():
    return [load_spec(str(path)).spec for path in ALL_GOOD]


def test_every_field_of_every_type_is_covered_on_each_cloud():
    covered = set()
    for spec in _specs():
        for resource in spec.resources.values():
            covered |= {(spec.cloud, resource.type, name) for name in resource.model_fields_set}
    expected = {
        (cloud, type_name, name)
        for type_name, model in RESOURCE_TYPES.items()
        for cloud in clouds_of(type_name)
        for name in model.model_fields
        if cloud in (field_clouds(model, name) or [cloud])
    }
    assert expected - covered == set()


def test_every_trigger_and_step_kind_is_covered():
    kinds = set()
    for spec in _specs():
        for resource in spec.resources.values():
            for trigger in getattr(resource, "triggers", []):
                kinds.add((spec.cloud, type(trigger).__name__))
                kinds.add((spec.cloud, resource.type, type(trigger).__name__))
            for step in getattr(resource, "steps", []):
                kinds.add(type(step).__name__)
    assert {("aws", c.__name__) for c in (BucketTrigger, StreamTrigger, TopicTrigger, ScheduleTrigger)} <= kinds
    assert {("aws", "function", QueueTrigger.__name__), ("aws", "queue", BucketTrigger.__name__)} <= kinds
    assert {("gcp", c.__name__) for c in (BucketTrigger, TopicTrigger, ScheduleTrigger)} <= kinds
    assert {("aws", "workflow", c.__name__) for c in (BucketTrigger, TopicTrigger, ScheduleTrigger)} <= kinds
    assert {"str", TaskStep.__name__, ParallelStep.__name__} <= kinds


def test_example_stack_override_changes_the_validated_value():
    path = next(p for p in EXAMPLES if p.parent.name == "event-driven-ingest")
    dev, prod = load_spec(str(path), "dev").spec, load_spec(str(path), "prod").spec
    assert dev.resources["preprocess"].memory == 512 and prod.resources["preprocess"].memory == 1024
    assert dev.header.region == "us-east-1" and prod.header.region == "eu-west-1"
    assert prod.tags_for("raw") == {"team": "ml-platform", "pipeline": "ingest", "env": "prod"}
