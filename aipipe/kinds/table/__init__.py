"""`table`: a DynamoDB table (aws: keys, on-demand or provisioned capacity, TTL, point-in-time recovery, an
optional stream that triggers functions) or a BigQuery dataset with an optional table (gcp). Both hold data:
kept on destroy and protected by the cloud's own deletion protection unless `retain_on_destroy: false`."""

from aipipe.kinds.base import CloudForm, GraphShape, Kind, kms_key_links
from aipipe.kinds.table import aws, gcp
from aipipe.kinds.table.checks import check
from aipipe.kinds.table.model import Table

KIND = Kind(
    name="table",
    model=Table,
    clouds={
        "aws": CloudForm(
            "DynamoDB table",
            {"name": ("table", "name"), "arn": ("table", "arn"), "stream_arn": ("table", "stream_arn")},
            values=aws.values,
            access={"reads": aws.reads, "writes": aws.writes, "consumes": aws.consumes},
            attribute_problem=aws.attribute_problem,
        ),
        "gcp": CloudForm(
            "BigQuery dataset and table",
            {
                "name": ("dataset", "dataset_id"),
                "id": ("dataset", "id"),
                "table_spec": ("table", "table_id"),  # computed: gcp.table_spec
            },
            values=gcp.values,
            access={"reads": gcp.reads, "writes": gcp.writes},
            special_attribute=gcp.table_spec,
            attribute_problem=gcp.attribute_problem,
        ),
    },
    graph=GraphShape(('[("', '")]'), "cylinder"),
    check=check,
    links=kms_key_links,
)
