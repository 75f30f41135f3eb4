"""A table on GCP: a BigQuery dataset, and a table in it when `columns` are given; reading and writing are grants
on the dataset, and running BigQuery jobs (queries, loads) a grant on the project."""

from __future__ import annotations

import json
import re

from aipipe.kinds.table.model import Table
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment
from aipipe.spec.references import symbolic

# cloud.google.com/bigquery/docs/access-control: dataViewer reads tables and their data (tables.get, .getData,
# .list); dataEditor also creates, updates and writes them (tables.create, .updateData, .delete)
READ_ROLE = "roles/bigquery.dataViewer"
WRITE_ROLE = "roles/bigquery.dataEditor"
# Queries and load jobs are jobs that run in a project: bigquery.jobs.create, which jobUser holds
# (cloud.google.com/bigquery/docs/running-queries#required_permissions, cloud.google.com/bigquery/docs/
# batch-loading-data#required_permissions). Reading rows through tabledata.list or the Storage Read API needs no
# job, but a query does, so readers and writers both get it, once per function.
JOB_ROLE = "roles/bigquery.jobUser"
MILLISECONDS = 1000


def dataset_id(spec, name: str, table: Table) -> str:
    """The dataset's id: the spec's `dataset`, else one per project, stack and resource (only letters, digits
    and `_`: cloud.google.com/bigquery/docs/datasets#dataset-naming)."""
    return table.dataset or re.sub(r"[^A-Za-z0-9_]", "_", f"{spec.header.name}_{spec.stack}_{name}")


def table_id(name: str) -> str:
    """The table's id: the resource's name, `-` as `_` (table names take letters, digits and `_`:
    cloud.google.com/bigquery/docs/tables#table_naming)."""
    return name.replace("-", "_")


def values(job, name: str, table: Table) -> dict:
    """The BigQuery template's values: dataset id, location, default expiration, the table's schema and time
    partitioning, and what destroy does."""
    spec = job.spec
    created = None
    if table.columns is not None:
        schema = [
            {"name": column.name, "type": column.type.upper(), "mode": column.mode.upper()} for column in table.columns
        ]
        created = {
            "table_id": table_id(name),
            # pulumi-gcp bigquery.Table schema: "A JSON schema for the table"
            "schema": json.dumps(schema, separators=(",", ":")),
            # pulumi-gcp TableTimePartitioningArgs: type DAY, HOUR, MONTH or YEAR; field the partitioning column
            "time_partitioning": {"type": "DAY", "field": table.partition_by} if table.partition_by else None,
            # pulumi-gcp bigquery.Table deletion_protection: unless false in state, a destroy or an update that
            # would delete the table fails
            "deletion_protection": table.retain_on_destroy,
        }
    return {
        "dataset_id": dataset_id(spec, name, table),
        "location": symbolic(table.location or spec.header.region),
        "expiration_ms": table.expiration * MILLISECONDS if table.expiration else None,
        # pulumi-gcp bigquery.Dataset delete_contents_on_destroy: false makes deleting a dataset that still holds
        # tables (ones aipipe does not manage, such as a Dataflow job's error table) fail rather than drop them
        "delete_contents_on_destroy": False,
        "table": created,
        "retain": table.retain_on_destroy,
    }


def _dataset_grant(role: str, name: str) -> dict:
    return {
        "iam_class": "bigquery.DatasetIamMember",
        "target_argument": "dataset_id",
        "role": role,
        "resource": Attr(name, "name"),
        "condition": None,
    }


def _job_grant() -> dict:
    """jobUser on the project; `once` names it in the function, which takes it once whatever it reads."""
    return {
        "iam_class": "projects.IAMMember",
        "target_argument": "project",
        "role": JOB_ROLE,
        "resource": Deployment("gcp_project_id"),
        "condition": None,
        "once": "bigquery-jobs",
    }


def reads(name: str, table: Table, prefix: str) -> list[dict]:
    """Read the dataset's tables, and run queries."""
    return [_dataset_grant(READ_ROLE, name), _job_grant()]


def writes(name: str, table: Table, prefix: str) -> list[dict]:
    """Write the dataset's tables, and run load jobs."""
    return [_dataset_grant(WRITE_ROLE, name), _job_grant()]


def table_spec(name: str, table: Table, attribute: str):
    """`${name.table_spec}`: the table as BigQuery templates and tools write it, PROJECT:DATASET.TABLE."""
    if attribute != "table_spec":
        return None
    return Concat(Child(name, "table", "project"), ":", Child(name, "table", "dataset_id"), ".", table_id(name))


def attribute_problem(model: dict, attribute: str) -> str | None:
    """`${name.table_spec}` exists only on a table with `columns` (a dataset alone has no table)."""
    if attribute == "table_spec" and model.get("columns") is None:
        return "has no `columns`, so no table in its dataset"
    return None
