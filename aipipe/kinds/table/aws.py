"""A table on AWS: a DynamoDB table, on-demand by default, with point-in-time recovery, an optional stream of
item changes, and what reading, writing or consuming its stream takes."""

from __future__ import annotations

from aipipe.kinds.base import kms_key_value
from aipipe.kinds.table.model import Table
from aipipe.semantics.iam import statement
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Attr, Concat

# AttributeDefinition.AttributeType (pulumi-aws dynamodb TableAttributeArgs.type: S, N or B)
ATTRIBUTE_TYPES = {"string": "S", "number": "N", "binary": "B"}
# pulumi-aws dynamodb.Table billing_mode: PROVISIONED or PAY_PER_REQUEST
BILLING_MODES = {"on_demand": "PAY_PER_REQUEST", "provisioned": "PROVISIONED"}


def values(job, name: str, table: Table) -> dict:
    """The DynamoDB template's values: keys and their attribute definitions, capacity, TTL, backups, stream,
    encryption and what destroy does."""
    keys = [key for key in (table.partition_key, table.sort_key) if key is not None]
    encryption = None
    if table.encryption == "kms":
        # pulumi-aws TableServerSideEncryptionArgs: enabled without kms_key_arn is the AWS-managed key
        # alias/aws/dynamodb; without the block at all the AWS-owned key
        encryption = {"enabled": True}
        if table.kms_key:
            encryption["kms_key_arn"] = kms_key_value(table.kms_key, "arn")
    provisioned = table.billing == "provisioned" and table.capacity is not None
    return {
        "attributes": [{"name": key.name, "type": ATTRIBUTE_TYPES[key.type]} for key in keys],
        "hash_key": keys[0].name if keys else None,
        "range_key": table.sort_key.name if table.sort_key else None,
        "billing_mode": BILLING_MODES[table.billing],
        "read_capacity": table.capacity.read if provisioned else None,
        "write_capacity": table.capacity.write if provisioned else None,
        "ttl": {"attribute_name": table.ttl_attribute, "enabled": True} if table.ttl_attribute else None,
        "point_in_time_recovery": {"enabled": table.point_in_time_recovery},
        # pulumi-aws dynamodb.Table stream_view_type: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES
        "stream_view_type": table.stream.upper() if table.stream else None,
        "server_side_encryption": encryption,
        "deletion_protection": table.retain_on_destroy,
        "retain": table.retain_on_destroy,
    }


# docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-data-crud.html (these ten on the
# table ARN) and docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html.
# Reading: single and batch gets, queries and scans, and the table's description (SDK helpers read the key
# schema). Writing: puts, updates, deletes and batch writes, and ConditionCheckItem, which a TransactWriteItems
# with a condition check needs besides the writes it holds
# (docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html). aipipe creates no
# secondary indexes, so nothing is granted on `table/NAME/index/*`.
READ_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
]
WRITE_ACTIONS = [
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
]
# docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html:
# a function processing a table's stream gets DescribeStream, GetRecords and GetShardIterator on
# `table/NAME/stream/*`. That page's policy also lists dynamodb:ListStreams there, but ListStreams has no
# resource-level permission (Service Authorization Reference for DynamoDB: resource `*` only; parliament reports
# RESOURCE_MISMATCH), so on `stream/*` it allows nothing, and the page's policy works without it: it is left out
# rather than granted on `*`.
STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]


def _key(table: Table) -> str | None:
    return table.kms_key if table.encryption == "kms" else None


def reads(name: str, table: Table, prefix: str) -> list[dict]:
    """Read items of the table (and decrypt with its customer-managed key)."""
    return [statement(READ_ACTIONS, [Attr(name, "arn")]), *key_statements("dynamodb", "reads", _key(table))]


def writes(name: str, table: Table, prefix: str) -> list[dict]:
    """Write items of the table (and use its customer-managed key)."""
    return [statement(WRITE_ACTIONS, [Attr(name, "arn")]), *key_statements("dynamodb", "writes", _key(table))]


def consumes(name: str, table: Table, prefix: str) -> list[dict]:
    """Read the table's stream, as the event source mapping of a `{stream: TABLE}` trigger does."""
    stream = Concat(Attr(name, "arn"), "/stream/*")
    return [statement(STREAM_ACTIONS, [stream]), *key_statements("dynamodb", "reads", _key(table))]


def attribute_problem(model: dict, attribute: str) -> str | None:
    """`${table.stream_arn}` exists only on a table with `stream`."""
    if attribute == "stream_arn" and not model.get("stream"):
        return "has no `stream`, so no stream ARN (set `stream: new_image` or another view)"
    return None
