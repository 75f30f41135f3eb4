"""What a GCP program sets up in its project before anything else: the APIs it uses, enabled (a fresh project
has only a default set), the service agents its triggers and dead letters act through, and a wait for their
roles to propagate. The program's own text decides what is needed: every `gcp.<module>.<Class>` it calls maps
to the APIs that serve it, so a template that starts using a new module cannot silently skip its API (an
unmapped module is a render error, and tests/test_gcp_project.py plans every GCP spec against this table)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from aipipe.clouds.gcp import APIS_OF_MODULE  # SDK module -> its APIs: a cloud fact, also read at validate
from aipipe.codegen.expressions import DEPLOYMENT_CODE
from aipipe.codegen.safe import Code, RenderError

# The line program.py.j2 leaves where the project setup goes; render_program replaces it.
SETUP_MARKER = "# aipipe: project setup"
IMPORTS_MARKER = "# aipipe: project setup imports"
# Every GCP resource depends on everything in this list (the enabled APIs, then the agents' settling wait).
READY = Code("project_ready")

# A Cloud Function's event trigger is an Eventarc trigger; Eventarc delivers Pub/Sub and Cloud Storage events
# through Pub/Sub (cloud.google.com/functions/docs/calling/eventarc: "Enable the Eventarc and Pub/Sub APIs").
EVENT_TRIGGER_APIS = ("eventarc.googleapis.com", "pubsub.googleapis.com")

# Service agents the program acts through, by the service that owns them. Eventarc's agent creates the
# trigger's subscription and Pub/Sub's agent signs the push requests and publishes dead letters; both are
# created when their API is first used and get their roles then, which takes minutes to propagate: a first
# deploy fails with "Permission denied while using the Eventarc Service Agent ... it may take a few minutes"
# (hashicorp/terraform-provider-google#25294, pulumi/pulumi-gcp#1290). The program creates them explicitly
# (gcp.projects.ServiceIdentity) and waits before anything that uses them.
_AGENT_PREFIX = "service_agent_"
AGENT_VARIABLE = _AGENT_PREFIX + "{service}"
# The role each agent holds in the project. Google grants it when the agent is first created, but not always
# before a trigger needs it (pulumi/pulumi-gcp#1290: the fix there grants roles/eventarc.serviceAgent to the
# ServiceIdentity's member); granting it again is harmless, and the grant is kept on destroy, since the agent
# serves every workload of the project (cloud.google.com/iam/docs/service-agents).
AGENT_ROLES = {"eventarc": "roles/eventarc.serviceAgent", "pubsub": "roles/pubsub.serviceAgent"}
AGENT_SETTLING = "120s"
# How long a function or Dataflow job waits after the grants it needs (templates/common/gcp-grants-settled.py.j2):
# the same propagation time
GRANTS_SETTLING = AGENT_SETTLING  # IAM: "typically 2 minutes" (cloud.google.com/iam/docs/access-change-propagation)

# The types of the setup's resources (what `aipipe plan` does not repeat as every resource's dependency).
SETUP_TYPES = frozenset(
    {"gcp:projects/service:Service", "gcp:projects/serviceIdentity:ServiceIdentity", "time:index/sleep:Sleep"}
)


@dataclass(frozen=True)
class ProgramUses:
    """What a rendered program's code (never its string literals, which may hold a spec's text) uses."""

    modules: frozenset[str]  # SDK modules it calls: gcp.<module>.<Class>
    event_trigger: bool  # a Cloud Function with an event trigger
    agents: frozenset[str]  # services whose agents it names (service_agent_<service>)
    sleeps: bool  # a time.Sleep of its own


def program_uses(source: str) -> ProgramUses:
    """Read the parsed program: attribute chains, calls and names, so text inside strings counts for nothing."""
    modules, agents = set(), set()
    event_trigger = sleeps = False
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            chain = _dotted(node)
            if chain and len(chain) >= 3 and chain[0] == "gcp":
                modules.add(chain[1])
        elif isinstance(node, ast.Call):
            called = _dotted(node.func)
            if called == ["gcp", "cloudfunctionsv2", "Function"]:
                event_trigger |= any(keyword.arg == "event_trigger" for keyword in node.keywords)
            sleeps |= called == ["time", "Sleep"]
        elif isinstance(node, ast.Name) and node.id.startswith(_AGENT_PREFIX):
            agents.add(node.id.removeprefix(_AGENT_PREFIX))
    return ProgramUses(frozenset(modules), event_trigger, frozenset(agents), sleeps)


def _dotted(node: ast.expr) -> list[str] | None:
    """`gcp.pubsub.Topic` as ["gcp", "pubsub", "Topic"]; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return [node.id, *parts] if isinstance(node, ast.Name) else None


def apis_used(source: str) -> list[str]:
    """The APIs a rendered GCP program needs, in a stable order, from the SDK modules it calls."""
    return _apis(program_uses(source))


def _apis(uses: ProgramUses) -> list[str]:
    apis: list[str] = []
    for module in sorted(uses.modules):
        if module not in APIS_OF_MODULE:
            raise RenderError(
                f"the program uses gcp.{module}, whose API aipipe does not know: add it to "
                "aipipe.clouds.gcp.APIS_OF_MODULE"
            )
        apis.extend(APIS_OF_MODULE[module])
    if uses.event_trigger:
        apis.extend(EVENT_TRIGGER_APIS)
    return sorted(set(apis))


def agents_used(source: str) -> list[str]:
    """The services whose agents the program needs: those it names, plus Eventarc's and Pub/Sub's for event
    triggers."""
    return _agents(program_uses(source))


def _agents(uses: ProgramUses) -> list[str]:
    return sorted(uses.agents | ({"eventarc", "pubsub"} if uses.event_trigger else set()))


# The provider reads every enabled API back through Resource Manager (terraform-provider-google
# resource_google_project_service.go, Read: "Verify project for services still exists",
# ResourceManager Projects.Get), so that API is enabled first and every other waits for it. When the
# deploying credentials' quota project is the fresh project itself, it must be enabled by hand once
# (docs/gcp.md, first deploy): the provider cannot read it back before it is on.
RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"


def setup_values(source: str) -> dict:
    """What templates/project/gcp-setup.py.j2 renders for a program whose other lines are `source` (parsed once)."""
    uses = program_uses(source)
    agents = [
        {
            "service": f"{service}.googleapis.com",
            "name": f"{service}-agent",
            "variable": _agent_variable(service),
            "role": AGENT_ROLES[service],
            "grant": Code(f"{_agent_variable(service)}_role"),
        }
        for service in _agents(uses)
    ]
    return {
        "apis": [{"api": api, "name": "api-" + api.split(".")[0]} for api in _apis(uses) if api != RESOURCE_MANAGER],
        "resource_manager": {"api": RESOURCE_MANAGER, "name": "api-cloudresourcemanager"},
        "agents": agents,
        "project": Code(DEPLOYMENT_CODE["gcp_project_id"]),
        "agent_grants": Code("[" + ", ".join(agent["grant"] for agent in agents) + "]"),
        "settling": AGENT_SETTLING,
        # pulumiverse-time is imported only by programs that wait
        "imports_time": bool(agents) or uses.sleeps,
    }


def _agent_variable(service: str) -> Code:
    return Code(AGENT_VARIABLE.format(service=service))
