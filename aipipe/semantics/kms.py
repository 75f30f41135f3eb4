"""Customer-managed KMS keys on aws: the form a `kms_key` must have for the generated IAM to name it, the
region it must be in, and the permissions producers and consumers of encrypted data need on it; and on gcp the
form and location of a Cloud KMS key for a bucket (gcp_key_problem). A `kms_key` may also name a key of the
spec (the `key` kind) by its resource name: its grants then name that key's ARN once it exists.

A key given in the spec is customer managed: its key policy need not trust the account's IAM policies for
the service, so every role that reads or writes the encrypted data gets an explicit grant on the key.
AWS-managed keys (`aws/s3`, `aws/kinesis`) need none: their key policies allow every principal of the account
that uses the service (docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key)."""

from __future__ import annotations

import re

from aipipe.semantics.iam import statement
from aipipe.semantics.symbols import Attr, Concat, Deployment

# A key of the spec is named by its resource name (aipipe.spec.values.RESOURCE_NAME): lowercase letters, digits
# and `-`, which no ARN (`arn:`), alias (`alias/`) or Cloud KMS resource name (`projects/`) can be.
KEY_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")


def names_key(key: str) -> bool:
    """Whether a `kms_key` names a `key` resource of the spec rather than an existing key."""
    return KEY_NAME.fullmatch(key) is not None


def spec_key(key: str, attribute: str) -> Attr | None:
    """`attribute` (arn, id) of the spec's key that `kms_key` names, or None when it is an existing key."""
    return Attr(key, attribute) if names_key(key) else None


# docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN; multi-Region keys are `mrk-...`.
# IAM authorizes KMS calls on the key's ARN, never on an alias (an alias in `Resource` matches nothing:
# docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html), so the key must be given by ARN.
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key/(?:mrk-)?[0-9a-f-]{32,36}$")

# S3 SSE-KMS (docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms): PutObject
# needs kms:GenerateDataKey, GetObject kms:Decrypt, and a multipart upload both (each part is decrypted to
# complete it). Kinesis (docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html): producers
# kms:GenerateDataKey, consumers kms:Decrypt.
# SNS (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): publishers kms:GenerateDataKey and kms:Decrypt.
# DynamoDB (docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html, "Table key caching"): DynamoDB
# decrypts the table key with KMS for each caller of the table (and its stream), so every reader and writer needs
# kms:Decrypt through DynamoDB; the items themselves are encrypted with that table key, not with the KMS key.
# SQS (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html, "Example
# policies"): senders kms:GenerateDataKey and kms:Decrypt, receivers kms:Decrypt.
READ_ACTIONS = {"s3": ["kms:Decrypt"], "kinesis": ["kms:Decrypt"], "dynamodb": ["kms:Decrypt"], "sqs": ["kms:Decrypt"]}
WRITE_ACTIONS = {
    "s3": ["kms:Decrypt", "kms:GenerateDataKey"],
    "kinesis": ["kms:GenerateDataKey"],
    "sns": ["kms:Decrypt", "kms:GenerateDataKey"],
    "dynamodb": ["kms:Decrypt"],
    "sqs": ["kms:Decrypt", "kms:GenerateDataKey"],
}


def key_problem(key: str, region: str) -> str | None:
    """Why a spec's `kms_key` cannot be used for data in `region`, or None. A key of the spec is named by its
    resource name (its type and region are checked with the spec: aipipe.kinds.base.check_kms_key), never by a
    reference, so that one form links the data to its key."""
    if "${" in key.replace("$${", ""):
        return (
            f"`kms_key` must be an existing key's ARN written out or the name of a `key` resource of the spec "
            f"(`kms_key: mykey`), got {key!r}"
        )
    if is_aws_managed(key) or names_key(key):
        return None
    found = KEY_ARN.fullmatch(key)
    if found is None:
        return (
            f"`kms_key` must be the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), got {key!r}: the generated "
            "IAM grants name the key by ARN, and an alias cannot be granted"
        )
    if found.group(1) != region:
        return (
            f"the KMS key is in {found.group(1)} and the data in {region}: S3, Kinesis, SNS, SQS and DynamoDB use "
            f"keys of their own region; use a key (or a multi-Region replica key) in {region}"
        )
    return None


def key_statements(service: str, role: str, key: str | None) -> list[dict]:
    """The grant a reader or writer (`role`) of `service` data needs on customer-managed `key` (none without).
    A valid key is an ARN written out, named as written, or a key of the spec, named by its ARN symbol."""
    if not key or is_aws_managed(key):
        return []
    actions = (READ_ACTIONS if role == "reads" else WRITE_ACTIONS)[service]
    resource = spec_key(key, "arn") or key
    # only through the service that holds the data (docs.aws.amazon.com/kms/latest/developerguide/
    # conditions-kms.html#conditions-kms-via-service): the role cannot use the key for anything else
    via = {"StringLike": {"kms:ViaService": Concat(f"{service}.*.", Deployment("aws_dns_suffix"))}}
    return [statement(actions, [resource], via)]


def is_aws_managed(key: str) -> bool:
    """Whether the key is an AWS-managed one named by its alias (`alias/aws/s3`): no grant is needed."""
    return key.startswith("alias/aws/")


# Cloud KMS key resource name (cloud.google.com/kms/docs/resource-hierarchy#retrieve_resource_id); key ring and
# key names hold letters, digits, `_` and `-` (cloud.google.com/kms/docs/create-key-ring: [a-zA-Z0-9_-]{1,63}).
GCP_KEY = re.compile(
    r"projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/([a-z0-9-]+)/keyRings/[\w-]{1,63}/cryptoKeys/[\w-]{1,63}",
    re.ASCII,
)


# Cloud KMS names its multi-regions `europe`, `us` and `asia` (cloud.google.com/kms/docs/locations), where Cloud
# Storage and BigQuery say `EU`, `US` and `ASIA` (a bucket or dataset in `EU` is encrypted with a key of
# `locations/europe`); regions and dual-regions (`europe-west1`, `nam4`, `eur4`) are the same names in lower case.
KMS_MULTI_REGIONS = {"eu": "europe"}


def kms_location(location: str) -> str:
    """The Cloud KMS location of keys for data in a Cloud Storage location (`EU` -> `europe`)."""
    lowered = location.lower()
    return KMS_MULTI_REGIONS.get(lowered, lowered)


def gcp_key_problem(key: str, location: str | None) -> str | None:
    """Why a Cloud KMS `kms_key` cannot encrypt a bucket in `location` (None: data with no location rule, a
    Pub/Sub topic), or None. Cloud Storage uses a key only in the bucket's own location: a regional bucket a key
    of that region, a multi- or dual-region bucket a key of that multi-region (`EU` -> `europe`, `NAM4` -> `nam4`),
    never `global` (cloud.google.com/storage/docs/encryption/customer-managed-keys#key-locations)."""
    if "${" in key:  # `$` is no character of a key name, so an escaped `$${` cannot be one either
        return (
            f"`kms_key` must be an existing key's resource name written out or the name of a `key` resource of "
            f"the spec (`kms_key: mykey`), got {key!r}"
        )
    if names_key(key):
        return None  # a key of the spec: its location is checked with the spec (aipipe.kinds.base.check_kms_key)
    found = GCP_KEY.fullmatch(key)
    if found is None:
        return (
            "`kms_key` must be a Cloud KMS key resource name "
            f"(projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY), got {key!r}"
        )
    if location is not None and found.group(1) != kms_location(location):
        return (
            f"the key is in `{found.group(1)}` and the bucket in `{location}`: Cloud Storage only uses a key of the "
            f"bucket's own location; use a key in `{kms_location(location)}`"
        )
    return None
