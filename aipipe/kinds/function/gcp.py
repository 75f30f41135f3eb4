"""A function on GCP: a Cloud Function (2nd gen) running as its own service account, with a grant on each
resource it reads or writes, its code uploaded to the program's function-sources bucket, and its triggers:
one Eventarc event trigger and any number of Cloud Scheduler jobs."""

from __future__ import annotations

from aipipe.clouds.gcp import GCP, ROLES, service_account_id
from aipipe.kinds.base import RenderInputs
from aipipe.kinds.function.checks import trigger_uses
from aipipe.kinds.function.links import links
from aipipe.kinds.function.model import Function
from aipipe.semantics.symbols import Child, CodeFolder, Concat, Deployment
from aipipe.spec.parts import ProgramPart
from aipipe.spec.references import symbolic
from aipipe.triggers.registry import trigger_kind


def values(job: RenderInputs, name: str, function: Function) -> dict:
    """The Cloud Function template's values."""
    spec = job.spec
    member = Concat("serviceAccount:", Child(name, "account", "email"))
    grants = []
    for link in links(function):
        if link.role in ("reads", "writes"):
            grant = job.access(link.target, link.role, link.prefix)
            grants.append({"name": f"{name}-{link.role}-{link.target}", "member": member, **grant})
    triggers = [
        trigger_kind(use.trigger).wiring[("gcp", "function")](spec, use) for use in trigger_uses(name, function)
    ]
    event = next((wiring["event_trigger"] for wiring in triggers if "event_trigger" in wiring), None)
    return {
        "account_id": service_account_id(spec.header.name, spec.stack, name, "fn"),
        "member": member,
        "runtime": GCP.runtimes[function.runtime],
        "region": spec.header.region,
        "entry_point": function.handler,
        "available_memory": f"{function.memory}M",  # Cloud Run's memory units (M: megabytes)
        "timeout": function.timeout,
        "source_object": f"{name}/source.zip",
        "code_path": CodeFolder(function.code),
        "environment": {key: symbolic(text) for key, text in function.environment.items()},
        "event_trigger": event,
        "triggers": [wiring for wiring in triggers if "template" in wiring],
        "grants": grants,
        "project": Deployment("gcp_project_id"),
        "roles": {"invoke": ROLES["invoke"], "receive_events": ROLES["receive_events"]},
    }


def parts(cloud: str, spec) -> list[ProgramPart]:
    """On gcp, one bucket holds every function's source archive (build inputs only: not kept on destroy)."""
    if cloud != "gcp" or not any(resource.type == "function" for resource in spec.resources.values()):
        return []
    return [ProgramPart("function/gcp-sources.py.j2", {"location": spec.header.region}, before=True)]
