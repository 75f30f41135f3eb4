"""Cross-field rules for the top level, tags/labels, and the data-holding types (bucket, topic,
subscription, stream). Each rule reports at the field that has to change."""

from __future__ import annotations

import re

from aipipe.spec.common import ResourceBase, field_clouds
from aipipe.spec.context import CheckContext
from aipipe.spec.messaging import Subscription, Topic
from aipipe.spec.storage import Bucket, Stream
from aipipe.spec.values import duration_range_problem, format_duration

# Matched with fullmatch: `$` alone would accept a trailing newline.
AWS_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}")
GCP_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}")
GCP_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
GCP_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
GCP_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
DAY = 86400


def check_header(ctx: CheckContext) -> None:
    """Region and project formats, duplicate secrets, and the top-level tags."""
    data = ctx.data
    region = data.get("region")
    if isinstance(region, str) and ctx.cloud:
        _check_region(ctx, region, ("region",))
    project = data.get("project")
    if ctx.cloud == "aws" and project is not None:
        ctx.report("AP205", "`project` is a gcp setting; aws uses the account of your credentials", ("project",), True)
    elif isinstance(project, str) and not GCP_PROJECT.fullmatch(project):
        ctx.report("AP202", f"`project` must be a GCP project id (6-30 lowercase letters, digits and `-`), "
                   f"got {project!r}", ("project",))
    seen: set[str] = set()
    for position, secret in ctx.declared_secrets():
        if secret in seen:
            ctx.report("AP403", f"secret `{secret}` is declared twice", ("secrets", position))
        seen.add(secret)
    if isinstance(data.get("tags"), dict):
        _check_tags(ctx, data["tags"], ("tags",))


def _check_region(ctx: CheckContext, region: str, path) -> None:
    pattern, example = (AWS_REGION, "us-east-1") if ctx.cloud == "aws" else (GCP_REGION, "europe-west1")
    if not pattern.fullmatch(region):
        ctx.report("AP202", f"`{path[-1]}` must be an {ctx.cloud.upper()} region such as `{example}`, got {region!r}", path)


def _check_tags(ctx: CheckContext, tags: dict, path, inherited: int = 0) -> None:
    if ctx.cloud == "gcp":
        for key, value in tags.items():
            if not GCP_LABEL_KEY.fullmatch(key):
                ctx.report("AP404", f"GCP label key `{key}` must start with a lowercase letter and hold only "
                           "lowercase letters, digits, `_` and `-` (at most 63)", path + (key,), True)
            if isinstance(value, str) and not GCP_LABEL_VALUE.fullmatch(value):
                ctx.report("AP404", f"GCP label value {value!r} may hold only lowercase letters, digits, `_` and "
                           "`-` (at most 63)", path + (key,))
        if len(tags) + inherited > 64:
            ctx.report("AP404", "GCP allows at most 64 labels on a resource", path, True)
    elif ctx.cloud == "aws":
        for key, value in tags.items():
            if key.lower().startswith("aws:") or not 1 <= len(key) <= 128:
                ctx.report("AP404", f"AWS tag key `{key}` must be 1-128 characters and not start with `aws:`",
                           path + (key,), True)
            if isinstance(value, str) and len(value) > 256:
                ctx.report("AP404", "AWS tag values are at most 256 characters", path + (key,))
        if len(tags) + inherited > 50:
            ctx.report("AP404", "AWS allows at most 50 tags on a resource", path, True)


def check_common(ctx: CheckContext, name: str, resource: ResourceBase) -> None:
    """Fields every resource has: cloud-only fields, region, tags."""
    for field_name in sorted(resource.model_fields_set):
        clouds = field_clouds(type(resource), field_name)
        if clouds and ctx.cloud not in clouds:
            ctx.report("AP205", f"`{field_name}` is only available on {', '.join(clouds)}; remove it for "
                       f"{ctx.cloud}", ctx.at(name, field_name), True)
    if resource.region and ctx.cloud == "aws":
        _check_region(ctx, resource.region, ctx.at(name, "region"))
    if resource.tags:
        top_level = ctx.data.get("tags") if isinstance(ctx.data.get("tags"), dict) else {}
        inherited = len(set(top_level) - set(resource.tags))
        _check_tags(ctx, resource.tags, ctx.at(name, "tags"), inherited)
    for position, target in enumerate(resource.depends_on):
        if target == name:
            ctx.report("AP304", f"`{name}` depends on itself; remove this entry", ctx.at(name, "depends_on", position))


def check_bucket(ctx: CheckContext, name: str, bucket: Bucket) -> None:
    """Existing buckets take no settings; KMS keys need KMS; lifecycle rules work in whole days."""
    if bucket.existing:
        managed = sorted(bucket.model_fields_set - {"type", "existing", "description", "tags", "region",
                                                      "protect", "depends_on"})
        for field_name in managed:
            ctx.report("AP403", f"`{field_name}` has no effect on an `existing` bucket (aipipe does not manage "
                       "it); remove it", ctx.at(name, field_name), True)
    if bucket.kms_key and bucket.encryption != "kms" and not ctx.was_dropped(name, "encryption"):
        ctx.report("AP403", "`kms_key` needs `encryption: kms`", ctx.at(name, "kms_key"), True)
    if ctx.cloud == "gcp" and bucket.encryption == "kms" and not bucket.kms_key and not bucket.existing:
        ctx.report("AP403", "on gcp `encryption: kms` needs `kms_key` (a Cloud KMS key id)",
                   ctx.at(name, "encryption"))
    lifecycle = bucket.lifecycle
    if lifecycle is None:
        return
    if lifecycle.expire_after is None and lifecycle.archive_after is None:
        ctx.report("AP403", "`lifecycle` needs `expire_after`, `archive_after` or both", ctx.at(name, "lifecycle"))
    for field_name in ("expire_after", "archive_after"):
        seconds = getattr(lifecycle, field_name)
        if seconds is not None and (seconds < DAY or seconds % DAY):
            ctx.report("AP402", f"`{field_name}` must be whole days (at least 1d), got "
                       f"{format_duration(seconds)}", ctx.at(name, "lifecycle", field_name))
    if lifecycle.expire_after and lifecycle.archive_after and lifecycle.archive_after >= lifecycle.expire_after:
        ctx.report("AP403", "`archive_after` must be shorter than `expire_after` (objects would expire before "
                   "they are archived)", ctx.at(name, "lifecycle", "archive_after"))


def check_topic(ctx: CheckContext, name: str, topic: Topic) -> None:
    """Pub/Sub topic retention is 10m to 31d."""
    if ctx.cloud == "gcp" and topic.retention is not None:
        _within(ctx, ctx.at(name, "retention"), topic.retention, 600, 31 * DAY, "Pub/Sub topic retention")


def check_subscription(ctx: CheckContext, name: str, subscription: Subscription) -> None:
    """Retention per cloud, the filter's form per cloud, retry bounds in order."""
    if subscription.retention is not None:
        low, high, what = (600, 7 * DAY, "Pub/Sub subscription retention") if ctx.cloud == "gcp" else (
            60, 14 * DAY, "SQS message retention")
        _within(ctx, ctx.at(name, "retention"), subscription.retention, low, high, what)
    if subscription.filter is not None:
        if ctx.cloud == "gcp" and not isinstance(subscription.filter, str):
            ctx.report("AP202", "on gcp `filter` is a Pub/Sub filter expression string, e.g. "
                       "'attributes.kind = \"image\"'", ctx.at(name, "filter"))
        if ctx.cloud == "aws" and not isinstance(subscription.filter, dict):
            ctx.report("AP202", "on aws `filter` is an SNS filter policy mapping, e.g. {kind: [image]}",
                       ctx.at(name, "filter"))
    retry = subscription.retry
    if retry and retry.min_backoff > retry.max_backoff:
        ctx.report("AP403", "`min_backoff` must not exceed `max_backoff`", ctx.at(name, "retry", "min_backoff"))


def check_stream(ctx: CheckContext, name: str, stream: Stream) -> None:
    """Shards only in provisioned mode; a KMS key only with encryption."""
    if stream.mode == "on-demand" and stream.shards is not None:
        ctx.report("AP403", "`shards` cannot be set with `mode: on-demand` (capacity scales by itself)",
                   ctx.at(name, "shards"), True)
    if stream.kms_key and not stream.encryption:
        ctx.report("AP403", "`kms_key` needs `encryption: true`", ctx.at(name, "kms_key"), True)


def _within(ctx: CheckContext, path, seconds: int, low: int, high: int, what: str) -> None:
    problem = duration_range_problem(seconds, low, high)
    if problem:
        ctx.report("AP402", f"{what} {problem}", path)
