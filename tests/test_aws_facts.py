"""Deploy-time AWS facts turned into checks (issue: a first `aipipe up` on a fresh account succeeds): each test
names the fact and where it comes from; the rules cite their sources."""

from __future__ import annotations

import json

import pytest

from aipipe.clouds.registry import CLOUDS
from aipipe.validation import load_spec

from test_plan_aws import find, plan

HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
FN = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"


@pytest.mark.parametrize("memory, warned", [(3008, False), (3009, True), (10240, True)])
def test_lambda_memory_above_a_new_accounts_quota_is_warned(memory, warned, write_spec):
    diagnostics = load_spec(str(write_spec(HEAD + "  fn:\n" + FN + f"    memory: {memory}\n"))).diagnostics
    assert [(d.code, d.severity.value) for d in diagnostics] == ([("AP402", "warning")] if warned else [])


def test_kms_encryption_without_a_key_uses_the_aws_managed_key(write_spec, tmp_path):
    """pulumi-aws: kms_master_key_id absent with sse_algorithm aws:kms means the aws/s3 key."""
    planned = plan(write_spec(HEAD + "  raw: {type: bucket, encryption: kms}\n"), tmp_path)
    [sse] = find(planned, "BucketServerSideEncryptionConfiguration")
    [rule] = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms"}
    assert rule["bucketKeyEnabled"] is True


@pytest.mark.parametrize("name", ["xn--data", "sthree-raw", "amzn-s3-demo-bucket"])
def test_s3_reserved_prefixes_are_refused_for_new_buckets_only(name, write_spec):
    new = load_spec(str(write_spec(HEAD + f"  {name}: {{type: bucket}}\n"))).diagnostics
    assert [d.code for d in new if d.severity.value == "error"] == ["AP202"]
    existing = load_spec(str(write_spec(HEAD + f"  {name}: {{type: bucket, existing: some-bucket}}\n"))).diagnostics
    assert [d.code for d in existing if d.severity.value == "error"] == []


def test_a_prefix_lookalike_is_fine(write_spec):
    assert load_spec(str(write_spec(HEAD + "  xn-data: {type: bucket}\n  sthree: {type: bucket}\n"))).valid


def test_state_machine_logs_go_to_a_vended_logs_group(write_spec, tmp_path):
    """Step Functions best practices: /aws/vendedlogs/states/ needs no CloudWatch Logs resource policy entry
    (that policy's 5,120-character limit otherwise fails CreateStateMachine once an account has many)."""
    spec = HEAD + "  fn:\n" + FN + "  flow: {type: workflow, steps: [{function: fn, retry: {attempts: 2}}]}\n"
    planned = plan(write_spec(spec), tmp_path)
    [logs] = find(planned, "cloudwatch/logGroup:LogGroup", "flow-logs")
    assert logs.inputs["namePrefix"] == "/aws/vendedlogs/states/demo-dev-flow-"
    [machine] = find(planned, "StateMachine")
    assert machine.inputs["loggingConfiguration"]["logDestination"].startswith("arn:")


def test_every_new_bucket_denies_requests_without_tls(write_spec, tmp_path):
    """Foundational Security Best Practices S3.5: deny aws:SecureTransport false, on the bucket and its keys."""
    planned = plan(write_spec(HEAD + "  raw: {type: bucket}\n  old: {type: bucket, existing: legacy-data}\n"), tmp_path)
    [policy] = find(planned, "bucketPolicy:BucketPolicy")
    [public_access] = find(planned, "BucketPublicAccessBlock")
    assert policy.name == "raw-tls-only" and policy.inputs["bucket"] == "raw"
    assert public_access.urn in policy.dependencies
    [deny] = json.loads(policy.inputs["policy"])["Statement"]
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


@pytest.mark.parametrize(
    "source, function_region, valid",
    [
        ("  raw: {type: bucket, region: eu-west-1}\n", "eu-west-1", True),
        ("  raw: {type: bucket, region: eu-west-1}\n", None, False),
        ("  raw: {type: bucket}\n", "us-east-1", True),  # the spec's region on both sides
        # an existing bucket is where the spec says (the rule that starts the function is created there)
        ("  raw: {type: bucket, existing: their-bucket, eventbridge: true}\n", "eu-west-1", False),
        ("  raw: {type: bucket, existing: their-bucket, eventbridge: true, region: eu-west-1}\n", "eu-west-1", True),
    ],
)
def test_a_bucket_starts_only_functions_of_its_region(source, function_region, valid, write_spec):
    region = f"    region: {function_region}\n" if function_region else ""
    spec = HEAD + source + "  fn:\n" + FN + region + "    triggers: [{bucket: raw}]\n"
    errors = [d for d in load_spec(str(write_spec(spec))).diagnostics if d.severity.value == "error"]
    assert [d.code for d in errors] == ([] if valid else ["AP406"])


def test_an_sns_subscription_is_made_in_the_topics_region(write_spec, tmp_path):
    """Subscribe is a call on the topic; SNS delivers to a Lambda function of another region."""
    spec = HEAD + "  events: {type: topic, region: eu-west-1}\n  fn:\n" + FN + "    triggers: [{topic: events}]\n"
    planned = plan(write_spec(spec), tmp_path)
    [subscription] = find(planned, "TopicSubscription")
    [topic] = find(planned, "sns/topic:Topic")
    [permission] = find(planned, "lambda/permission:Permission")
    [function] = find(planned, "lambda/function:Function")
    assert subscription.provider.split("::")[0] == topic.provider.split("::")[0]
    assert "eu-west-1" in subscription.provider and subscription.provider != function.provider
    assert permission.provider == function.provider  # the permission belongs to the function's region


def test_datasync_locations_live_in_their_buckets_regions_and_the_task_in_the_destinations(write_spec, tmp_path):
    """AWS's cross-region S3 -> S3 DataSync tutorial: each location in its bucket's region, the task in the
    destination's."""
    spec = (
        HEAD
        + "  src: {type: bucket}\n  dst: {type: bucket, region: us-west-2}\n"
        + "  copy: {type: replication, method: datasync, source: src, destination: dst}\n"
    )
    planned = plan(write_spec(spec), tmp_path)
    [source] = find(planned, "datasync/s3Location:S3Location", "copy-source")
    [destination] = find(planned, "datasync/s3Location:S3Location", "copy-destination")
    [task] = find(planned, "datasync/task:Task")
    [west] = find(planned, "pulumi:providers:aws", "aws-us-west-2")
    assert destination.provider.startswith(west.urn) and task.provider.startswith(west.urn)
    assert not source.provider.startswith(west.urn)


def test_a_retained_bucket_keeps_its_settings_and_a_deleted_one_loses_them(write_spec, tmp_path):
    """Deleting BucketVersioning suspends versioning and deleting the public access block opens the bucket to
    public policies: a bucket that outlives its stack keeps every companion (retain_on_delete)."""
    spec = HEAD + "  kept: {type: bucket, lifecycle: {expire_after: 30d}, seed: [{key: a.txt, content: a}]}\n"
    spec += "  scratch: {type: bucket, retain_on_destroy: false, protect: true}\n"
    planned = plan(write_spec(spec), tmp_path)
    by_owner: dict = {}
    for resource in planned.resources:
        if resource.type.startswith("aws:s3/"):
            by_owner.setdefault(resource.parent.rsplit("::", 1)[-1], []).append(resource)
    kept = {token for token in CLOUDS["aws"].kept_with_bucket if token.startswith("aws:s3/")}  # not the table
    assert {r.type for r in by_owner["kept"]} == kept
    assert all(r.options["retain_on_delete"] for r in by_owner["kept"])
    assert not any(r.options["retain_on_delete"] for r in by_owner["scratch"])


def test_replications_from_one_source_share_its_one_configuration(write_spec, tmp_path):
    """S3 keeps one replication configuration per bucket (PutBucketReplication replaces it whole): every
    replication from a source is a prioritised rule of one BucketReplicationConfig, replicated by one role."""
    spec = HEAD + "  corpus: {type: bucket}\n  eu: {type: bucket, region: eu-west-1}\n  ap: {type: bucket}\n"
    spec += "  to-eu: {type: replication, source: corpus, destination: eu}\n"
    spec += "  to-ap: {type: replication, source: corpus, destination: ap, delete_removed: true}\n"
    spec += "outputs: {eu_role: '${to-eu.arn}', ap_role: '${to-ap.arn}'}\n"
    planned = plan(write_spec(spec), tmp_path)
    [config] = find(planned, "BucketReplicationConfig")
    assert config.inputs["bucket"] == "corpus"
    assert [
        (r["id"], r["priority"], r["destination"]["bucket"], r["deleteMarkerReplication"]["status"])
        for r in config.inputs["rules"]
    ] == [
        ("aipipe-to-eu", 1, "arn:aws:s3:::eu", "Disabled"),
        ("aipipe-to-ap", 2, "arn:aws:s3:::ap", "Enabled"),
    ]
    assert len(find(planned, "iam/role:Role")) == 1
    assert config.inputs["role"] == planned.outputs["eu_role"] == planned.outputs["ap_role"]
    [policy] = find(planned, "iam/rolePolicy:RolePolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    written = [s["Resource"] for s in statements if "s3:ReplicateObject" in s["Action"]]
    assert written == [["arn:aws:s3:::eu/*"], ["arn:aws:s3:::ap/*"]]  # each destination once, the source once
    assert [s["Resource"] for s in statements if "s3:GetReplicationConfiguration" in s["Action"]] == [
        ["arn:aws:s3:::corpus"]
    ]
    versionings = {r.urn for r in find(planned, "BucketVersioning")}
    assert versionings <= set(config.dependencies)  # all three buckets versioned before the configuration


KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    "topic, key",
    [
        ("{type: topic}", "alias/aws/sns"),
        ("{type: topic, encryption: none}", None),
        ("{type: topic, encryption: kms, kms_key: " + KEY + "}", KEY),
    ],
)
def test_sns_topics_are_encrypted_at_rest_and_publishers_get_a_customer_keys_grants(topic, key, write_spec, tmp_path):
    """SNS SSE: the AWS-managed alias/aws/sns serves IAM publishers (aipipe's functions) by default; a
    customer-managed key needs kms:GenerateDataKey and kms:Decrypt for publishers; `none` for AWS-service
    publishers, which the AWS-managed key refuses."""
    spec = HEAD + f"  t: {topic}\n  fn:\n" + FN + "    writes: [t]\n"
    planned = plan(write_spec(spec), tmp_path)
    [sns] = find(planned, "sns/topic:Topic")
    assert sns.inputs.get("kmsMasterKeyId") == key
    [policy] = find(planned, "iam/rolePolicy:RolePolicy")
    kms = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Action"][0].startswith("kms:")]
    customer = key and key.startswith("arn:")
    grant = {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": [key],
        "Condition": {"StringLike": {"kms:ViaService": "sns.*.amazonaws.com"}},  # only through SNS
    }
    assert kms == ([grant] if customer else [])


def test_a_queue_subscribes_to_a_topic_of_another_region_through_the_topics_region(write_spec, tmp_path):
    """Subscribe is a call on the topic, in its region; SNS delivers to an SQS queue of another region."""
    spec = HEAD + "  events: {type: topic, region: eu-west-1}\n  queue: {type: subscription, topic: events}\n"
    planned = plan(write_spec(spec), tmp_path)
    [topic] = find(planned, "sns/topic:Topic")
    [queue] = find(planned, "sqs/queue:Queue", "queue")
    [subscription] = find(planned, "TopicSubscription")
    assert subscription.provider == topic.provider and "eu-west-1" in topic.provider
    assert "eu-west-1" not in queue.provider


def test_an_emulator_serves_every_service_the_programs_create_resources_in():
    """With `--endpoint` every AWS call goes to the emulator; a service left out would go to real AWS."""
    import yaml

    from aipipe.clouds.aws import EMULATED_SERVICES

    from conftest import DATA

    expected = yaml.safe_load((DATA / "plan_expectations.yaml").read_text())
    tokens = {token for counts in expected.values() for token in counts if token.startswith("aws:")}
    assert tokens  # the examples and corpus create AWS resources

    def service(token: str) -> str:
        module, resource = token.split(":")[1].split("/")
        if module == "cloudwatch":  # the provider's one module for CloudWatch Logs and EventBridge
            return "cloudwatchlogs" if resource.startswith("log") else "cloudwatchevents"
        return module

    assert {service(token) for token in tokens} - set(EMULATED_SERVICES) == set()


def test_datasync_tasks_of_a_stack_share_one_log_policy_per_region(write_spec, tmp_path):
    """CloudWatch Logs allows 10 resource policies per account and region: one per stack and region, not per task."""
    spec = HEAD + "  a: {type: bucket}\n  b: {type: bucket}\n  c: {type: bucket, region: eu-west-1}\n"
    for name, destination in (("one", "b"), ("two", "b"), ("three", "c")):
        spec += f"  {name}: {{type: replication, method: datasync, source: a, destination: {destination}}}\n"
    planned = plan(write_spec(spec), tmp_path)
    policies = {p.name: p for p in find(planned, "logResourcePolicy:LogResourcePolicy")}
    assert set(policies) == {"datasync-logs-us-east-1", "datasync-logs-eu-west-1"}
    tasks = {t.name: t for t in find(planned, "datasync/task:Task")}
    assert policies["datasync-logs-us-east-1"].urn in tasks["one"].dependencies
    assert policies["datasync-logs-us-east-1"].urn in tasks["two"].dependencies
    assert policies["datasync-logs-eu-west-1"].urn in tasks["three"].dependencies


@pytest.mark.parametrize(
    "key, message",
    [
        ("alias/data", "`kms_key` must be the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), got 'alias/data'"),
        (KEY.replace("us-east-1", "eu-west-1"), "the KMS key is in eu-west-1 and the data in us-east-1"),
        ("${stack}", "`kms_key` must be an existing key's ARN written out or the name of a `key` resource"),
        ("data-key", None),  # a key of the spec: its type and region are checked with the spec
        ("alias/aws/s3", None),
        (KEY, None),
        (KEY.replace("1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab"), None),
    ],
)
def test_a_kms_key_is_an_arn_in_the_datas_region(key, message):
    from aipipe.semantics.kms import key_problem

    problem = key_problem(key, "us-east-1")
    assert (problem is None) if message is None else problem.startswith(message)


def test_replicating_kms_objects_asks_for_a_key_in_the_destinations_region(write_spec):
    spec = HEAD + "  raw: {type: bucket, encryption: kms}\n  copy: {type: bucket, region: eu-west-1}\n"
    spec += "  to-copy: {type: replication, source: raw, destination: copy}\n"
    [problem] = load_spec(str(write_spec(spec))).diagnostics
    assert problem.code == "AP406" and problem.message.endswith(
        "give `copy` `encryption: kms` and a `kms_key` ARN in eu-west-1"
    )
    # a destination without `region` is in the spec's
    home = spec.replace("copy: {type: bucket, region: eu-west-1}", "copy: {type: bucket}")
    [problem] = load_spec(str(write_spec(home))).diagnostics
    assert problem.message.endswith("a `kms_key` ARN in us-east-1")
