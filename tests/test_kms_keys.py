"""The `key` kind: what aipipe creates for a key of the spec on each cloud, and what `kms_key: <name>` derives
from it — key arguments, grants for readers and writers, service agents' roles, replication, the graph."""

from __future__ import annotations

import hashlib
import json

import pytest

from aipipe.codegen.context import RenderJob
from aipipe.kinds.key import KIND, alias_name
from aipipe.offline.graph import pipeline_edges
from aipipe.offline.plan import plan_spec
from aipipe.semantics.kms import key_statements, names_key
from aipipe.semantics.symbols import Attr
from aipipe.validation import load_spec

AWS_HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
GCP_HEAD = "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nproject: ml-platform-123\nresources:\n"
ROOT = "arn:aws:iam::123456789012:root"


def spec_of(write_spec, text: str):
    result = load_spec(str(write_spec(text)))
    assert result.valid, [f"{d.line}:{d.column} {d.code} {d.message}" for d in result.diagnostics]
    return result.spec


def only(planned, type_token, name=None):
    [found] = [r for r in planned.resources if r.type == type_token and (name is None or r.name == name)]
    return found


def _digest(name: str) -> str:
    """The mocks' stand-in for a key's id (aipipe.clouds.aws: the KMS key's mock shape)."""
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def statements(planned, policy_name):
    return json.loads(only(planned, "aws:iam/rolePolicy:RolePolicy", policy_name).inputs["policy"])["Statement"]


AWS_PIPELINE = """\
  vault: {type: key}
  raw: {type: bucket, encryption: kms, kms_key: vault}
  events: {type: topic, encryption: kms, kms_key: vault}
  clicks: {type: stream, kms_key: vault}
  reader:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    reads: [raw, clicks]
    writes: [events]
"""


def test_an_aws_key_is_rotated_with_the_default_key_policy_and_an_alias(write_spec):
    planned = plan_spec(spec_of(write_spec, AWS_HEAD + AWS_PIPELINE))
    key = only(planned, "aws:kms/key:Key", "vault")
    # rotation on, KMS's yearly period, the longest deletion window (pulumi-aws's default, written out)
    assert key.inputs["enableKeyRotation"] is True and key.inputs["rotationPeriodInDays"] == 365
    assert key.inputs["deletionWindowInDays"] == 30
    # KMS's default key policy: the account's root, so that IAM policies grant the key and nothing else does
    assert json.loads(key.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": ROOT},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    alias = only(planned, "aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/demo-dev-vault"
    assert alias.inputs["targetKeyId"] == "00000000-0000-0000-0000-0000" + _digest("vault")  # the key's id


def test_what_a_key_encrypts_names_its_arn_and_readers_and_writers_get_grants_on_it(write_spec):
    planned = plan_spec(spec_of(write_spec, AWS_HEAD + AWS_PIPELINE))
    arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-0000" + _digest("vault")
    encryption = only(planned, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    by_default = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert by_default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": arn}
    assert only(planned, "aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == arn
    assert only(planned, "aws:kinesis/stream:Stream").inputs["kmsKeyId"] == arn
    kms = [s for s in statements(planned, "reader-policy") if s["Action"][0].startswith("kms:")]
    assert kms == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [arn],
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [arn],
            "Condition": {"StringLike": {"kms:ViaService": "kinesis.*.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [arn],
            "Condition": {"StringLike": {"kms:ViaService": "sns.*.amazonaws.com"}},
        },
    ]
    # the key exists before anything it encrypts
    key_urn = only(planned, "aws:kms/key:Key").urn
    assert key_urn in only(planned, "aws:sns/topic:Topic").dependencies


def test_a_key_without_rotation_and_a_shorter_deletion_window(write_spec):
    text = AWS_HEAD + "  vault: {type: key, rotation: false, deletion_window: 7d}\n"
    key = only(plan_spec(spec_of(write_spec, text)), "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is False and "rotationPeriodInDays" not in key.inputs
    assert key.inputs["deletionWindowInDays"] == 7


def test_an_unnamed_stream_key_stays_the_aws_managed_one(write_spec):
    planned = plan_spec(spec_of(write_spec, AWS_HEAD + "  clicks: {type: stream}\n"))
    assert only(planned, "aws:kinesis/stream:Stream").inputs["kmsKeyId"] == "alias/aws/kinesis"


def test_replication_between_buckets_with_keys_of_the_spec(write_spec):
    text = AWS_HEAD + (
        "  home-key: {type: key}\n"
        "  eu-key: {type: key, region: eu-west-1}\n"
        "  raw: {type: bucket, encryption: kms, kms_key: home-key}\n"
        "  copy: {type: bucket, region: eu-west-1, encryption: kms, kms_key: eu-key}\n"
        "  to-copy: {type: replication, source: raw, destination: copy}\n"
    )
    planned = plan_spec(spec_of(write_spec, text))
    # the mocks make every ARN in the stack's region: the keys are told apart by their ids
    home, eu = (
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-0000" + _digest(name)
        for name in ("home-key", "eu-key")
    )
    policy = json.loads(only(planned, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"]
    kms = {tuple(s["Action"]): s["Resource"] for s in policy if s["Action"][0].startswith("kms:")}
    assert kms == {("kms:Decrypt",): [home], ("kms:Encrypt", "kms:GenerateDataKey"): [eu]}
    [rule] = only(planned, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs["rules"]
    assert rule["destination"]["encryptionConfiguration"] == {"replicaKmsKeyId": eu}
    # the key of another region is made by that region's provider
    assert "::aws-eu-west-1" in only(planned, "aws:kms/key:Key", "eu-key").provider
    assert "aws-eu-west-1" not in (only(planned, "aws:kms/key:Key", "home-key").provider or "")


GCP_PIPELINE = """\
  vault: {type: key, location: europe, rotation_period: 90d}
  raw: {type: bucket, location: EU, encryption: kms, kms_key: vault}
  notes: {type: topic, kms_key: vault}
  reader:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    reads: [raw]
"""


def test_a_gcp_key_is_a_key_ring_and_crypto_key_its_agents_granted(write_spec):
    planned = plan_spec(spec_of(write_spec, GCP_HEAD + GCP_PIPELINE))
    ring = only(planned, "gcp:kms/keyRing:KeyRing")
    assert ring.inputs == {"location": "europe"}  # no name: Pulumi's random suffix, since Cloud KMS keeps old rings
    key = only(planned, "gcp:kms/cryptoKey:CryptoKey")
    key_id = "projects/ml-platform-123/locations/europe/keyRings/vault-ring/cryptoKeys/vault"
    assert key.inputs["keyRing"] == "projects/ml-platform-123/locations/europe/keyRings/vault-ring"
    assert key.inputs["rotationPeriod"] == "7776000s"  # 90 days, as Cloud KMS writes durations
    assert only(planned, "gcp:storage/bucket:Bucket", "raw").inputs["encryption"] == {"defaultKmsKeyName": key_id}
    assert only(planned, "gcp:pubsub/topic:Topic").inputs["kmsKeyName"] == key_id
    grants = {
        r.name: (r.inputs["cryptoKeyId"], r.inputs["role"], r.inputs["member"])
        for r in planned.resources
        if r.type == "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
    }
    role = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grants == {
        "raw-key-grant": (
            key_id,
            role,
            "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
        ),
        "notes-key-grant": (key_id, role, "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"),
    }
    # the topic waits for Pub/Sub's grant to settle; the function reading the bucket needs no grant on the key
    settled = only(planned, "time:index/sleep:Sleep", "notes-grants-settled").urn
    assert settled in only(planned, "gcp:pubsub/topic:Topic").options["depends_on"]
    assert not any(
        r.inputs.get("cryptoKeyId") and "reader" in r.inputs["member"] for r in planned.resources if "kms" in r.type
    )


def test_key_values_and_attributes():
    assert alias_name("shop", "prod", "vault") == "alias/shop-prod-vault"
    assert KIND.attributes("aws") == ("arn", "id", "alias") and KIND.attributes("gcp") == ("id", "name")
    assert names_key("vault") and not names_key("alias/aws/s3") and not names_key("arn:aws:kms:x")
    [grant] = key_statements("s3", "reads", "vault")
    assert grant["Resource"] == [Attr("vault", "arn")]
    assert key_statements("s3", "reads", "alias/aws/s3") == []


def test_gcp_key_values_lowercase_the_location_and_skip_rotation_when_off(write_spec):
    spec = spec_of(write_spec, GCP_HEAD + "  vault: {type: key, location: EUROPE-WEST4, rotation: false}\n")
    values = KIND.clouds["gcp"].values(RenderJob(spec), "vault", spec.resources["vault"])
    assert values == {"location": "europe-west4", "rotation_period": None, "retain": False}
    # Cloud KMS never rotates a key without a period: 90 days unless the spec says otherwise (CIS benchmark)
    spec = spec_of(write_spec, GCP_HEAD + "  vault: {type: key}\n")
    values = KIND.clouds["gcp"].values(RenderJob(spec), "vault", spec.resources["vault"])
    assert values == {"location": "europe-west1", "rotation_period": "7776000s", "retain": False}


def test_the_graph_draws_a_key_encrypting_what_names_it(write_spec):
    nodes, edges = pipeline_edges(spec_of(write_spec, AWS_HEAD + AWS_PIPELINE))
    assert nodes["vault"] == "key"
    encrypted = sorted(e.target for e in edges if e.source == "vault" and e.label == "encrypts")
    assert encrypted == ["clicks", "events", "raw"]


def test_a_key_is_no_reads_or_writes_target(write_spec):
    """Access to a key follows from what it encrypts: naming it under `reads` grants nothing, so it is refused."""
    text = AWS_HEAD + "  vault: {type: key}\n  fn: {type: function, runtime: python3.12, handler: app.handler, "
    text += "code: ./app, reads: [vault]}\n"
    [problem] = load_spec(str(write_spec(text))).diagnostics
    assert (problem.code, problem.path) == ("AP305", "resources.fn.reads[0]")


def test_a_queue_and_a_table_encrypted_with_a_key_of_the_spec_use_its_arn(write_spec):
    # review finding: both rendered the key's bare name as the key id (AWS refuses it), and a key written after
    # them was a NameError under mocks
    text = """\
aipipe: 1
name: demo
cloud: aws
region: eu-west-1
resources:
  jobs: {type: queue, encryption: kms, kms_key: vault, visibility_timeout: 2m}
  orders: {type: table, partition_key: {name: id, type: string}, encryption: kms, kms_key: vault}
  vault: {type: key}
"""
    result = load_spec(str(write_spec(text)))
    assert result.valid, result.diagnostics
    plan = plan_spec(result.spec)
    [key] = [r for r in plan.resources if r.type == "aws:kms/key:Key"]
    [queue] = [r for r in plan.resources if r.type == "aws:sqs/queue:Queue"]
    [table] = [r for r in plan.resources if r.type == "aws:dynamodb/table:Table"]
    assert queue.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:") and key.urn in queue.dependencies
    assert (
        table.inputs["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:") and key.urn in table.dependencies
    )


@pytest.mark.parametrize("location, ok", [("europe", True), ("us", True), ("asia", True), ("eu", False), ("EU", False)])
def test_a_gcp_key_for_multi_region_data_is_in_kms_s_multi_region(location, ok, write_spec):
    # Cloud KMS has `europe`, `us`, `asia` (cloud.google.com/kms/docs/locations); `eu` is Cloud Storage's word
    storage = {"europe": "EU", "us": "US", "asia": "ASIA", "eu": "EU", "EU": "EU"}[location]
    text = (
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n"
        f"  vault: {{type: key, location: {location}}}\n"
        f"  raw: {{type: bucket, location: {storage}, encryption: kms, kms_key: vault}}\n"
    )
    result = load_spec(str(write_spec(text)))
    assert result.valid is ok, result.diagnostics
    if not ok:
        assert "`location: europe`" in result.diagnostics[0].message


@pytest.mark.parametrize("retained", [True, False])
def test_a_key_is_kept_exactly_when_data_it_encrypts_is_kept(retained, write_spec):
    # review finding: a retained bucket's key was scheduled for deletion on destroy, leaving the kept data unreadable
    text = AWS_HEAD + (
        "  vault: {type: key}\n"
        f"  raw: {{type: bucket, encryption: kms, kms_key: vault, retain_on_destroy: {str(retained).lower()}, "
        "protect: true}\n"
    )
    plan = plan_spec(spec_of(write_spec, text))
    [key] = [r for r in plan.resources if r.type == "aws:kms/key:Key"]
    [alias] = [r for r in plan.resources if r.type == "aws:kms/alias:Alias"]
    assert key.options["retain_on_delete"] is retained
    assert alias.options["retain_on_delete"] is False  # a name only: the kept key is found by its id
