"""S3 replication (`method: s3`): one replication configuration per source bucket, holding one rule per
replication from it, and the one role S3 assumes for it. S3 keeps a single replication configuration per
bucket (PutBucketReplication "creates a replication configuration or replaces an existing one":
docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html), so two resources configuring one
bucket would overwrite each other: like bucket notifications, every replication from a source is one part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aipipe.clouds.aws import AWS
from aipipe.clouds.registry import CLOUDS
from aipipe.kinds.base import kms_key_value
from aipipe.kinds.replication.model import Replication
from aipipe.semantics.iam import merge, policy_document, statement, trust_policy
from aipipe.semantics.kms import is_aws_managed
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Options
from aipipe.spec.model import region_of
from aipipe.spec.parts import ProgramPart


def _s3_statements(source_arn, destination_arn, keys: ReplicationKeys) -> list[dict]:
    # docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html; for SSE-KMS objects
    # docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html: kms:Decrypt on the
    # source key and kms:Encrypt on the destination key (GenerateDataKey too: aipipe turns S3 Bucket Keys on,
    # whose data keys come from GenerateDataKey), each only through S3 of its bucket's region (the
    # encryption-context condition of that page is left out: with S3 Bucket Keys the context is the bucket's
    # ARN, not the object's)
    kms = []
    if keys.source:
        kms.append(statement(["kms:Decrypt"], [keys.source], _via_s3(keys.source_region)))
    if keys.destination:
        kms.append(
            statement(["kms:Encrypt", "kms:GenerateDataKey"], [keys.destination], _via_s3(keys.destination_region))
        )
    return kms + [
        statement(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source_arn]),
        statement(
            ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
            [Concat(source_arn, "/*")],
        ),
        statement(["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"], [Concat(destination_arn, "/*")]),
    ]


def _via_s3(region: str) -> dict:
    return {"StringEquals": {"kms:ViaService": Concat(f"s3.{region}.", Deployment("aws_dns_suffix"))}}


@dataclass(frozen=True)
class ReplicationKeys:
    """The customer-managed keys S3 replication uses: the source's (objects to decrypt) and the destination's
    (replicas to encrypt), and their buckets' regions. `kms` says whether the source's objects are SSE-KMS at
    all (with the AWS-managed key too), which makes S3 skip them unless the rule says to replicate them."""

    kms: bool
    source: Any  # an ARN as written, or the ARN symbol of a key of the spec
    destination: Any
    source_region: str
    destination_region: str


def replication_keys(resources: dict, home: str, replication: Replication) -> ReplicationKeys:
    """The keys of a replication's buckets (a key given by alias needs no grant and is left out)."""
    source, destination = resources.get(replication.source), resources.get(replication.destination)

    def customer_key(bucket) -> str | None:
        key = getattr(bucket, "kms_key", None)
        return kms_key_value(key, "arn") if key and not is_aws_managed(key) else None

    return ReplicationKeys(
        kms=getattr(source, "encryption", None) == "kms" or bool(getattr(source, "kms_key", None)),
        source=customer_key(source),
        destination=customer_key(destination),
        source_region=region_of(source, home),
        destination_region=region_of(destination, home),
    )


def _rule(name: str, priority: int, replication: Replication, keys: ReplicationKeys) -> dict:
    """One replication's rule: the whole bucket to its destination; delete markers replicate when deletions
    should follow the source. Rules of one configuration need distinct priorities (V2 rules with `filter`)."""
    rule: dict = {
        "id": f"aipipe-{name}",
        "priority": priority,
        "status": "Enabled",
        "filter": {},
        "delete_marker_replication": {"status": "Enabled" if replication.delete_removed else "Disabled"},
        "destination": {"bucket": Attr(replication.destination, "arn")},
    }
    if keys.kms:
        # S3 replicates SSE-KMS objects only when the rule says so, and then needs the key for the replicas
        # (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html); validation
        # makes sure the destination names one
        rule["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        if keys.destination:
            rule["destination"]["encryption_configuration"] = {"replica_kms_key_id": keys.destination}
    return rule


def by_source(resources: dict) -> dict[str, list[str]]:
    """The `method: s3` replications of a spec by source bucket, in the order they are written."""
    found: dict[str, list[str]] = {}
    for name, resource in resources.items():
        if resource.type == "replication" and resource.method == "s3":
            found.setdefault(resource.source, []).append(name)
    return found


def role_of(source: str) -> Child:
    """The role S3 assumes to replicate `source`: `${replication.arn}` of every replication from it."""
    return Child(source, "replication_role", "arn")


def configuration_parts(cloud: str, spec) -> list[ProgramPart]:
    """One replication configuration (and role) per source bucket, after the buckets and their versioning."""
    if cloud != "aws":
        return []
    parts = []
    for source, names in by_source(spec.resources).items():
        replications = [spec.resources[name] for name in names]
        keys = [replication_keys(spec.resources, spec.header.region, r) for r in replications]
        statements = [
            s
            for r, k in zip(replications, keys, strict=True)
            for s in _s3_statements(Attr(source, "arn"), Attr(r.destination, "arn"), k)
        ]
        buckets = dict.fromkeys([source, *(r.destination for r in replications)])
        versionings = tuple(Child(b, "versioning") for b in buckets if not spec.resources[b].existing)
        role = Child(source, "replication_role")
        # the role first (it names no resource, and `${replication.arn}` of each replication reads it), the
        # policy and configuration after every bucket and versioning they name
        parts.append(
            ProgramPart(
                "replication/aws-role.py.j2",
                {
                    "source": source,
                    "role": role,
                    "trust_policy": trust_policy(AWS.principals["s3"]),
                    "tags": CLOUDS["aws"].tags.managed(spec.header.name, spec.stack, None),
                },
                before=True,
            )
        )
        parts.append(
            ProgramPart(
                "replication/aws-configuration.py.j2",
                {
                    "source": source,
                    "replications": names,
                    "role": role,
                    "policy_variable": Child(source, "replication_policy"),
                    "policy": policy_document(merge(statements)),
                    "source_bucket": Attr(source, "id"),
                    "rules": [
                        _rule(name, position + 1, r, k)
                        for position, (name, r, k) in enumerate(zip(names, replications, keys, strict=True))
                    ],
                    "policy_opts": Options(source, top_level=True),
                    # on the source bucket, in its region, once the role may act and both sides are versioned
                    "options": Options(
                        source,
                        depends_on=(Child(source, "replication_policy"), *versionings),
                        provider_of=source,
                        top_level=True,
                    ),
                },
            )
        )
    return parts
