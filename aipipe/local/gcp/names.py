"""Local names and `${resource.attribute}` values of a gcp stack's resources, as the local cloud holds them.

Every resource is named `<pipeline>-<stack>-<resource>` (lower-cased) so that two stacks never share local
state, in the project `local-<pipeline>`; an `existing` bucket keeps the name the spec gives it, so handler code
that names it works unchanged. Each attribute a kind exposes on gcp (its `CloudForm.attributes`) has the form
the deployed resource's output has (pulumi-gcp), with these local names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aipipe.kinds.registry import KINDS, attribute_problem
from aipipe.kinds.table.gcp import dataset_id, table_id
from aipipe.local.naming import local_project, physical_name

# A value no deployed resource can have: what `${x.attr}` stands for when `x` is not run locally (Dataflow jobs,
# `type: pulumi` outputs the spec does not set), so a handler using it fails visibly rather than reaching a
# real resource. `.invalid` never resolves (RFC 2606).
NOT_RUN = "not-run-locally"
# a domain that never resolves (RFC 2606): function URLs exist only once deployed; locally nothing serves HTTP
FUNCTION_DOMAIN = "functions.aipipe.invalid"
DEAD_LETTERS = "-dead-letters"  # the dead-letter topic and subscription's suffix (templates/subscription/gcp.py.j2)


def local_name(spec: Any, stack: str, resource: str) -> str:
    """The local physical name of a spec resource in `stack` (aipipe.local.naming.physical_name)."""
    return physical_name(spec.header.name, stack, resource)


def bucket_name(spec: Any, stack: str, resource: str) -> str:
    """The local bucket of a spec bucket: an `existing` bucket's own name, else the local name."""
    return getattr(spec.resources[resource], "existing", None) or local_name(spec, stack, resource)


def dead_letter_name(spec: Any, stack: str, subscription: str) -> str:
    """The local name of a subscription's dead-letter topic, and of the subscription that keeps its messages."""
    return local_name(spec, stack, subscription) + DEAD_LETTERS


def topic_path(spec: Any, name: str) -> str:
    """A topic's full id, as Pub/Sub names it: projects/<project>/topics/<name>."""
    return f"projects/{local_project(spec)}/topics/{name}"


def subscription_path(spec: Any, name: str) -> str:
    """A subscription's full id: projects/<project>/subscriptions/<name>."""
    return f"projects/{local_project(spec)}/subscriptions/{name}"


def _bucket(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = bucket_name(spec, stack, resource)
    # pulumi-gcp storage.Bucket: the id is the name, `url` is gs://<name>
    return {"name": name, "id": name, "url": f"gs://{name}"}


def _topic(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = local_name(spec, stack, resource)
    return {"name": name, "id": topic_path(spec, name)}


def _subscription(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = local_name(spec, stack, resource)
    values = {"name": name, "id": subscription_path(spec, name)}
    if getattr(model, "dead_letter", None) is not None:
        values["dead_letter_subscription"] = dead_letter_name(spec, stack, resource)
    return values


def _function(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = local_name(spec, stack, resource)
    return {"name": name, "url": f"https://{name}.{FUNCTION_DOMAIN}"}


def _key(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = local_name(spec, stack, resource)
    location = (getattr(model, "location", None) or spec.header.region).lower()
    ring = f"projects/{local_project(spec)}/locations/{location}/keyRings/{name}-ring"
    return {"name": name, "id": f"{ring}/cryptoKeys/{name}"}  # pulumi-gcp kms.CryptoKey: {key_ring}/cryptoKeys/{name}


def _dataflow(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    name = local_name(spec, stack, resource)
    job = f"{NOT_RUN}-{name}"
    return {"name": name, "id": job, "job_id": job}


def _table(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    dataset = dataset_id(spec, resource, model)
    project = local_project(spec)
    values = {"name": dataset, "id": f"projects/{project}/datasets/{dataset}"}
    if getattr(model, "columns", None) is not None:
        values["table_spec"] = f"{project}:{dataset}.{table_id(resource)}"  # kinds/table/gcp.table_spec's form
    return values


def _pulumi(spec: Any, stack: str, resource: str, model: Any) -> dict[str, str]:
    project, name = spec.header.name, resource
    # Pulumi's URN of a child of the resource's aipipe component (codegen/ownership.py reads the same form)
    values = {"urn": f"urn:pulumi:{stack}::{project}::aipipe:index:Pulumi${model.resource}::{name}"}
    for key, value in model.properties.items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            values[key] = str(value)
    return values


ATTRIBUTES: dict[str, Callable[[Any, str, str, Any], dict[str, str]]] = {
    "bucket": _bucket,
    "topic": _topic,
    "subscription": _subscription,
    "function": _function,
    "key": _key,
    "dataflow": _dataflow,
    "table": _table,
    "pulumi": _pulumi,
}
REFERENCE = re.compile(r"\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}")


def _resolved(spec: Any, stack: str, match: re.Match) -> str:
    """A `${other.attribute}` inside a property value, resolved locally; secrets stay as written."""
    if match[1] == "secret":
        return match[0]
    return local_attribute(spec, stack, match[1], match[2])


def local_attribute(spec: Any, stack: str, resource: str, attribute: str) -> str:
    """`${resource.attribute}` as the local cloud has it. A `type: pulumi` resource's output the spec does not
    set is a `not-run-locally-...` value (nothing creates it locally); an attribute the resource lacks is a
    KeyError saying why."""
    model = spec.resources.get(resource)
    if model is None:
        raise KeyError(f"`{resource}` is no resource of stack `{stack}`")
    builder = ATTRIBUTES.get(model.type)
    if builder is None:
        raise KeyError(f"`{resource}` is a `{model.type}`, which the local gcp cloud does not hold")
    values = builder(spec, stack, resource, model)
    if attribute in values:
        return REFERENCE.sub(lambda match: _resolved(spec, stack, match), values[attribute])
    known = KINDS[model.type].clouds["gcp"].attributes_for(dict(model))
    problem = attribute_problem(model.type, "gcp", dict(model), attribute)
    if problem:
        raise KeyError(f"`{resource}` {problem}")
    if model.type == "pulumi" and (not known or attribute in known):
        return f"{NOT_RUN}-{local_name(spec, stack, resource)}-{attribute}"
    raise KeyError(f"a `{model.type}` has no attribute `{attribute}` on gcp (it has {', '.join(known)})")
