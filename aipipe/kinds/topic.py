"""`topic`: a Pub/Sub topic (gcp, optionally retaining messages for replay) or an SNS topic (aws)."""

from __future__ import annotations

from functools import partial
from typing import Literal

from pydantic import Field

from aipipe.clouds.gcp import ROLES
from aipipe.kinds.base import (
    CloudForm,
    GraphShape,
    Kind,
    arn_statement,
    check_gcp_kms_key,
    check_kms_key,
    gcp_key_grant,
    kms_key_links,
    kms_key_value,
    resource_grant,
)
from aipipe.semantics.delivery import TOPIC_RETENTION_RANGE
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Deployment
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase, cloud_only
from aipipe.spec.values import Duration, duration_range_problem


class Topic(ResourceBase):
    """A Pub/Sub topic (gcp) or SNS topic (aws)."""

    type: Literal["topic"]
    retention: Duration | None = cloud_only(
        "gcp", description="Keep published messages this long (10m to 31d) so subscriptions can seek back."
    )
    encryption: Literal["default", "kms", "none"] | None = cloud_only(
        "aws",
        description="At rest: `default` the AWS-managed key alias/aws/sns, `kms` a customer-managed `kms_key`, "
        "`none` for a topic AWS services (CloudWatch alarms, S3, EventBridge) publish to, which they cannot do "
        "through the AWS-managed key.",
    )
    kms_key: str | None = Field(
        None,
        description="A customer-managed key: the name of a `key` resource of the spec, or an existing key's ARN "
        "(aws, with `encryption: kms`, in the topic's region; publishers get grants) or Cloud KMS key id (gcp; "
        "Pub/Sub's service agent gets the key role).",
    )


def check(ctx: CheckContext, name: str, topic: Topic) -> None:
    """Pub/Sub topic retention is 10m to 31d; an SNS topic's key comes with `encryption: kms` and is an ARN or a
    key of the spec; a Pub/Sub topic's is a Cloud KMS key id or a key of the spec."""
    if ctx.cloud == "aws" and topic.kms_key and topic.encryption != "kms":
        ctx.report("AP403", "`kms_key` needs `encryption: kms`", ctx.at(name, "kms_key"), True)
    if topic.encryption == "kms" and not topic.kms_key:
        ctx.report(
            "AP403",
            "`encryption: kms` needs `kms_key` (a `key` of the spec or a customer-managed key's ARN)",
            ctx.at(name, "encryption"),
        )
    if ctx.cloud == "aws":
        check_kms_key(ctx, name, topic)
    if ctx.cloud == "gcp" and topic.kms_key:
        check_gcp_kms_key(ctx, name, topic.kms_key, None)
    if ctx.cloud == "gcp" and topic.retention is not None:
        problem = duration_range_problem(topic.retention, *TOPIC_RETENTION_RANGE["gcp"])
        if problem:
            ctx.report("AP402", f"Pub/Sub topic retention {problem}", ctx.at(name, "retention"))


# docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html: SNS encrypts at rest with a KMS key; the
# AWS-managed alias/aws/sns serves publishers that are IAM principals of the account (aipipe's functions), but
# not AWS services publishing as event sources, which need a customer-managed key whose policy grants them
# (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


def aws_values(job, name: str, topic: Topic) -> dict:
    """The SNS topic template's values: the key it is encrypted with, if any."""
    if topic.encryption == "none":
        return {"kms_key": None}
    customer = topic.encryption == "kms" and topic.kms_key
    return {"kms_key": kms_key_value(topic.kms_key, "arn") if customer else AWS_MANAGED_SNS_KEY}


def _aws_writes(name: str, topic: Topic, prefix: str) -> list[dict]:
    """Publish, and with a customer-managed key what SNS needs of the publisher on it."""
    key = topic.kms_key if topic.encryption == "kms" else None
    return arn_statement(["sns:Publish"], name, topic, prefix) + key_statements("sns", "writes", key)


TOPIC_MEMBER = ("pubsub.TopicIAMMember", "topic")


def gcp_values(job, name: str, topic: Topic) -> dict:
    """The Pub/Sub topic template's values: message retention, as Pub/Sub writes durations (`600s`), and the
    customer-managed key with the grant Pub/Sub needs on it."""
    return {
        "message_retention": f"{topic.retention}s" if topic.retention else None,
        "kms_key": kms_key_value(topic.kms_key, "id"),
        # Pub/Sub encrypts and decrypts messages as its service agent (pulumi-gcp pubsub.Topic kms_key_name:
        # service-{PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com "must have roles/cloudkms.
        # cryptoKeyEncrypterDecrypter to use this feature")
        "key_grant": gcp_key_grant(topic.kms_key, Deployment("gcp_pubsub_agent")),
    }


KIND = Kind(
    name="topic",
    model=Topic,
    clouds={
        "aws": CloudForm(
            "SNS topic",
            {"id": ("topic", "id"), "name": ("topic", "name"), "arn": ("topic", "arn")},
            values=aws_values,
            access={"writes": _aws_writes},
        ),
        "gcp": CloudForm(
            "Pub/Sub topic",
            {"id": ("topic", "id"), "name": ("topic", "name")},
            values=gcp_values,
            access={"writes": partial(resource_grant, *TOPIC_MEMBER, ROLES["publish"])},
            iam_member=TOPIC_MEMBER,
        ),
    },
    graph=GraphShape(('>"', '"]'), "cds"),
    links=kms_key_links,
    check=check,
)
