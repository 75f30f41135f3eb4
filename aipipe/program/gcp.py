"""What the GCP templates need beyond the spec itself: full resource ids and Google's service agents."""

from __future__ import annotations

from aipipe.render import Code, identifier, literal

PROJECT = Code("gcp.organizations.get_project_output()")


def service_agent(service: str) -> Code:
    """The IAM member of a Google service agent of this project, e.g. Pub/Sub's
    `serviceAccount:service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com`."""
    return Code(f"pulumi.Output.concat({literal('serviceAccount:service-')}, {PROJECT}.number, "
                f"{literal(f'@gcp-sa-{service}.iam.gserviceaccount.com')})")


def subscription_extras(view, spec) -> dict:
    """The subscription template's values: its topic's full id and the Pub/Sub service agent."""
    return {"topic_id": Code(f"{identifier(view.model.topic, 'topic')}.id"), "pubsub_agent": service_agent("pubsub")}
