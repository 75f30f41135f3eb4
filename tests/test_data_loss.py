"""`aipipe diff` (from plans) and `aipipe up`/`destroy` (from engine events) reach the same verdicts: which cloud
resources hold data, and which spec resource owns each cloud resource. Both ask aipipe.clouds and
aipipe.codegen.ownership; these tests hold them to it with events in the engine's own JSON shape."""

from __future__ import annotations

import pytest
from pulumi.automation import events as ev

from aipipe.clouds.registry import CLOUDS, holds_data
from aipipe.deploy.progress import ChangeSet
from aipipe.offline import diff
from aipipe.offline.mocks import Plan, PlannedResource

STACK = "urn:pulumi:dev::proj::"


def urn(chain: str, name: str) -> str:
    return f"{STACK}{chain}::{name}"


def pre_event(op: str, resource_urn: str, token: str, parent: str = "", inputs: dict | None = None) -> ev.EngineEvent:
    """A resourcePreEvent as the engine writes it (see the event streams in Pulumi's lifecycle tests): the
    step's old state carries the resource's parent and inputs."""
    state = {
        "type": token,
        "urn": resource_urn,
        "custom": True,
        "id": "1",
        "parent": parent,
        "inputs": inputs or {},
        "outputs": {},
        "provider": "",
    }
    return ev.EngineEvent.from_json(
        {
            "sequence": 1,
            "timestamp": 0,
            "resourcePreEvent": {
                "metadata": {"op": op, "urn": resource_urn, "type": token, "provider": "", "old": state, "new": None}
            },
        }
    )


CASES = [  # (type token, inputs, holds data?)
    ("aws:s3/bucket:Bucket", {}, True),
    ("aws:sqs/queue:Queue", {}, True),
    ("aws:kinesis/stream:Stream", {}, True),
    ("aws:sns/topic:Topic", {}, False),  # SNS keeps no messages: deleting a topic loses none
    ("aws:lambda/function:Function", {}, False),
    ("gcp:storage/bucket:Bucket", {}, True),
    ("gcp:pubsub/subscription:Subscription", {}, True),
    ("gcp:pubsub/topic:Topic", {}, False),  # without retention a topic keeps nothing
    ("gcp:pubsub/topic:Topic", {"messageRetentionDuration": "86400s"}, True),
    ("gcp:cloudfunctionsv2/function:Function", {}, False),
    ("aws:dynamodb/table:Table", {}, True),  # type: pulumi resources
    ("gcp:bigquery/dataset:Dataset", {}, False),  # its tables stay: destroying it fails while it has any
    ("gcp:bigquery/dataset:Dataset", {"deleteContentsOnDestroy": True}, True),
]


@pytest.mark.parametrize("token, inputs, expected", CASES, ids=[f"{t}-{bool(i)}" for t, i, _ in CASES])
def test_diff_and_deploy_agree_on_data_loss(token, inputs, expected):
    resource_urn = urn(token, "thing")
    planned = PlannedResource(resource_urn, token, "thing", "", inputs)
    changes = ChangeSet(["thing"])
    changes.on_event(pre_event("delete", resource_urn, token, inputs=inputs))
    assert diff.holds_data(planned) is expected
    assert changes.changes[resource_urn].loses_data is expected
    assert holds_data(token, inputs) is expected


def test_unknown_inputs_count_as_holding_data_where_it_depends_on_them():
    assert holds_data("gcp:pubsub/topic:Topic", None) is True
    assert holds_data("aws:sns/topic:Topic", None) is False


def test_every_resource_type_that_holds_data_is_declared_in_one_place():
    declared = {
        token for cloud in CLOUDS.values() for token, facts in cloud.resources.items() if facts.loses_data(None)
    }
    assert declared == {
        "aws:s3/bucket:Bucket",
        "aws:sqs/queue:Queue",
        "aws:kinesis/stream:Stream",
        "aws:kms/key:Key",
        "aws:dynamodb/table:Table",
        "gcp:storage/bucket:Bucket",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:bigquery/dataset:Dataset",
        "gcp:bigquery/table:Table",
        "gcp:pubsub/subscription:Subscription",
        "gcp:pubsub/topic:Topic",
    }


def test_a_child_belongs_to_its_component_whatever_its_name():
    """The engine reports each step's parent: the owner is the component above, not a name prefix."""
    component = urn("aipipe:index:Function", "preprocess")
    role = urn("aipipe:index:Function$aws:iam/role:Role", "role-for-preprocessing")  # no `preprocess-` prefix
    changes = ChangeSet(["preprocess", "role"])
    changes.on_event(
        pre_event("create", component, "aipipe:index:Function", parent=STACK + "pulumi:pulumi:Stack::proj-dev")
    )
    changes.on_event(pre_event("create", role, "aws:iam/role:Role", parent=component))
    assert changes.changes[role].owner == "preprocess"
    plan = Plan(
        [
            PlannedResource(component, "aipipe:index:Function", "preprocess", "", {}),
            PlannedResource(role, "aws:iam/role:Role", "role-for-preprocessing", component, {}),
        ],
        {},
    )
    [change] = diff.compare(Plan([], {}), plan)
    assert (change.resource, change.kind) == ("preprocess", "function")


def test_top_level_wiring_belongs_to_the_spec_resource_it_is_named_after():
    notifications = urn("aws:s3/bucketNotification:BucketNotification", "raw-data-notifications")
    changes = ChangeSet(["raw", "raw-data"])
    changes.on_event(pre_event("create", notifications, "aws:s3/bucketNotification:BucketNotification"))
    assert changes.changes[notifications].owner == "raw-data"  # the longest name that prefixes it
    plan = Plan(
        [
            PlannedResource(urn("aipipe:index:Bucket", "raw-data"), "aipipe:index:Bucket", "raw-data", "", {}),
            PlannedResource(
                notifications, "aws:s3/bucketNotification:BucketNotification", "raw-data-notifications", "", {}
            ),
        ],
        {},
    )
    [change] = diff.compare(Plan([], {}), plan)
    assert (change.resource, change.kind) == ("raw-data", "bucket")


def test_replacing_inputs_come_from_the_clouds_facts():
    from aipipe.clouds.registry import force_new

    assert force_new("aws:s3/bucket:Bucket") == {"bucket", "bucketPrefix", "objectLockEnabled"}
    assert "location" in force_new("gcp:storage/bucket:Bucket")
    assert force_new("aws:s3/bucketVersioning:BucketVersioning") == frozenset()  # unlisted: updatable
    assert force_new("azure:storage/account:Account") == frozenset()  # another cloud: nothing known
    assert holds_data("azure:storage/account:Account") is False


def test_an_unlisted_type_token_has_facts_that_name_it():
    facts = CLOUDS["aws"].facts("aws:s3/bucketVersioning:BucketVersioning")
    assert facts.token == "aws:s3/bucketVersioning:BucketVersioning" and facts.loses_data(None) is False
