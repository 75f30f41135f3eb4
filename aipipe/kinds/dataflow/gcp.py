"""A Dataflow job on GCP: the template path and parameters, and a generated worker service account with the
Dataflow worker role and object access to the buckets its locations name (unless the spec names one)."""

from __future__ import annotations

from aipipe.clouds.gcp import ROLES, service_account_id
from aipipe.kinds.base import RenderInputs
from aipipe.kinds.dataflow.catalogue import CATALOGUE
from aipipe.kinds.dataflow.model import Dataflow
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment
from aipipe.spec.references import parse_references, symbolic


def values(inputs: RenderInputs, name: str, job: Dataflow) -> dict:
    """The Dataflow template's values: template path, parameters, worker account and its grants."""
    spec = inputs.spec
    parameters: dict = {}
    input_kind = spec.resources[job.input].type if job.input else None
    if job.template in CATALOGUE:
        entry = CATALOGUE[job.template]
        path = f"gs://dataflow-templates-{spec.header.region}/latest/{entry.paths[input_kind]}"
        parameters[entry.input_parameters[input_kind]] = Attr(job.input, "id")
        parameters[entry.output_parameter] = symbolic(job.output)
        if entry.temp_parameter:
            parameters[entry.temp_parameter] = symbolic(job.temp)
        parameters.update(entry.extra)
    else:
        path = symbolic(job.template)
    parameters.update({key: symbolic(text) for key, text in job.parameters.items()})
    member = (
        f"serviceAccount:{job.service_account}"
        if job.service_account
        else Concat("serviceAccount:", Child(name, "account", "email"))
    )
    buckets = []
    for text in filter(None, (job.output, job.temp, *job.parameters.values())):
        for reference in parse_references(text):
            if (
                reference.form == "resource"
                and spec.resources[reference.target].type == "bucket"
                and reference.target not in buckets
            ):
                buckets.append(reference.target)
    subscription_grants = []
    if input_kind == "subscription":
        subscription_grants = [
            {"role": role, "subscription": Attr(job.input, "name"), "name": f"{name}-{role.split('.')[-1]}-{job.input}"}
            for role in (ROLES["subscribe"], ROLES["view_subscription"])
        ]
    return {
        "template": job.template,
        "generated_account": job.service_account is None,
        "service_account_email": job.service_account or Child(name, "account", "email"),
        "region": spec.header.region,
        "max_workers": job.max_workers,
        "machine_type": symbolic(job.machine_type) if job.machine_type else None,
        "on_delete": job.on_delete,
        "roles": {
            "worker": ROLES["dataflow_worker"],
            "objects": ROLES["dataflow_objects"],
            "topic_input": ROLES["dataflow_topic_input"],
        },
        "template_path": path,
        "parameters": parameters,
        "temp": symbolic(job.temp),
        "account_id": service_account_id(spec.header.name, spec.stack, name, "df"),
        "member": member,
        "buckets": [{"name": f"{name}-objects-{b}", "bucket": Attr(b, "name")} for b in buckets],
        "subscription_grants": subscription_grants,
        # a topic input: the template creates its own subscription, which needs project-level rights
        "topic_input": input_kind == "topic",
        "project": Deployment("gcp_project_id"),
    }
