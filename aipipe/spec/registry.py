"""The resource types of the spec language, by the name written in `type:`."""

from __future__ import annotations

from aipipe.spec.common import ResourceBase
from aipipe.spec.function import Function
from aipipe.spec.messaging import Subscription, Topic
from aipipe.spec.storage import Bucket, Stream
from aipipe.spec.transfer import Dataflow, Replication
from aipipe.spec.workflow import Workflow

RESOURCE_TYPES: dict[str, type[ResourceBase]] = {
    "bucket": Bucket,
    "topic": Topic,
    "subscription": Subscription,
    "stream": Stream,
    "function": Function,
    "workflow": Workflow,
    "replication": Replication,
    "dataflow": Dataflow,
}

def clouds_of(type_name: str) -> tuple[str, ...]:
    """The clouds a resource type exists on."""
    return tuple(RESOURCE_TYPES[type_name].attributes)


def attributes_of(type_name: str, cloud: str) -> tuple[str, ...]:
    """The attributes `${name.attr}` may read from a resource of this type on this cloud."""
    return RESOURCE_TYPES[type_name].attributes.get(cloud, ())
