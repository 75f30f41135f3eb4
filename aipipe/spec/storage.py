"""Data-holding resource types: `bucket` (S3 / Cloud Storage) and `stream` (Kinesis)."""


from typing import Annotated, Literal

from pydantic import Field

from aipipe.spec.common import ResourceBase, StrictModel, cloud_only
from aipipe.spec.values import Duration, ExistingBucketName, duration_between


class Lifecycle(StrictModel):
    """Object lifecycle rules: archive to cold storage, then expire."""

    expire_after: Duration | None = Field(None, description="Delete objects this long after creation.")
    archive_after: Duration | None = Field(
        None, description="Move objects to archival storage (Glacier / Archive class) this long after creation."
    )


class Bucket(ResourceBase):
    """An S3 bucket (aws) or Cloud Storage bucket (gcp). Public access is always blocked."""

    attributes = {"aws": ("name", "arn", "url", "id"), "gcp": ("name", "url", "id")}

    type: Literal["bucket"]
    existing: ExistingBucketName | None = Field(
        None, description="Name of a bucket that already exists: nothing is created, references still work."
    )
    versioning: bool = True
    encryption: Literal["default", "kms"] = "default"
    kms_key: str | None = Field(None, description="KMS key ARN (aws) or Cloud KMS key id (gcp) for `encryption: kms`.")
    lifecycle: Lifecycle | None = None
    location: str | None = cloud_only("gcp", description="Bucket location; default: the spec's region.")
    retain_on_destroy: bool = Field(True, description="`aipipe destroy` keeps the bucket and its data.")
    force_destroy: bool = Field(False, description="Delete all objects when the bucket itself is deleted.")


class Stream(ResourceBase):
    """A Kinesis data stream (aws): provisioned shards or on-demand capacity, encrypted by default."""

    attributes = {"aws": ("name", "arn")}

    type: Literal["stream"]
    shards: Annotated[int, Field(ge=1, le=10000)] | None = Field(None, description="Provisioned shard count.")
    mode: Literal["provisioned", "on-demand"] | None = Field(
        None, description="Capacity mode; default provisioned with `shards` (1 when not given)."
    )
    retention: Annotated[Duration, duration_between(24 * 3600, 365 * 86400)] = Field(
        24 * 3600, description="How long records are kept: 24h to 365d."
    )
    encryption: bool = Field(True, description="Server-side encryption with the AWS-managed KMS key.")
    kms_key: str | None = Field(None, description="A customer-managed KMS key for encryption.")
