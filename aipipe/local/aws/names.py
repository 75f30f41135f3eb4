"""The local names, ARNs and URLs of a stack's resources on moto: what `${resource.attribute}` reads locally.

A resource's local physical name is `<pipeline name>-<stack>-<resource>` lower-cased (local-brief, shared by
every part of the local runner), so two stacks never share local state; an existing bucket keeps its own name
(the handlers' `${bucket.name}` is that name in the cloud too). ARNs are built as each service documents them,
in the resource's region and moto's default account.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from aipipe.local.naming import LOCAL_ACCOUNT, physical_name
from aipipe.spec.model import region_of

ACCOUNT = LOCAL_ACCOUNT  # moto's default account: every local ARN is in it
PARTITION = "aws"

# The longest name each service takes: S3 bucket names 3-63 characters (docs.aws.amazon.com/AmazonS3/latest/
# userguide/bucketnamingrules.html), SQS queue names up to 80 including `.fifo` (docs.aws.amazon.com/AWSSimpleQueue
# Service/latest/APIReference/API_CreateQueue.html), Kinesis stream names 128 (API_CreateStream), DynamoDB table
# names 255 (API_CreateTable), SNS topic names 256 (API_CreateTopic), state machine names 80 (API_CreateStateMachine),
# Lambda function names 64 (API_CreateFunction)
MAX_NAME = {
    "bucket": 63,
    "queue": 80,
    "subscription": 80,
    "stream": 128,
    "table": 255,
    "topic": 256,
    "workflow": 80,
    "function": 64,
}
FIFO_SUFFIX = ".fifo"  # a FIFO queue's name ends in `.fifo` (API_CreateQueue, QueueName)
DEAD_LETTERS = "dead-letters"  # the suffix of an aws subscription's own dead-letter queue


def local_name(pipeline: str, stack: str, resource: str, kind: str = "", suffix: str = "") -> str:
    """`<pipeline>-<stack>-<resource>` lower-cased; a name over its service's limit keeps its start and ends in
    a short hash of the whole, so it stays unique and stable."""
    name = physical_name(pipeline, stack, resource)
    limit = MAX_NAME.get(kind, 255) - len(suffix)
    if len(name) > limit:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: limit - 9]}-{digest}"
    return name + suffix


class LocalNames:
    """The local name and attributes of every resource of one stack."""

    def __init__(self, spec: Any, stack: str):
        self.spec = spec
        self.stack = stack
        self.pipeline = spec.header.name
        self.home = spec.header.region
        self.urls: dict[str, str] = {}  # queue resource -> the queue URL moto answers (set once created)
        self.stream_arns: dict[str, str] = {}  # table resource -> its stream's ARN (set once created)

    def region(self, resource: str) -> str:
        """The region a resource lives in locally: its own `region`, else the stack's."""
        return region_of(self.spec.resources.get(resource), self.home)

    def name(self, resource: str) -> str:
        """The local physical name of a spec resource."""
        model = self.spec.resources[resource]
        if model.type == "bucket" and getattr(model, "existing", None):
            return model.existing
        suffix = FIFO_SUFFIX if model.type == "queue" and getattr(model, "fifo", False) else ""
        return local_name(self.pipeline, self.stack, resource, model.type, suffix)

    def dead_letter_name(self, subscription: str) -> str:
        """The local name of an aws subscription's own dead-letter queue."""
        return local_name(self.pipeline, self.stack, subscription, "queue", f"-{DEAD_LETTERS}")

    def secret_name(self, secret: str) -> str:
        """The local name of a spec secret's copy in Secrets Manager."""
        return local_name(self.pipeline, self.stack, secret)

    def arn(self, service: str, region: str, rest: str) -> str:
        """`arn:aws:<service>:<region>:<account>:<rest>`."""
        return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT}:{rest}"

    def attribute(self, resource: str, attribute: str) -> str:
        """`${resource.attribute}` as the local resources have it; LookupError for what has no local value."""
        model = self.spec.resources.get(resource)
        if model is None:
            raise LookupError(f"`{resource}` is not a resource of stack {self.stack}")
        values = _ATTRIBUTES.get(model.type)
        if values is None:
            raise LookupError(f"`{resource}` (type: {model.type}) has no attributes on aws")
        value = values(self, resource, model).get(attribute)
        if value is None:
            raise LookupError(f"`{resource}` (type: {model.type}) has no local `{attribute}`")
        return value


def _bucket(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    # S3 ARNs carry neither region nor account (docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html)
    return {"name": name, "id": name, "arn": f"arn:{PARTITION}:s3:::{name}", "url": f"s3://{name}"}


def _topic(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    arn = names.arn("sns", names.region(resource), name)
    return {"name": name, "arn": arn, "id": arn}  # pulumi-aws sns.Topic: its id is the topic's ARN


def _queue(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    url = names.urls.get(resource)
    values = {"name": name, "arn": names.arn("sqs", names.region(resource), name)}
    if url is not None:
        values.update(url=url, id=url)  # pulumi-aws sqs.Queue: its id is the queue's URL
    return values


def _stream(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    return {"name": name, "arn": names.arn("kinesis", names.region(resource), f"stream/{name}")}


def _table(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    # a table without a stream has an empty stream_arn (pulumi-aws dynamodb.Table.stream_arn is set only with
    # stream_enabled)
    arn = names.arn("dynamodb", names.region(resource), f"table/{name}")
    return {"name": name, "arn": arn, "stream_arn": names.stream_arns.get(resource, "")}


def _function(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    return {"name": name, "arn": names.arn("lambda", names.region(resource), f"function:{name}")}


def _workflow(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    name = names.name(resource)
    return {"name": name, "arn": names.arn("states", names.region(resource), f"stateMachine:{name}")}


def _key(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    """Keys are not run locally; stable stand-ins keep references to them resolvable."""
    key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, names.name(resource)))
    arn = names.arn("kms", names.region(resource), f"key/{key_id}")
    return {"arn": arn, "id": key_id, "alias": f"alias/{names.name(resource)}"}


def _replication(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    """Replication is not run locally: the ARN of the role (s3) or DataSync task it would have."""
    if getattr(model, "method", "s3") == "s3":
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{names.name(model.source)}-replication"}
    task = hashlib.sha256(names.name(resource).encode()).hexdigest()[:17]
    return {"arn": names.arn("datasync", names.region(resource), f"task/task-{task}")}


def _pulumi(names: LocalNames, resource: str, model: Any) -> dict[str, str]:
    """A `pulumi` resource is not run locally: only its id (the local name) and URN have stand-ins."""
    name = names.name(resource)
    urn = f"urn:pulumi:{names.stack}::{names.pipeline}::{model.resource}::{resource}"
    return {"id": name, "urn": urn, "name": name}


_ATTRIBUTES = {
    "bucket": _bucket,
    "topic": _topic,
    "queue": _queue,
    "subscription": _queue,
    "stream": _stream,
    "table": _table,
    "function": _function,
    "workflow": _workflow,
    "key": _key,
    "replication": _replication,
    "pulumi": _pulumi,
}
