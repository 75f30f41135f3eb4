"""A Dataflow job on GCP: a Flex template job (catalogue names) or a classic template job (gs:// paths), reading
a subscription aipipe manages, running as a generated worker service account whose grants are each scoped to
what the job touches: the Dataflow worker role, subscriber on its subscription, objects under its output and
temp prefixes, and data editing on its BigQuery dataset. The job waits for every grant."""

from __future__ import annotations

import re

from aipipe.clouds.gcp import ROLES, service_account_id
from aipipe.kinds.base import RenderInputs
from aipipe.kinds.dataflow.catalogue import CATALOGUE, INPUT_PARAMETER
from aipipe.kinds.dataflow.model import Dataflow
from aipipe.kinds.subscription import expiration_policy
from aipipe.semantics.gcs import object_condition
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment
from aipipe.spec.parts import ProgramPart
from aipipe.spec.permissions import gcp_grants
from aipipe.spec.references import parse_references, symbolic

# README_PubSub_to_BigQuery_Flex.md: outputTableSpec "formatted as PROJECT_ID:DATASET_NAME.TABLE_NAME"; project
# ids per cloud.google.com/resource-manager/docs/creating-managing-projects, dataset names letters, digits and
# underscores up to 1024 (cloud.google.com/bigquery/docs/datasets#dataset-naming)
BIGQUERY_TABLE = re.compile(
    r"(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9]):(?P<dataset>[A-Za-z0-9_]{1,1024})\.(?P<table>\S+)"
)

# `${events.table_spec}`: the table of a `table` resource of the spec (PROJECT:DATASET.TABLE once deployed)
SPEC_TABLE = re.compile(r"\$\{(?P<table>[a-z][a-z0-9-]*)\.table_spec\}")

# `${bucket.url}/some/prefix/`: a location in a bucket of the spec, narrowed to a prefix
_BUCKET_LOCATION = re.compile(r"\$\{(?P<bucket>[a-z][a-z0-9-]*)\.url\}(?:/(?P<prefix>\S*))?")


def bucket_locations(spec, texts) -> dict[str, list[str]]:
    """The buckets of the spec these texts point into, each with the object prefixes they name; an empty prefix
    (a reference that is not `${bucket.url}/prefix`) means the whole bucket."""
    found: dict[str, list[str]] = {}
    for text in texts:
        located = _BUCKET_LOCATION.fullmatch(text)
        if located and spec.resources[located["bucket"]].type == "bucket":
            prefixes = found.setdefault(located["bucket"], [])
            if (located["prefix"] or "") not in prefixes:
                prefixes.append(located["prefix"] or "")
            continue
        for reference in parse_references(text):
            if reference.form == "resource" and spec.resources[reference.target].type == "bucket":
                found.setdefault(reference.target, []).append("")
    return found


def values(inputs: RenderInputs, name: str, job: Dataflow) -> dict:
    """The Dataflow template's values: template, parameters, input subscription, worker account and grants."""
    spec = inputs.spec
    entry = CATALOGUE.get(job.template)
    input_kind = spec.resources[job.input].type if job.input else None
    parameters: dict = {}
    # a topic input gets a subscription of aipipe's own: the template reads it, and it keeps messages published
    # while no job runs (the classic template's per-job subscription did not)
    if input_kind == "topic":
        subscription = {"id": Child(name, "input", "id"), "name": Child(name, "input", "name")}
    elif input_kind == "subscription":
        subscription = {"id": Attr(job.input, "id"), "name": Attr(job.input, "name")}
    else:
        subscription = None
    bigquery = None
    if entry:
        parameters[INPUT_PARAMETER] = subscription["id"]
        parameters[entry.output_parameter] = symbolic(job.output)
        if entry.temp_parameter:
            parameters[entry.temp_parameter] = symbolic(job.temp)
        parameters.update(entry.extra)
        if entry.output_kind == "bigquery":
            bigquery = _bigquery_output(job.output or "")
    parameters.update({key: symbolic(text) for key, text in job.parameters.items()})
    member = (
        f"serviceAccount:{job.service_account}"
        if job.service_account
        else Concat("serviceAccount:", Child(name, "account", "email"))
    )
    written = [job.temp, *job.parameters.values()]
    if not (entry and entry.output_kind == "bigquery") and job.output:
        written.insert(0, job.output)
    buckets = [
        {
            "name": f"{name}-objects-{bucket}",
            "bucket": Attr(bucket, "name"),
            "condition": object_condition(Attr(bucket, "name"), p),
        }
        for bucket, p in bucket_locations(spec, written).items()
    ]
    return {
        "template": job.template,
        "flex": entry is not None,
        "generated_account": job.service_account is None,
        "service_account_email": job.service_account or Child(name, "account", "email"),
        "region": spec.header.region,
        "max_workers": job.max_workers,
        "machine_type": symbolic(job.machine_type) if job.machine_type else None,
        "on_delete": job.on_delete,
        # Dataflow workers with private IPs need Private Google Access on their subnetwork, which the default
        # network's subnets do not have (cloud.google.com/dataflow/docs/guides/routes-firewall
        # #turn_off_external_ip_address, cloud.google.com/vpc/docs/configure-private-google-access): public IPs
        # unless the spec turns them off
        "ip_configuration": None if job.public_ips else "WORKER_IP_PRIVATE",
        "roles": {"worker": ROLES["dataflow_worker"], "objects": ROLES["dataflow_objects"]},
        "template_path": f"gs://dataflow-templates-{spec.header.region}/latest/flex/{entry.flex_name}"
        if entry
        else symbolic(job.template),
        "parameters": parameters,
        "temp": symbolic(job.temp),
        "account_id": service_account_id(spec.header.name, spec.stack, name, "df"),
        "member": member,
        "buckets": buckets,
        "input_topic": Attr(job.input, "id") if input_kind == "topic" else None,
        "input_expiration": expiration_policy(None),
        "subscription_grants": [
            {"role": role, "subscription": subscription["name"], "name": f"{name}-{role.split('.')[-1]}"}
            for role in (ROLES["subscribe"], ROLES["view_subscription"])
        ]
        if subscription
        else [],
        "bigquery": {**bigquery, "role": ROLES["dataflow_bigquery"]} if bigquery else None,
        "project": Deployment("gcp_project_id"),
        "staging": _staging(name) if entry else None,
        "permissions": gcp_grants(inputs, name, job.permissions, member, []),
    }


def _bigquery_output(output: str) -> dict | None:
    """The project and dataset a BigQuery output is in: written out, or a table of the spec, whose dataset the
    grant then names by symbol (so it waits for the dataset, and the job for the grant)."""
    table = BIGQUERY_TABLE.fullmatch(output)
    if table:
        return {"project": table["project"], "dataset": table["dataset"]}
    spec_table = SPEC_TABLE.fullmatch(output)
    if spec_table:
        name = spec_table["table"]
        return {"project": Child(name, "table", "project"), "dataset": Attr(name, "name")}
    return None


# The program's bucket of Flex jobs' staged files (templates/dataflow/gcp-staging.py.j2), as a program variable.
STAGED_FILES = Child("dataflow-staged", "files")


def _staging(name: str) -> dict:
    """A Flex job's staging location, its own prefix of the staged-files bucket, and the worker's grant there."""
    bucket_name = Child(STAGED_FILES.resource, STAGED_FILES.role, "name")
    condition = object_condition(bucket_name, [f"{name}/"])
    return {
        "location": Concat(Child(STAGED_FILES.resource, STAGED_FILES.role, "url"), f"/{name}/"),
        "bucket": bucket_name,
        "condition": {**condition, "title": f"staged files of {name}"} if condition else None,
    }


def parts(cloud: str, spec) -> list[ProgramPart]:
    """On gcp, one bucket holds the staged files of every Flex template job: workers fetch them whenever they
    start, so they must outlive any expiry a `temp` bucket has (AP505 recommends one for scratch data)."""
    if cloud != "gcp" or not any(
        resource.type == "dataflow" and resource.template in CATALOGUE for resource in spec.resources.values()
    ):
        return []
    values = {"location": spec.header.region, "variable": STAGED_FILES}
    return [ProgramPart("dataflow/gcp-staging.py.j2", values, before=True)]
