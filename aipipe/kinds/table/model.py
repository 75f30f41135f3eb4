"""The `table` model: a DynamoDB table (aws) or a BigQuery dataset with an optional table (gcp)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from aipipe.spec.model import ResourceBase, StrictModel, cloud_only, cloud_required
from aipipe.spec.values import Duration, named_pattern

# docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html: attribute names
# are at least one character; partition and sort key names at most 255
KeyName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# cloud.google.com/bigquery/docs/datasets#dataset-naming: letters, digits and underscores, at most 1,024 (the
# pulumi-gcp bigquery.Dataset docstring of dataset_id says the same)
DatasetName = named_pattern(r"^[A-Za-z0-9_]{1,1024}$", "1-1024 letters, digits and `_`")
# cloud.google.com/bigquery/docs/schemas#column_names: letters, digits and underscores, starting with a letter or
# underscore, at most 300 characters
ColumnName = named_pattern(
    r"^[A-Za-z_][A-Za-z0-9_]{0,299}$", "1-300 letters, digits and `_`, starting with a letter or `_`"
)


class Key(StrictModel):
    """A key attribute of a DynamoDB table: its name and scalar type."""

    name: KeyName
    # AttributeDefinition.AttributeType: S, N or B (pulumi-aws dynamodb TableAttributeArgs.type)
    type: Literal["string", "number", "binary"] = Field("string", description="`string`, `number` or `binary`.")


class Capacity(StrictModel):
    """Provisioned throughput of a DynamoDB table (`billing: provisioned`)."""

    # at least 1 (terraform-provider-aws internal/service/dynamodb/table.go: provisionedThroughputMinValue = 1)
    read: Annotated[int, Field(ge=1)] = Field(description="Read capacity units.")
    write: Annotated[int, Field(ge=1)] = Field(description="Write capacity units.")


class Column(StrictModel):
    """A column of a BigQuery table's schema."""

    name: ColumnName
    # cloud.google.com/bigquery/docs/schemas#standard_sql_data_types (the names a table schema takes); RECORD
    # (nested columns) is left out
    type: Literal[
        "string",
        "bytes",
        "integer",
        "float",
        "numeric",
        "bignumeric",
        "boolean",
        "timestamp",
        "date",
        "time",
        "datetime",
        "geography",
        "json",
    ]
    # cloud.google.com/bigquery/docs/schemas#modes
    mode: Literal["nullable", "required", "repeated"] = "nullable"


class Table(ResourceBase):
    """A DynamoDB table (aws), or a BigQuery dataset holding a table when `columns` are given (gcp)."""

    type: Literal["table"]
    retain_on_destroy: bool = Field(
        True,
        description="`aipipe destroy` keeps the table and its data, and the cloud's deletion protection is on "
        "(DynamoDB `deletion_protection_enabled`, BigQuery table `deletion_protection`).",
    )
    partition_key: Key | None = cloud_required("aws", "The partition (hash) key: `{name: id, type: string}`.")
    sort_key: Key | None = cloud_only("aws", description="The sort (range) key, if items have one.")
    billing: Literal["on_demand", "provisioned"] = cloud_only(
        "aws", "on_demand", "`on_demand` (pay per request) or `provisioned` with `capacity`."
    )
    capacity: Capacity | None = cloud_only("aws", description="With `billing: provisioned`: read and write units.")
    ttl_attribute: KeyName | None = cloud_only(
        "aws", description="The attribute holding each item's expiry (epoch seconds); DynamoDB deletes expired items."
    )
    point_in_time_recovery: bool = cloud_only(
        "aws", True, "Continuous backups: restore the table to any second of the last 35 days."
    )
    stream: Literal["keys_only", "new_image", "old_image", "new_and_old_images"] | None = cloud_only(
        "aws",
        description="Record item changes in a DynamoDB stream (what each record holds); a function's "
        "`{stream: TABLE}` trigger reads it.",
    )
    encryption: Literal["default", "kms"] = cloud_only(
        "aws",
        "default",
        "`default`: the AWS-owned key; `kms`: the AWS-managed key alias/aws/dynamodb, or `kms_key`.",
    )
    kms_key: str | None = cloud_only(
        "aws", description="With `encryption: kms`: a customer-managed key's ARN, in the table's region."
    )
    dataset: DatasetName | None = cloud_only(
        "gcp",
        description="The dataset's id (letters, digits, `_`); default `<spec>_<stack>_<name>`, so stacks of "
        "one project do not collide.",
    )
    location: str | None = cloud_only("gcp", description="A region or the `US`/`EU` multi-region; default the spec's.")
    expiration: Duration | None = cloud_only(
        "gcp", description="Delete tables this long after they are created (at least 1h): the dataset's default."
    )
    # `columns`, not `schema`: pydantic's BaseModel has a `schema` method a field would shadow
    columns: list[Column] | None = cloud_only(
        "gcp",
        description="The schema of a table to create in the dataset, named like the resource (`-` as `_`); "
        "without it the dataset is created empty.",
    )
    partition_by: ColumnName | None = cloud_only(
        "gcp", description="A `timestamp`, `date` or `datetime` column of `columns`: one partition per day."
    )
