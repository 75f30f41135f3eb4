"""What gives a function access to a bucket's objects (part of the bucket kind, aipipe.kinds.bucket): IAM
statements on the bucket's ARN narrowed to a key prefix (aws), a grant on the bucket with a prefix condition
(gcp), per role: reads, writes, deletes."""

from __future__ import annotations

from typing import Any

from aipipe.kinds.base import resource_grant
from aipipe.semantics.gcs import object_condition
from aipipe.semantics.iam import statement
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Attr, Concat


def aws_reads(name: str, bucket: Any, prefix: str) -> list[dict]:
    """GetObject under the prefix, and listing narrowed to it."""
    # Reading lists only within the prefix: s3:prefix narrows ListBucket (docs.aws.amazon.com/AmazonS3/latest/
    # userguide/amazon-s3-policy-keys.html#condition-key-bucket-ops-2).
    arn = Attr(name, "arn")
    listing = statement(["s3:ListBucket"], [arn], {"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None)
    return [
        statement(["s3:GetObject"], [Concat(arn, f"/{prefix}*")]),
        listing,
        *key_statements("s3", "reads", bucket.kms_key),
    ]


def aws_writes(name: str, bucket: Any, prefix: str) -> list[dict]:
    """PutObject (and aborting its multipart uploads) under the prefix, with the key grants a KMS bucket needs."""
    return [
        statement(["s3:PutObject", "s3:AbortMultipartUpload"], [Concat(Attr(name, "arn"), f"/{prefix}*")]),
        *key_statements("s3", "writes", bucket.kms_key),
    ]


def aws_deletes(name: str, bucket: Any, prefix: str) -> list[dict]:
    """DeleteObject under the prefix."""
    # DeleteObject alone: on a versioned bucket it adds a delete marker and keeps the versions, which only
    # s3:DeleteObjectVersion (not granted) removes for good (docs.aws.amazon.com/AmazonS3/latest/userguide/
    # DeleteMarker.html); a deleted object needs no key grant
    return [statement(["s3:DeleteObject"], [Concat(Attr(name, "arn"), f"/{prefix}*")])]


BUCKET_MEMBER = ("storage.BucketIAMMember", "bucket")


def gcp_grant(role: str, name: str, bucket: Any, prefix: str) -> dict:
    """`role` on the bucket, narrowed to objects under `prefix` when there is one."""
    condition = object_condition(Attr(name, "name"), [prefix])
    return {**resource_grant(*BUCKET_MEMBER, role, name, bucket, prefix), "condition": condition}
