"""What the GCP templates need beyond the spec itself: full resource ids and Google's service agents."""

from __future__ import annotations

import hashlib

from aipipe.codegen.expressions import attribute_expression
from aipipe.program.iam import concat
from aipipe.spec.catalogue import DATAFLOW_TEMPLATES, RUNTIMES
from aipipe.spec.function import BucketTrigger, ScheduleTrigger, TopicTrigger
from aipipe.spec.links import links_of
from aipipe.spec.references import parse_references
from aipipe.codegen.safe import Code, identifier, literal

PROJECT = Code("gcp.organizations.get_project_output()")


def service_agent(service: str) -> Code:
    """The IAM member of a Google service agent of this project, e.g. Pub/Sub's
    `serviceAccount:service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com`."""
    return Code(f"pulumi.Output.concat({literal('serviceAccount:service-')}, {PROJECT}.number, "
                f"{literal(f'@gcp-sa-{service}.iam.gserviceaccount.com')})")


def subscription_extras(view, job) -> dict:
    """The subscription template's values: its topic's full id and the Pub/Sub service agent."""
    return {"topic_id": Code(f"{identifier(view.model.topic, 'topic')}.id"), "pubsub_agent": service_agent("pubsub")}


STORAGE_EVENTS = {"created": "google.cloud.storage.object.v1.finalized",
                  "deleted": "google.cloud.storage.object.v1.deleted"}
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
# (type, access) -> role granted on that one resource
ROLES = {("bucket", "reads"): "roles/storage.objectViewer", ("bucket", "writes"): "roles/storage.objectCreator",
         ("topic", "writes"): "roles/pubsub.publisher", ("subscription", "reads"): "roles/pubsub.subscriber"}


def account_id(spec, name: str, kind: str) -> str:
    """A service account id (6-30 characters, unique per project, stack and resource) for `name`."""
    digest = hashlib.sha256(f"{spec.header.name}/{spec.stack}/{name}/{kind}".encode()).hexdigest()[:6]
    return f"{kind}-{name[:30 - len(kind) - 8].rstrip('-')}-{digest}"


def grants(spec, view, member: Code) -> list[dict]:
    """IAM members that give a service account exactly the access of its `reads`/`writes`."""
    found = []
    for link in links_of(view.name, view.model):
        target = spec.resources[link.target]
        role = ROLES.get((target.type, link.role))
        if not role:
            continue
        grant = {"name": view.child(f"{link.role}-{link.target}"), "type": target.type, "role": role,
                 "member": member, "resource": _resource_reference(spec, link.target), "condition": None}
        if link.prefix and target.type == "bucket":
            # bucket-level grant narrowed to the prefix with an IAM condition (needs uniform bucket access)
            expression = concat('resource.name.startsWith("projects/_/buckets/', grant["resource"],
                                f'/objects/{link.prefix}")')
            grant["condition"] = {"title": f"objects under {link.prefix}", "expression": expression}
        found.append(grant)
    return found


def _resource_reference(spec, name: str) -> Code:
    resource = spec.resources[name]
    return attribute_expression(spec.cloud, resource.type, name, "name", resource)


def unix_cron(schedule: str) -> str:
    """An EventBridge-style `rate(...)`/`cron(...)` as the unix cron Cloud Scheduler takes."""
    if schedule.startswith("rate("):
        amount, unit = schedule[5:-1].split()
        every = f"*/{amount}" if amount != "1" else "*"
        return {"minute": f"{every} * * * *", "hour": f"0 {every} * * *", "day": f"0 0 {every} * *"}[unit.rstrip("s")]
    minute, hour, day, month, weekday, _year = schedule[5:-1].split()
    if weekday.isdigit():  # EventBridge counts Sunday as 1, cron as 0
        weekday = str(int(weekday) - 1)
    return " ".join(part.replace("?", "*") for part in (minute, hour, day, month, weekday))


def function_extras(view, job) -> dict:
    """The Cloud Function template's values."""
    spec, expressions = job.spec, job.expressions
    function = view.model
    member = Code(f"pulumi.Output.concat('serviceAccount:', {view.var('account')}.email)")
    trigger = next((t for t in function.triggers if not isinstance(t, ScheduleTrigger)), None)
    event = None
    if isinstance(trigger, TopicTrigger):
        event = {"event_type": PUBSUB_EVENT, "pubsub_topic": Code(f"{identifier(trigger.topic, 'topic')}.id"),
                 "retry_policy": "RETRY_POLICY_RETRY", "service_account_email": Code(f"{view.var('account')}.email")}
    elif isinstance(trigger, BucketTrigger):
        event = {"event_type": STORAGE_EVENTS[trigger.events[0]],
                 "event_filters": [{"attribute": "bucket", "value": _resource_reference(spec, trigger.bucket)}],
                 "retry_policy": "RETRY_POLICY_RETRY", "service_account_email": Code(f"{view.var('account')}.email")}
    schedules = [{"position": p, "cron": unix_cron(t.schedule)} for p, t in enumerate(function.triggers)
                 if isinstance(t, ScheduleTrigger)]
    return {
        "account_id": account_id(spec, view.name, "fn"),
        "member": member,
        "runtime": RUNTIMES["gcp"][function.runtime],
        "code_path": job.code_path(function.code),
        "environment": expressions.mapping(function.environment),
        "event_trigger": event,
        "schedules": schedules,
        "grants": grants(spec, view, member),
        "project": Code(f"{PROJECT}.project_id"),
    }


def dataflow_extras(view, render_job) -> dict:
    """The Dataflow template's values: template path, parameters, worker account and its grants."""
    spec, expressions = render_job.spec, render_job.expressions
    job = view.model
    parameters: dict = {}
    if job.template in DATAFLOW_TEMPLATES:
        template = DATAFLOW_TEMPLATES[job.template]
        kind = spec.resources[job.input].type
        path = f"gs://dataflow-templates-{spec.header.region}/latest/{template.paths[kind]}"
        parameters[template.input_parameters[kind]] = Code(f"{identifier(job.input, kind)}.id")
        parameters[template.output_parameter] = expressions.value(job.output)
        if template.temp_parameter:
            parameters[template.temp_parameter] = expressions.value(job.temp)
        parameters.update(template.extra)
    else:
        path = expressions.value(job.template)
    parameters.update(expressions.mapping(job.parameters))
    member = (literal(f"serviceAccount:{job.service_account}") if job.service_account
              else Code(f"pulumi.Output.concat('serviceAccount:', {view.var('account')}.email)"))
    buckets = []
    for text in filter(None, (job.output, job.temp, *job.parameters.values())):
        for reference in parse_references(text):
            if reference.kind == "resource" and spec.resources[reference.target].type == "bucket" \
                    and reference.target not in buckets:
                buckets.append(reference.target)
    input_grants = []
    if job.input:
        kind = spec.resources[job.input].type
        if kind == "subscription":
            input_grants = [{"role": role, "subscription": _resource_reference(spec, job.input),
                             "name": view.child(f"{role.split('.')[-1]}-{job.input}")}
                            for role in ("roles/pubsub.subscriber", "roles/pubsub.viewer")]
    return {
        "template_path": path,
        "parameters": parameters,
        "temp": expressions.value(job.temp),
        "account_id": account_id(spec, view.name, "df"),
        "member": member,
        "buckets": [{"name": view.child(f"objects-{b}"), "bucket": _resource_reference(spec, b)} for b in buckets],
        "subscription_grants": input_grants,
        # a topic input: the template creates its own subscription, which needs project-level rights
        "topic_input": bool(job.input and spec.resources[job.input].type == "topic"),
        "project": Code(f"{PROJECT}.project_id"),
    }
