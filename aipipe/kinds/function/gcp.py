"""A function on GCP: a Cloud Function (2nd gen) built by the program's build account (aipipe.kinds.function.
build), running as its own runtime account with a grant on each resource it reads or writes and on each secret
its environment reads (aipipe.kinds.function.secrets), its code uploaded to the program's function-sources
bucket under a name that changes with the code, and its triggers: one Eventarc event trigger or Cloud
Scheduler jobs, which call it as a second account of its own (the caller) that may only invoke it.

Two accounts, not one: the caller is what Eventarc (event_trigger.service_account_email) and Cloud Scheduler
(the OIDC token) present, and needs only roles/run.invoker on this function; the runtime account needs only
its data grants. One account for both let any code running as the function invoke it (and anything able to
act as the trigger read and write its data). The caller gets roles/eventarc.eventReceiver only for events that
are not direct Pub/Sub events: "Eventarc Event Receiver role ... If you are routing direct events from Cloud
Pub/Sub, you don't need to grant this role" (cloud.google.com/eventarc/standard/docs/functions/roles-
permissions, step 2). Cloud Storage events are delivered through Pub/Sub published by the Cloud Storage
service agent (aipipe.triggers.bucket), and the function waits for that grant and the event-receiver grant,
as the provider's own Cloud Storage example orders them (pulumi-gcp cloudfunctionsv2.Function, "Cloudfunctions2
Basic Gcs": depends_on=[event_receiving, ...], the receiver after the publisher grant).

Ingress is internal-only for a function that has triggers: its callers are Eventarc (Pub/Sub push) and Cloud
Scheduler of the same project, which Cloud Run lets through internal-only ingress "if they're in the same
project or VPC Service Controls perimeter as your Cloud Run service and if they're using the default run.app
URL and not a custom domain" (cloud.google.com/run/docs/securing/ingress, "Internal": Cloud Scheduler,
Cloud Tasks, Eventarc, Pub/Sub, Workflows, ...); so Scheduler jobs call the run.app address (service_config.
uri). The provider's own event-function examples set ALLOW_INTERNAL_ONLY too. A function without triggers
keeps the default (all traffic, IAM still required): it is called by hand through its `url`."""

from __future__ import annotations

import re

from aipipe.clouds.gcp import GCP, ROLES, service_account_id
from aipipe.kinds.base import RenderInputs
from aipipe.kinds.function.build import build_account, build_grants, builder_values, source_object
from aipipe.kinds.function.checks import trigger_uses
from aipipe.kinds.function.links import ACCESS_ROLES, links
from aipipe.kinds.function.model import Function
from aipipe.kinds.function.options import gcp_option_values
from aipipe.kinds.function.secrets import secret_variables
from aipipe.semantics.symbols import Child, CodeFolder, Concat, Deployment, Secret
from aipipe.spec.parts import ProgramPart
from aipipe.spec.permissions import gcp_grants, same_binding
from aipipe.spec.references import symbolic
from aipipe.triggers.registry import trigger_kind

INTERNAL_ONLY = "ALLOW_INTERNAL_ONLY"
SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"


def _secrets(job: RenderInputs, name: str, function: Function, member) -> list[dict]:
    """One Secret Manager secret (auto replication) per secret variable, its value from the stack config, read
    only by the runtime account (SecretIamMember takes the secret's id, `projects/{project}/secrets/{secret_id}`,
    one of the forms its docstring lists). Each function keeps its own copy, inside its component: the grant
    then names exactly the secret that function reads, and nothing is shared between functions' lifecycles."""
    spec = job.spec
    found = []
    for position, (variable, secret) in enumerate(secret_variables(function).items()):
        found.append(
            {
                "key": variable,
                "name": f"{name}-secret-{secret.lower().replace('_', '-')}",
                # Secret Manager ids take letters, digits, `-` and `_` (cloud.google.com/secret-manager/docs/
                # creating-and-accessing-secrets); one per project, so the stack and function are in it
                "secret_id": re.sub(r"[^A-Za-z0-9_-]", "-", f"{spec.header.name}-{spec.stack}-{name}-{secret}"),
                "variable": Child(name, f"secret_{position}"),
                "version": Child(name, f"secret_{position}_value"),
                "grant": Child(name, f"secret_{position}_access"),
                "value": Secret(secret),
                "member": member,
                "role": SECRET_ACCESSOR,
            }
        )
    return found


def _data_grants(job: RenderInputs, name: str, function: Function, member) -> list[dict]:
    """The grants of the function's reads, writes and deletes. A kind's access is one grant or several; a grant
    marked `once` (BigQuery's job role on the project) is the same whatever the function reads, so it is made once
    and named by that mark; and one binding (role, resource, condition) is made once: two IAMMember resources of
    one binding would remove it for both when either goes."""
    grants: list[dict] = []
    made: set[str] = set()
    for link in links(function):
        if link.role not in ACCESS_ROLES:
            continue
        access = job.access(link.target, link.role, link.prefix)
        for grant in access if isinstance(access, list) else [access]:
            grant = dict(grant)
            once = grant.pop("once", None)
            if once in made or any(same_binding(grant, other) for other in grants):
                continue
            if once:
                made.add(once)
            variable = Child(name, f"data_grant_{len(grants) + 1}")
            label = once or f"{link.role}-{link.target}"
            grants.append({"name": f"{name}-{label}", "member": member, "variable": variable, **grant})
    return grants


def values(job: RenderInputs, name: str, function: Function) -> dict:
    """The Cloud Function template's values."""
    spec = job.spec
    artifact = job.artifact(name)
    member = Concat("serviceAccount:", Child(name, "account", "email"))
    caller = Concat("serviceAccount:", Child(name, "caller", "email"))
    grants = _data_grants(job, name, function, member)
    grants += gcp_grants(job, name, function.permissions, member, grants)
    uses = trigger_uses(name, function)
    triggers = [trigger_kind(use.trigger).wiring[("gcp", "function")](spec, use) for use in uses]
    event_wiring = next((wiring for wiring in triggers if "event_trigger" in wiring), None)
    secrets = _secrets(job, name, function, member)
    secret_keys = {secret["key"] for secret in secrets}  # these variables come from Secret Manager instead
    receive_events = bool(event_wiring and event_wiring.get("receive_events"))
    # the first invocation may come at once (an event already queued): the data grants have settled by then
    waits = [*build_grants(), *(g["variable"] for g in grants)]
    waits += [*(s["version"] for s in secrets), *(s["grant"] for s in secrets)]
    if receive_events:
        waits.append(Child(name, "event_receiver"))
    waits += [wait for wiring in triggers for wait in wiring.get("waits", ())]
    return {
        "account_id": service_account_id(spec.header.name, spec.stack, name, "fn"),
        "caller_id": service_account_id(spec.header.name, spec.stack, name, "call"),
        "member": member,
        "caller": caller,
        "runtime": GCP.runtimes[function.runtime],
        "region": spec.header.region,
        "entry_point": function.handler,
        "build_account": build_account(),
        "available_memory": f"{function.memory}M",  # Cloud Run's memory units (M: megabytes)
        "timeout": function.timeout,
        "max_instances": function.max_instances,
        **gcp_option_values(function, spec.header.region),
        "ingress": INTERNAL_ONLY if uses else None,
        "source_object": source_object(name, artifact),
        "code_path": CodeFolder(artifact.path.relative_to(spec.base_dir).as_posix()),
        "environment": {key: symbolic(text) for key, text in function.environment.items() if key not in secret_keys},
        "secrets": secrets,
        "event_trigger": event_wiring["event_trigger"] if event_wiring else None,
        "receive_events": receive_events,
        "triggers": [wiring for wiring in triggers if "template" in wiring],
        "grants": grants,
        "waits": waits,
        "project": Deployment("gcp_project_id"),
        "roles": {"invoke": ROLES["invoke"], "receive_events": ROLES["receive_events"]},
    }


def parts(cloud: str, spec) -> list[ProgramPart]:
    """On gcp, one bucket holds every function's source archive (build inputs only: not kept on destroy), and
    one service account builds every function."""
    if cloud != "gcp" or not any(resource.type == "function" for resource in spec.resources.values()):
        return []
    return [ProgramPart("function/gcp-sources.py.j2", builder_values(spec), before=True)]
