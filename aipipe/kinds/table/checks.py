"""The rules of a `table`: its keys and capacity on aws, its columns, partitioning, location and expiration on
gcp, each reported at the field to change."""

from __future__ import annotations

import re

from aipipe.kinds.base import check_kms_key
from aipipe.kinds.table.model import Table
from aipipe.spec.context import CheckContext
from aipipe.spec.values import format_duration

HOUR = 3600
# cloud.google.com/bigquery/docs/partitioned-tables#date_timestamp_partitioned_tables: time-unit column
# partitioning takes a DATE, TIMESTAMP or DATETIME column, a top-level one (not REPEATED)
PARTITION_TYPES = ("timestamp", "date", "datetime")
# cloud.google.com/bigquery/docs/locations: a region (`europe-west1`) or the `US` / `EU` multi-region
_LOCATION = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}|US|EU")


def check(ctx: CheckContext, name: str, table: Table) -> None:
    """The rules of the spec's cloud."""
    if ctx.cloud == "aws":
        _check_aws(ctx, name, table)
    elif ctx.cloud == "gcp":
        _check_gcp(ctx, name, table)


def _check_aws(ctx: CheckContext, name: str, table: Table) -> None:
    if table.partition_key is None and not ctx.was_dropped(name, "partition_key"):
        ctx.report(
            "AP201",
            "a DynamoDB table needs `partition_key` (e.g. `partition_key: {name: id, type: string}`)",
            ctx.at(name),
            True,
        )
    elif table.partition_key and table.sort_key and table.sort_key.name == table.partition_key.name:
        ctx.report("AP403", "`sort_key` must be another attribute than `partition_key`", ctx.at(name, "sort_key"))
    # pulumi-aws dynamodb.Table: read_capacity / write_capacity "If the billing_mode is PROVISIONED, this field is
    # required"; on-demand tables take none
    if table.billing == "provisioned" and table.capacity is None:
        ctx.report(
            "AP403", "`billing: provisioned` needs `capacity: {read: N, write: N}`", ctx.at(name, "billing"), True
        )
    if table.billing == "on_demand" and table.capacity is not None and not ctx.was_dropped(name, "billing"):
        ctx.report(
            "AP403",
            "`capacity` needs `billing: provisioned` (an on-demand table scales by itself)",
            ctx.at(name, "capacity"),
            True,
        )
    if table.kms_key and table.encryption != "kms":
        ctx.report("AP403", "`kms_key` needs `encryption: kms`", ctx.at(name, "kms_key"), True)
    check_kms_key(ctx, name, table)


def _check_gcp(ctx: CheckContext, name: str, table: Table) -> None:
    if table.location is not None and not _LOCATION.fullmatch(table.location):
        ctx.report(
            "AP202",
            f"`location` must be a BigQuery location: a region (`europe-west1`) or `US` / `EU`, got {table.location!r}",
            ctx.at(name, "location"),
        )
    # pulumi-gcp bigquery.Dataset default_table_expiration_ms: "The minimum value is 3600000 milliseconds (one hour)"
    if table.expiration is not None and table.expiration < HOUR:
        ctx.report(
            "AP402",
            f"`expiration` must be at least 1h, got {format_duration(table.expiration)}",
            ctx.at(name, "expiration"),
        )
    columns = table.columns or []
    seen: set[str] = set()
    for position, column in enumerate(columns):
        # column names are case-insensitive (cloud.google.com/bigquery/docs/schemas#column_names: "Duplicate column
        # names are not allowed even if the case differs")
        if column.name.lower() in seen:
            ctx.report("AP402", f"column `{column.name}` is listed twice", ctx.at(name, "columns", position, "name"))
        seen.add(column.name.lower())
    if table.partition_by is None:
        return
    if table.columns is None:
        ctx.report("AP403", "`partition_by` needs `columns` (a table to partition)", ctx.at(name, "partition_by"), True)
        return
    column = next((c for c in columns if c.name.lower() == table.partition_by.lower()), None)
    if column is None or column.type not in PARTITION_TYPES or column.mode == "repeated":
        ctx.report(
            "AP402",
            f"`partition_by` must name a {', '.join(PARTITION_TYPES)} column of `columns` that is not repeated, "
            f"got `{table.partition_by}`",
            ctx.at(name, "partition_by"),
        )
