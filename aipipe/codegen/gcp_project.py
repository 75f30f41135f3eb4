"""What a GCP program sets up in its project before anything else: the APIs it uses, enabled (a fresh project
has only a default set), the service agents its triggers and dead letters act through, and a wait for their
roles to propagate. The program's own text decides what is needed: every `gcp.<module>.<Class>` it calls maps
to the APIs that serve it, so a template that starts using a new module cannot silently skip its API (an
unmapped module is a render error, and tests/test_gcp_project.py plans every GCP spec against this table)."""

from __future__ import annotations

import re

from aipipe.codegen.safe import Code, RenderError

# The line program.py.j2 leaves where the project setup goes; render_program replaces it.
SETUP_MARKER = "# aipipe: project setup"
IMPORTS_MARKER = "# aipipe: project setup imports"
# Every GCP resource depends on everything in this list (the enabled APIs, then the agents' settling wait).
READY = Code("project_ready")

# SDK module -> the APIs its resources are served by. Sources: each product's "enable the API" step; Cloud
# Functions (2nd gen) builds with Cloud Build into Artifact Registry and runs on Cloud Run
# (cloud.google.com/functions/docs/create-deploy-gcloud: "Enable the Cloud Functions, Cloud Build, Artifact
# Registry, Cloud Run, and Cloud Logging APIs"); Dataflow workers are Compute Engine VMs
# (cloud.google.com/dataflow/docs/quickstarts/create-pipeline-python: "Enable the Dataflow, Compute Engine,
# Cloud Logging, Cloud Storage, ... APIs"); project IAM policy is read and written through Resource Manager
# (cloud.google.com/resource-manager/reference/rest/v1/projects/setIamPolicy); service accounts through IAM.
APIS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "storage": ("storage.googleapis.com",),
    "pubsub": ("pubsub.googleapis.com",),
    "serviceaccount": ("iam.googleapis.com",),
    "projects": ("cloudresourcemanager.googleapis.com",),
    "cloudfunctionsv2": (
        "cloudfunctions.googleapis.com",
        "run.googleapis.com",
        "cloudbuild.googleapis.com",
        "artifactregistry.googleapis.com",
        "logging.googleapis.com",
    ),
    "cloudrun": ("run.googleapis.com",),
    "cloudrunv2": ("run.googleapis.com",),
    "cloudscheduler": ("cloudscheduler.googleapis.com",),
    "dataflow": ("dataflow.googleapis.com", "compute.googleapis.com", "logging.googleapis.com"),
    "secretmanager": ("secretmanager.googleapis.com",),
    "bigquery": ("bigquery.googleapis.com",),
    "kms": ("cloudkms.googleapis.com",),
    "eventarc": ("eventarc.googleapis.com",),
    "artifactregistry": ("artifactregistry.googleapis.com",),
    "cloudbuild": ("cloudbuild.googleapis.com",),
    # data sources that read the provider's own configuration call no API
    "organizations": (),
}
# A Cloud Function's event trigger is an Eventarc trigger; Eventarc delivers Pub/Sub and Cloud Storage events
# through Pub/Sub (cloud.google.com/functions/docs/calling/eventarc: "Enable the Eventarc and Pub/Sub APIs").
EVENT_TRIGGER_APIS = ("eventarc.googleapis.com", "pubsub.googleapis.com")

# Service agents the program acts through, by the service that owns them. Eventarc's agent creates the
# trigger's subscription and Pub/Sub's agent signs the push requests and publishes dead letters; both are
# created when their API is first used and get their roles then, which takes minutes to propagate: a first
# deploy fails with "Permission denied while using the Eventarc Service Agent ... it may take a few minutes"
# (hashicorp/terraform-provider-google#25294, pulumi/pulumi-gcp#1290). The program creates them explicitly
# (gcp.projects.ServiceIdentity) and waits before anything that uses them.
AGENT_VARIABLE = "service_agent_{service}"
AGENT_SETTLING = "120s"
# How long a function or Dataflow job waits after the grants it needs (templates/common/gcp-grants-settled.py.j2):
# the same propagation time
GRANTS_SETTLING = AGENT_SETTLING  # IAM: "typically 2 minutes" (cloud.google.com/iam/docs/access-change-propagation)

# The types of the setup's resources (what `aipipe plan` does not repeat as every resource's dependency).
SETUP_TYPES = frozenset(
    {"gcp:projects/service:Service", "gcp:projects/serviceIdentity:ServiceIdentity", "time:index/sleep:Sleep"}
)

_CALL = re.compile(r"\bgcp\.([a-z0-9_]+)\.[A-Za-z_]\w*")
_AGENT_USE = re.compile(r"\bservice_agent_([a-z]+)\b")


def apis_used(source: str) -> list[str]:
    """The APIs a rendered GCP program needs, in a stable order, from the SDK modules it calls."""
    apis: list[str] = []
    for module in _CALL.findall(source):
        if module not in APIS_OF_MODULE:
            raise RenderError(
                f"the program uses gcp.{module}, whose API aipipe does not know: add it to "
                "aipipe.codegen.gcp_project.APIS_OF_MODULE"
            )
        apis.extend(APIS_OF_MODULE[module])
    if "event_trigger=" in source:
        apis.extend(EVENT_TRIGGER_APIS)
    return sorted(set(apis))


def agents_used(source: str) -> list[str]:
    """The services whose agents the program needs: those it names, plus Eventarc's and Pub/Sub's for event
    triggers."""
    agents = set(_AGENT_USE.findall(source))
    if "event_trigger=" in source:
        agents |= {"eventarc", "pubsub"}
    return sorted(agents)


def setup_values(source: str) -> dict:
    """What templates/project/gcp-setup.py.j2 renders for a program whose other lines are `source`."""
    agents = [
        {"service": f"{service}.googleapis.com", "name": f"{service}-agent", "variable": _agent_variable(service)}
        for service in agents_used(source)
    ]
    return {
        "apis": [{"api": api, "name": "api-" + api.split(".")[0]} for api in apis_used(source)],
        "agents": agents,
        "agent_list": Code("[" + ", ".join(agent["variable"] for agent in agents) + "]"),
        "settling": AGENT_SETTLING,
    }


def _agent_variable(service: str) -> Code:
    return Code(AGENT_VARIABLE.format(service=service))
