"""`key`: a customer-managed encryption key aipipe creates — a KMS key and its alias (aws), a Cloud KMS key ring
and crypto key (gcp). Buckets, streams and topics name it in `kms_key: <name>`; whoever reads or writes what it
encrypts gets the grants on it that the encrypted resource's kind derives (aipipe.semantics.kms), and on gcp the
Cloud Storage agent gets the key role (aipipe.kinds.bucket).

Destroy: a KMS key is only scheduled for deletion, after `deletion_window` (aws); Cloud KMS never deletes a key
ring or a crypto key, destroy schedules the key's versions for destruction (30 days) and leaves both (gcp)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aipipe.clouds.gcp import bucket_location_problem
from aipipe.kinds.base import CloudForm, GraphShape, Kind
from aipipe.semantics.kms import KMS_MULTI_REGIONS, kms_location
from aipipe.semantics.symbols import Concat, Deployment, Json
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase, cloud_only
from aipipe.spec.values import Duration, duration_between, format_duration

DAY = 86400
# pulumi-aws kms.Key deletion_window_in_days: "between 7 and 30, inclusive ... defaults to 30"
DELETION_WINDOW_DAYS = (7, 30)
# pulumi-aws kms.Key rotation_period_in_days: "between 90 and 2560 (inclusive)". pulumi-gcp kms.CryptoKey
# rotation_period: "It must be greater than a day".
AWS_ROTATION_DAYS = (90, 2560)
# The period when the spec gives none. aws: KMS's own default, "one year (approximately 365 days)"
# (docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html). gcp: Cloud KMS has no default (a key
# without a period never rotates), and the CIS Google Cloud Platform Foundation Benchmark (1.10) asks for
# rotation "within a period of 90 days".
DEFAULT_ROTATION = {"aws": 365 * DAY, "gcp": 90 * DAY}


class Key(ResourceBase):
    """A customer-managed encryption key: KMS key and alias (aws), Cloud KMS key ring and crypto key (gcp)."""

    type: Literal["key"]
    rotation: bool = Field(True, description="Rotate the key material automatically every `rotation_period`.")
    rotation_period: Duration | None = Field(
        None,
        description="How often the key rotates: aws 90d to 2560d in whole days (default 365d), gcp more than 1d "
        "(default 90d).",
    )
    deletion_window: Annotated[Duration, duration_between(*(days * DAY for days in DELETION_WINDOW_DAYS))] = cloud_only(
        "aws",
        30 * DAY,
        "After `aipipe destroy` the key is only scheduled for deletion and can be restored for this long: 7d to "
        "30d, whole days.",
    )
    location: str | None = cloud_only(
        "gcp",
        description="Cloud KMS location of the key ring: a region, or a multi-region (`europe`, `us`, `asia`: "
        "Cloud KMS's names for Cloud Storage's `EU`, `US`, `ASIA`) for multi-region buckets; default: the spec's "
        "region. It must be the location of what it encrypts.",
    )


def check(ctx: CheckContext, name: str, key: Key) -> None:
    """Whole days and the clouds' ranges for the periods; a location Cloud KMS knows."""
    if "rotation_period" in key.model_fields_set and not key.rotation:
        ctx.report("AP403", "`rotation_period` needs `rotation: true`", ctx.at(name, "rotation_period"), True)
    # an invalid field has its default in a partial model, which passes every check below
    period = key.rotation_period
    low, high = AWS_ROTATION_DAYS
    if ctx.cloud == "aws" and period is not None and (period % DAY or not low <= period // DAY <= high):
        ctx.report(
            "AP402",
            f"KMS rotates keys every 90d to 2560d, in whole days: got {format_duration(period)}",
            ctx.at(name, "rotation_period"),
        )
    if ctx.cloud == "aws" and key.deletion_window % DAY:
        ctx.report(
            "AP402",
            f"`deletion_window` is a whole number of days, got {format_duration(key.deletion_window)}",
            ctx.at(name, "deletion_window"),
        )
    if ctx.cloud == "gcp":
        if key.rotation_period is not None and key.rotation_period <= DAY:
            ctx.report(
                "AP402",
                f"Cloud KMS rotates keys at most daily: `rotation_period` must be more than 1d, got "
                f"{format_duration(key.rotation_period)}",
                ctx.at(name, "rotation_period"),
            )
        problem = key.location is not None and _location_problem(key.location)
        if problem:
            ctx.report("AP202", problem, ctx.at(name, "location"))


def _location_problem(location: str) -> str | None:
    """Cloud KMS locations (cloud.google.com/kms/docs/locations) are regions and dual-regions as Cloud Storage has
    them, in lowercase, the multi-regions `europe`, `us` and `asia` (Cloud Storage's `EU`, `US`, `ASIA`), and
    `global`, which encrypts no Cloud Storage or regional data."""
    if location.lower() in KMS_MULTI_REGIONS:
        return (
            f"Cloud KMS calls the multi-region `{location}` `{kms_location(location)}`: write `location: "
            f"{kms_location(location)}`"
        )
    if location in KMS_MULTI_REGIONS.values():
        return None
    if location == "global" or bucket_location_problem(location):
        return (
            f"`location` must be a Cloud KMS region (`europe-west1`) or multi-region (`europe`, `us`, `asia`) where "
            f"the data it encrypts is, got {location!r}"
        )
    return None


def rotation_period(key: Key, cloud: str) -> int:
    """Seconds between rotations: the spec's, else the cloud's default."""
    return key.rotation_period or DEFAULT_ROTATION[cloud]


def key_policy() -> Json:
    """The key policy: the account's root, so that IAM policies grant use of the key — exactly KMS's default key
    policy (docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html, "Allows access to the AWS
    account and enables IAM policies"). Every role aipipe creates gets its grant on the key in its own IAM
    policy (aipipe.semantics.kms.key_statements), so the key policy names no role and no service: no kind of
    aipipe has an AWS service use the key as itself."""
    root = Concat("arn:", Deployment("aws_partition"), ":iam::", Deployment("aws_account_id"), ":root")
    return Json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EnableIAMPolicies",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


def alias_name(project: str, stack: str, name: str) -> str:
    """`alias/<project>-<stack>-<name>`: unique per account and region for each stack's key (alias names hold
    letters, digits, `/`, `_` and `-`: docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html; the
    three names are lowercase letters, digits and `-`)."""
    return f"alias/{project}-{stack}-{name}"


def encrypts_kept_data(spec, name: str) -> bool:
    """Whether key `name` encrypts data `aipipe destroy` keeps (a bucket or table with `retain_on_destroy`):
    then the key is kept too. A deleted KMS key (after its window) or destroyed Cloud KMS key versions leave what
    they encrypted unreadable (docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html,
    cloud.google.com/kms/docs/destroy-restore), which would lose the data the retention kept."""
    return any(
        getattr(resource, "kms_key", None) == name and getattr(resource, "retain_on_destroy", False)
        for resource in spec.resources.values()
    )


def aws_values(job, name: str, key: Key) -> dict:
    """The KMS template's values: rotation, deletion window in days, alias, key policy."""
    spec = job.spec
    return {
        "description": key.description or f"aipipe {spec.header.name}/{spec.stack}: {name}",
        "rotation": key.rotation,
        "rotation_days": rotation_period(key, "aws") // DAY if key.rotation else None,
        "deletion_window_days": key.deletion_window // DAY,
        "alias": alias_name(spec.header.name, spec.stack, name),
        "policy": key_policy(),
        "retain": encrypts_kept_data(spec, name),
    }


def gcp_values(job, name: str, key: Key) -> dict:
    """The Cloud KMS template's values: the key ring's location, the rotation period as Cloud KMS writes it."""
    return {
        "location": (key.location or job.spec.header.region).lower(),
        "rotation_period": f"{rotation_period(key, 'gcp')}s" if key.rotation else None,
        "retain": encrypts_kept_data(job.spec, name),
    }


KIND = Kind(
    name="key",
    model=Key,
    clouds={
        "aws": CloudForm(
            "KMS key and alias",
            {"arn": ("key", "arn"), "id": ("key", "key_id"), "alias": ("alias", "name")},
            values=aws_values,
        ),
        "gcp": CloudForm(
            "Cloud KMS key ring and crypto key",
            {"id": ("key", "id"), "name": ("key", "name")},
            values=gcp_values,
        ),
    },
    graph=GraphShape(('{{"', '"}}'), "hexagon"),
    check=check,
)
