"""Tag and label limits count the tags aipipe adds: a spec that validates renders resources the cloud accepts."""

from __future__ import annotations

import pytest
import yaml

from aipipe.clouds.registry import CLOUDS
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec


def spec_with(cloud: str, count: int) -> dict:
    region = "us-east-1" if cloud == "aws" else "europe-west1"
    return {
        "aipipe": 1,
        "name": "tags",
        "cloud": cloud,
        "region": region,
        "tags": {f"t{i}": "v" for i in range(count)},
        "resources": {"raw": {"type": "bucket"}},
    }


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_the_users_limit_leaves_room_for_aipipes_tags(cloud, write_spec):
    rules = CLOUDS[cloud].tags
    assert rules.user_limit == rules.max_per_resource - 3
    at_limit = load_spec(str(write_spec(yaml.safe_dump(spec_with(cloud, rules.user_limit)))), "dev")
    assert at_limit.valid, at_limit.diagnostics
    over = load_spec(str(write_spec(yaml.safe_dump(spec_with(cloud, rules.user_limit + 1)))), "dev")
    assert [d.code for d in over.diagnostics if d.severity.value == "error"] == ["AP404"]


@pytest.mark.parametrize("cloud, field", [("aws", "tags"), ("gcp", "labels")])
def test_a_spec_at_the_limit_renders_exactly_the_clouds_maximum(cloud, field, write_spec):
    rules = CLOUDS[cloud].tags
    spec = load_spec(str(write_spec(yaml.safe_dump(spec_with(cloud, rules.user_limit)))), "dev").spec
    bucket = next(r for r in plan_spec(spec).resources if r.name == "raw" and r.type.endswith("bucket:Bucket"))
    assert len(bucket.inputs[field]) == rules.max_per_resource
