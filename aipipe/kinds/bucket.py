"""`bucket`: an S3 bucket (aws) or a Cloud Storage bucket (gcp). Public access is always blocked; versioning,
encryption and lifecycle rules are set, and the bucket is retained on destroy unless the spec says otherwise.
An `existing` bucket is only referred to: nothing is created, references still work."""

from __future__ import annotations

from functools import partial
from typing import Literal

from pydantic import Field

from aipipe.clouds.gcp import bucket_location_problem
from aipipe.kinds.base import (
    CloudForm,
    GraphShape,
    Kind,
    check_gcp_kms_key,
    check_kms_key,
    gcp_key_grant,
    kms_key_links,
    kms_key_value,
)
from aipipe.kinds.bucket_access import BUCKET_MEMBER, aws_deletes, aws_reads, aws_writes, gcp_grant
from aipipe.kinds.bucket_seed import SeedObject, check_seed, seed_values
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase, StrictModel, cloud_only, empty_list
from aipipe.spec.references import symbolic
from aipipe.spec.values import Duration, ExistingBucketName, format_duration

DAY = 86400


class Lifecycle(StrictModel):
    """Object lifecycle rules: archive to cold storage, then expire."""

    expire_after: Duration | None = Field(None, description="Delete objects this long after creation.")
    archive_after: Duration | None = Field(
        None,
        description="Move objects to archival storage this long after creation (S3 Glacier Instant Retrieval, GCS "
        "Archive: both still readable at once).",
    )


class Bucket(ResourceBase):
    """An S3 bucket (aws) or Cloud Storage bucket (gcp). Public access is always blocked."""

    type: Literal["bucket"]
    existing: ExistingBucketName | None = Field(
        None,
        description="Name of a bucket that already exists: nothing is created and nothing of its configuration "
        "is written (triggers on it go through EventBridge, see `eventbridge`); references still work. Its "
        "`region` is the spec's unless `region` says otherwise.",
    )
    eventbridge: bool = cloud_only(
        "aws",
        False,
        "S3 sends the bucket's object events to EventBridge (the default event bus of its region). On a bucket "
        "aipipe creates it is turned on (in the bucket's one notification configuration; a workflow triggered "
        "by the bucket turns it on anyway). On an `existing` bucket it says that the owner has turned it on, "
        "which triggers on that bucket require: aipipe never writes the notification configuration of a "
        "bucket it does not own.",
    )
    versioning: bool = True
    encryption: Literal["default", "kms"] = "default"
    kms_key: str | None = Field(
        None,
        description="For `encryption: kms`: the name of a `key` resource of the spec, or an existing key's ARN (aws, "
        "in the bucket's region) or Cloud KMS key id (gcp, in its location); on an `existing` bucket, the key it "
        "is encrypted with (readers and writers get grants on it).",
    )
    lifecycle: Lifecycle | None = None
    location: str | None = cloud_only(
        "gcp",
        description="Bucket location (a region, `EU`, `US`, `ASIA` or a dual-region such as `EUR4`); default: the "
        "spec's region. On an `existing` bucket: where it is, which a function triggered by it needs.",
    )
    retain_on_destroy: bool = Field(True, description="`aipipe destroy` keeps the bucket and its data.")
    force_destroy: bool = Field(False, description="Delete all objects when the bucket itself is deleted.")
    seed: list[SeedObject] = Field(
        default_factory=empty_list,
        max_length=100,
        description="Objects the bucket is created with (and updated to on each deploy): `{key, file}` uploads a "
        "file of the project, `{key, content}` inline text. Kept or deleted on destroy as the bucket is.",
    )


# --- checks --------------------------------------------------------------------------------------------------

# kms_key on an existing bucket describes its key: readers and writers get grants on it (aws); location (gcp)
# describes where it is: an Eventarc trigger on it must be there (aipipe.triggers.bucket)
_UNMANAGED_FIELDS = {
    "location",
    "type",
    "existing",
    "eventbridge",
    "description",
    "tags",
    "region",
    "protect",
    "depends_on",
    "kms_key",
}


# docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: names S3 reserves. aipipe names a new
# bucket after its resource (`<name>-<random>`), so the resource name must not start with a reserved prefix;
# the random suffix means a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3) cannot occur.
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


def check(ctx: CheckContext, name: str, bucket: Bucket) -> None:
    """Existing buckets take no settings; S3's reserved names; KMS keys need KMS; lifecycle in whole days."""
    reserved = next((prefix for prefix in S3_RESERVED_PREFIXES if name.startswith(prefix)), None)
    if ctx.cloud == "aws" and reserved and not bucket.existing:
        ctx.report(
            "AP202",
            f"S3 bucket names cannot start with `{reserved}` and aipipe names the bucket after the resource "
            f"(`{name}-<random>`); rename the resource",
            ctx.at(name),
            True,
        )
    problem = ctx.cloud == "gcp" and bucket.location is not None and bucket_location_problem(bucket.location)
    if problem:
        ctx.report("AP202", problem, ctx.at(name, "location"))
    if bucket.existing:
        # on gcp Cloud Storage uses a bucket's key as its own agent: readers and writers need no grant on it
        # (cloud.google.com/storage/docs/encryption/customer-managed-keys#service-agent), so kms_key does nothing
        described = _UNMANAGED_FIELDS - ({"kms_key"} if ctx.cloud == "gcp" else set())
        for field_name in sorted(bucket.model_fields_set - described):
            ctx.report(
                "AP403",
                f"`{field_name}` has no effect on an `existing` bucket (aipipe does not manage it); remove it",
                ctx.at(name, field_name),
                True,
            )
    if (
        bucket.kms_key
        and bucket.encryption != "kms"
        and not bucket.existing
        and not ctx.was_dropped(name, "encryption")
    ):
        ctx.report("AP403", "`kms_key` needs `encryption: kms`", ctx.at(name, "kms_key"), True)
    check_seed(ctx, name, bucket.seed)
    if ctx.cloud == "aws":
        check_kms_key(ctx, name, bucket)
    if ctx.cloud == "gcp" and bucket.encryption == "kms" and not bucket.kms_key and not bucket.existing:
        ctx.report("AP403", "on gcp `encryption: kms` needs `kms_key` (a Cloud KMS key id)", ctx.at(name, "encryption"))
    if ctx.cloud == "gcp" and bucket.kms_key and not bucket.existing:
        check_gcp_kms_key(ctx, name, bucket.kms_key, bucket.location or ctx.data.get("region") or "")
    lifecycle = bucket.lifecycle
    if lifecycle is None:
        return
    if lifecycle.expire_after is None and lifecycle.archive_after is None:
        ctx.report("AP403", "`lifecycle` needs `expire_after`, `archive_after` or both", ctx.at(name, "lifecycle"))
    for field_name in ("expire_after", "archive_after"):
        seconds = getattr(lifecycle, field_name)
        if seconds is not None and (seconds < DAY or seconds % DAY):
            ctx.report(
                "AP402",
                f"`{field_name}` must be whole days (at least 1d), got {format_duration(seconds)}",
                ctx.at(name, "lifecycle", field_name),
            )
    # S3 refuses expiration days that do not exceed transition days ("'Days' in the Expiration action ...
    # must be greater than 'Days' in the Transition action"); on gcp objects would expire before archiving.
    if lifecycle.expire_after and lifecycle.archive_after and lifecycle.archive_after >= lifecycle.expire_after:
        ctx.report(
            "AP403",
            "`archive_after` must be shorter than `expire_after` (objects would expire before they are archived)",
            ctx.at(name, "lifecycle", "archive_after"),
        )


# --- attributes and access -------------------------------------------------------------------------------------


def _special_attribute(cloud: str, name: str, bucket: Bucket, attribute: str):
    """An existing bucket's attributes are known already; an S3 bucket's url is computed from its name."""
    if bucket.existing:
        scheme = "s3" if cloud == "aws" else "gs"
        return {
            "name": bucket.existing,
            "id": bucket.existing,
            # read from the bucket (Bucket.get): the partition is not always `aws` (aws-cn, aws-us-gov)
            "arn": Child(name, "bucket", "arn"),
            "url": f"{scheme}://{bucket.existing}",
        }[attribute]
    if cloud == "aws" and attribute == "url":
        return Concat("s3://", Child(name, "bucket", "bucket"))
    return None


# --- template values ---------------------------------------------------------------------------------------


def _days(seconds: int) -> int:
    return seconds // DAY  # validation keeps lifecycle durations to whole days


def aws_values(job, name: str, bucket: Bucket) -> dict:
    """The S3 template's values: versioning status, encryption and lifecycle rules, what destroy does."""
    if bucket.existing:
        return {"existing": bucket.existing}
    if bucket.encryption == "kms":
        # Without kms_key S3 uses the AWS-managed `aws/s3` key (pulumi-aws s3 BucketServerSideEncryption-
        # ConfigurationRuleApplyServerSideEncryptionByDefault: kms_master_key_id "absent ... the default aws/s3")
        by_default: dict = {"sse_algorithm": "aws:kms"}
        if bucket.kms_key:
            by_default["kms_master_key_id"] = kms_key_value(bucket.kms_key, "arn")
        encryption = [{"apply_server_side_encryption_by_default": by_default, "bucket_key_enabled": True}]
    else:
        encryption = [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
    return {
        "existing": None,
        "force_destroy": bucket.force_destroy,
        "retain": bucket.retain_on_destroy,
        "versioning": {"status": "Enabled" if bucket.versioning else "Suspended"},
        "encryption_rules": encryption,
        "lifecycle_rules": _s3_lifecycle(bucket) if bucket.lifecycle else None,
        "tls_only_policy": tls_only_policy(name),
        "seed": seed_values(job.spec, bucket.seed),
    }


def tls_only_policy(name: str) -> Json:
    """Deny every request that does not use TLS (AWS Foundational Security Best Practices S3.5,
    docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5)."""
    bucket = Attr(name, "arn")
    return Json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket, Concat(bucket, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


# docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html: Glacier Instant Retrieval serves
# GetObject in milliseconds; Glacier Flexible Retrieval (GLACIER) needs a restore first, which would break any
# reader of an archived key (a training job, a DataSync task)
ARCHIVE_CLASS = "GLACIER_IR"
ABORT_MULTIPART_DAYS = 7


def _s3_lifecycle(bucket: Bucket) -> list[dict]:
    """The spec's lifecycle as S3 rules. On a versioned bucket an expiry only hides the current version behind
    a delete marker, so noncurrent versions expire after as long, and expired delete markers go; incomplete
    multipart uploads are aborted (their parts are billed and invisible)
    (docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html)."""
    lifecycle = bucket.lifecycle
    rule: dict = {"id": "aipipe-lifecycle", "status": "Enabled", "filter": {}}
    if lifecycle.archive_after:
        rule["transitions"] = [{"days": _days(lifecycle.archive_after), "storage_class": ARCHIVE_CLASS}]
    if lifecycle.expire_after:
        rule["expiration"] = {"days": _days(lifecycle.expire_after)}
        if bucket.versioning:
            rule["noncurrent_version_expiration"] = {"noncurrent_days": _days(lifecycle.expire_after)}
    cleanup: dict = {
        "id": "aipipe-cleanup",
        "status": "Enabled",
        "filter": {},
        "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_MULTIPART_DAYS},
    }
    if bucket.versioning and lifecycle.expire_after:
        # S3 refuses ExpiredObjectDeleteMarker beside Days in one Expiration: a rule of its own
        cleanup["expiration"] = {"expired_object_delete_marker": True}
    return [rule, cleanup]


# How long a temporary file's noncurrent version is kept once the job that wrote it has deleted it (days)
DATAFLOW_TEMP_NONCURRENT_DAYS = 1


def _gcs_noncurrent_rules(spec, name: str, bucket: Bucket) -> list[dict]:
    """Lifecycle rules for the noncurrent versions of a versioned Cloud Storage bucket. Deleting a live object of
    a versioned bucket (by a user, a job, or the `expire_after` rule) only makes it noncurrent, kept and billed
    until deleted (cloud.google.com/storage/docs/object-versioning, /lifecycle#delete). So noncurrent versions go
    as long after `expire_after` as the live ones, and those under a Dataflow job's temp location (the job writes
    and deletes its temporary files there all the time) a day after; other noncurrent versions are the undo
    history versioning is kept for, and stay."""
    from aipipe.kinds.dataflow.gcp import bucket_locations  # the kind that knows Dataflow's locations

    rules = []
    if bucket.lifecycle and bucket.lifecycle.expire_after:
        rules.append(
            {
                "action": {"type": "Delete"},
                "condition": {"days_since_noncurrent_time": _days(bucket.lifecycle.expire_after)},
            }
        )
    temps = [resource.temp for resource in spec.resources.values() if resource.type == "dataflow"]
    prefixes = bucket_locations(spec, temps).get(name)
    if prefixes:
        condition: dict = {"days_since_noncurrent_time": DATAFLOW_TEMP_NONCURRENT_DAYS}
        if "" not in prefixes:
            condition["matches_prefixes"] = prefixes
        rules.append({"action": {"type": "Delete"}, "condition": condition})
    return rules


STORAGE_AGENT = Concat("serviceAccount:", Deployment("gcp_storage_agent_email"))


def gcp_values(job, name: str, bucket: Bucket) -> dict:
    """The Cloud Storage template's values."""
    if bucket.existing:
        return {"existing": bucket.existing}
    rules = []
    if bucket.lifecycle and bucket.lifecycle.archive_after:
        rules.append(
            {
                "action": {"type": "SetStorageClass", "storage_class": "ARCHIVE"},
                "condition": {"age": _days(bucket.lifecycle.archive_after)},
            }
        )
    if bucket.lifecycle and bucket.lifecycle.expire_after:
        rules.append({"action": {"type": "Delete"}, "condition": {"age": _days(bucket.lifecycle.expire_after)}})
    if bucket.versioning:
        rules += _gcs_noncurrent_rules(job.spec, name, bucket)
    kms = bucket.encryption == "kms"
    return {
        "existing": None,
        "location": symbolic(bucket.location or job.spec.header.region),
        "versioning": {"enabled": bucket.versioning},
        "encryption": {"default_kms_key_name": kms_key_value(bucket.kms_key, "id")} if kms else None,
        "key_grant": gcp_key_grant(bucket.kms_key, STORAGE_AGENT) if kms else None,
        "lifecycle_rules": rules or None,
        "force_destroy": bucket.force_destroy,
        "retain": bucket.retain_on_destroy,
        "seed": seed_values(job.spec, bucket.seed),
    }


KIND = Kind(
    name="bucket",
    model=Bucket,
    clouds={
        "aws": CloudForm(
            "S3 bucket",
            {
                "name": ("bucket", "bucket"),
                "arn": ("bucket", "arn"),
                "url": ("bucket", "bucket"),
                "id": ("bucket", "id"),
            },
            values=aws_values,
            access={"reads": aws_reads, "writes": aws_writes, "deletes": aws_deletes},
            special_attribute=partial(_special_attribute, "aws"),
        ),
        "gcp": CloudForm(
            "Cloud Storage bucket",
            {"name": ("bucket", "name"), "url": ("bucket", "url"), "id": ("bucket", "id")},
            values=gcp_values,
            access={
                "reads": partial(gcp_grant, "roles/storage.objectViewer"),
                # Overwriting an object (a retried event rewriting its key) needs storage.objects.delete besides
                # .create (cloud.google.com/storage/docs/access-control/iam-permissions, the note under objects:
                # replacing an existing object needs both); objectCreator has .create alone, so a rewrite got 403.
                # objectUser (create, delete, get, list, update, restore; cloud.google.com/storage/docs/
                # access-control/iam-roles) is the narrowest predefined role with both; the prefix condition
                # keeps its delete to the objects under the written prefix.
                "writes": partial(gcp_grant, "roles/storage.objectUser"),
                # the narrowest predefined role with storage.objects.delete, the same as writes (above)
                "deletes": partial(gcp_grant, "roles/storage.objectUser"),
            },
            iam_member=BUCKET_MEMBER,
            special_attribute=partial(_special_attribute, "gcp"),
        ),
    },
    graph=GraphShape(('[("', '")]'), "cylinder"),
    links=kms_key_links,
    check=check,
)
