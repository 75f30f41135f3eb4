"""Creating a stack's resources in moto with boto3, as the rendered program configures them where it matters
locally, and the list of what is not run locally with what the cloud would do instead.

Only resources: no SNS subscriptions, S3 notifications or event source mappings. Routing occurrences to their
targets is the engine's, with aipipe's own filter and trigger rules (local-brief).
"""

from __future__ import annotations

import json
import os
from typing import Any

from aipipe.kinds.workflow.asl import definition
from aipipe.local.aws.names import ACCOUNT, PARTITION, LocalNames
from aipipe.local.aws.symbols import Resolver
from aipipe.semantics.symbols import Concat

# DynamoDB attribute types (docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeDefinition.html)
_KEY_TYPES = {"string": "S", "number": "N", "binary": "B"}
# StreamViewType (API_StreamSpecification.html) of each `stream` value
_STREAM_VIEWS = {
    "keys_only": "KEYS_ONLY",
    "new_image": "NEW_IMAGE",
    "old_image": "OLD_IMAGE",
    "new_and_old_images": "NEW_AND_OLD_IMAGES",
}
# An SQS dead-letter queue keeps messages the longest SQS allows, 14 days (API_SetQueueAttributes,
# MessageRetentionPeriod), like the subscription kind's dead-letter queue (clouds LIMITS dead_letter_retention)
_DEAD_LETTER_RETENTION = 14 * 86400


def create_resources(clients: Any, names: LocalNames, resolver: Resolver) -> None:
    """Every resource of the stack that exists locally, in an order where what one names exists first; state
    machines are created on the first workflow run (`create_state_machines`): parsing their definitions is most
    of a start's time otherwise, and most runs start no workflow."""
    resources = names.spec.resources
    by_type: dict[str, list[str]] = {}
    for name, model in resources.items():
        by_type.setdefault(model.type, []).append(name)
    for name in by_type.get("bucket", []):
        _bucket(clients, names, name, resources[name])
    for name in by_type.get("topic", []):
        clients("sns", names.region(name)).create_topic(Name=names.name(name))
    queues = by_type.get("queue", [])
    dead_letter_queues = {resources[q].dead_letter.queue for q in queues if resources[q].dead_letter}
    for name in sorted(queues, key=lambda q: q not in dead_letter_queues):
        _queue(clients, names, name, resources[name])
    for name in by_type.get("subscription", []):
        _subscription(clients, names, name, resources[name])
    for name in by_type.get("stream", []):
        _stream(clients, names, name, resources[name])
    for name in by_type.get("table", []):
        _table(clients, names, name, resources[name])
    for secret in names.spec.header.secrets:
        if os.environ.get(secret) is not None:
            created = clients("secretsmanager", names.home).create_secret(
                Name=names.secret_name(secret), SecretString=os.environ[secret]
            )
            resolver.secret_arns[secret] = created["ARN"]


def _bucket(clients: Any, names: LocalNames, name: str, model: Any) -> None:
    region = names.region(name)
    s3 = clients("s3", region)
    arguments: dict[str, Any] = {"Bucket": names.name(name)}
    if region != "us-east-1":  # us-east-1 takes no LocationConstraint (API_CreateBucket, LocationConstraint)
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**arguments)
    if getattr(model, "versioning", False):  # a delete leaves a delete marker, as in the cloud
        s3.put_bucket_versioning(Bucket=names.name(name), VersioningConfiguration={"Status": "Enabled"})


def _queue(clients: Any, names: LocalNames, name: str, model: Any) -> None:
    attributes = {
        "VisibilityTimeout": str(model.visibility_timeout),
        "MessageRetentionPeriod": str(model.retention),
        "DelaySeconds": str(model.delay),
    }
    if model.fifo:
        attributes["FifoQueue"] = "true"
        attributes["ContentBasedDeduplication"] = str(model.content_deduplication).lower()
    if model.dead_letter is not None:
        target = names.attribute(model.dead_letter.queue, "arn")
        redrive = {"deadLetterTargetArn": target, "maxReceiveCount": model.dead_letter.max_receives}
        attributes["RedrivePolicy"] = json.dumps(redrive)
    sqs = clients("sqs", names.region(name))
    names.urls[name] = sqs.create_queue(QueueName=names.name(name), Attributes=attributes)["QueueUrl"]


def _subscription(clients: Any, names: LocalNames, name: str, model: Any) -> None:
    """Its SQS queue (and its dead-letter queue), in the subscription's region; not subscribed to the topic."""
    sqs = clients("sqs", names.region(name))
    attributes: dict[str, str] = {}
    if model.ack_deadline is not None:
        attributes["VisibilityTimeout"] = str(model.ack_deadline)
    if model.retention is not None:
        attributes["MessageRetentionPeriod"] = str(model.retention)
    if model.dead_letter is not None:
        dead_letters = sqs.create_queue(
            QueueName=names.dead_letter_name(name),
            Attributes={"MessageRetentionPeriod": str(_DEAD_LETTER_RETENTION)},
        )["QueueUrl"]
        names.urls[dead_letter_key(name)] = dead_letters
        arn = names.arn("sqs", names.region(name), names.dead_letter_name(name))
        redrive = {"deadLetterTargetArn": arn, "maxReceiveCount": model.dead_letter.max_attempts}
        attributes["RedrivePolicy"] = json.dumps(redrive)
    names.urls[name] = sqs.create_queue(QueueName=names.name(name), Attributes=attributes)["QueueUrl"]


def dead_letter_key(subscription: str) -> str:
    """Where `LocalNames.urls` keeps a subscription's dead-letter queue URL (`:` is in no resource name)."""
    return f"{subscription}:dead-letters"


def _stream(clients: Any, names: LocalNames, name: str, model: Any) -> None:
    kinesis = clients("kinesis", names.region(name))
    if model.mode == "on-demand":
        kinesis.create_stream(StreamName=names.name(name), StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        kinesis.create_stream(StreamName=names.name(name), ShardCount=model.shards or 1)


def _table(clients: Any, names: LocalNames, name: str, model: Any) -> None:
    keys = [(model.partition_key, "HASH")] + ([(model.sort_key, "RANGE")] if model.sort_key else [])
    arguments: dict[str, Any] = {
        "TableName": names.name(name),
        "KeySchema": [{"AttributeName": key.name, "KeyType": role} for key, role in keys],
        "AttributeDefinitions": [{"AttributeName": key.name, "AttributeType": _KEY_TYPES[key.type]} for key, _ in keys],
    }
    if model.billing == "provisioned" and model.capacity is not None:
        arguments["BillingMode"] = "PROVISIONED"
        capacity = {"ReadCapacityUnits": model.capacity.read, "WriteCapacityUnits": model.capacity.write}
        arguments["ProvisionedThroughput"] = capacity
    else:
        arguments["BillingMode"] = "PAY_PER_REQUEST"
    if model.stream:
        arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": _STREAM_VIEWS[model.stream]}
    created = clients("dynamodb", names.region(name)).create_table(**arguments)["TableDescription"]
    if "LatestStreamArn" in created:
        names.stream_arns[name] = created["LatestStreamArn"]


def create_state_machines(clients: Any, names: LocalNames, resolver: Resolver) -> None:
    """Every workflow's state machine (a workflow may start another: `workflow.start`)."""
    for name, model in names.spec.resources.items():
        if model.type == "workflow":
            create_state_machine(clients, names, resolver, name)


def create_state_machine(clients: Any, names: LocalNames, resolver: Resolver, name: str) -> str:
    """The workflow's state machine, on the very definition the renderer produces with local ARNs. Always a
    STANDARD machine locally: Step Functions keeps no execution history of EXPRESS ones, and the history is
    how a local run reports the states it went through."""
    document = resolver.value(definition(names.pipeline, names.spec.resources[name]).document)
    role = f"arn:{PARTITION}:iam::{ACCOUNT}:role/{names.name(name)}"
    machine = clients("stepfunctions", names.region(name)).create_state_machine(
        name=names.name(name), definition=json.dumps(document), roleArn=role, type="STANDARD"
    )
    return machine["stateMachineArn"]


def not_run_locally(names: LocalNames) -> list[tuple[str, str]]:
    """The stack's resources that do not exist locally, each with what the cloud would do; and the workflow
    steps that cannot run locally (Glue jobs, starting another workflow), which fail there."""
    skipped = []
    for name, model in names.spec.resources.items():
        what = _WHAT_THE_CLOUD_DOES.get(model.type)
        if what is not None:
            skipped.append((name, what(model)))
        if model.type == "workflow":
            document = definition(names.pipeline, model).document
            skipped += [(name, step) for step in _steps_not_run_locally(document)]
    return skipped


def _steps_not_run_locally(branch: dict) -> list[str]:
    """The Task states of a definition (nested branches included) whose service does not run locally."""
    found = []
    for state_name, state in branch.get("States", {}).items():
        for inner in state.get("Branches", []) + ([state["ItemProcessor"]] if "ItemProcessor" in state else []):
            found += _steps_not_run_locally(inner)
        resource = state.get("Resource")
        tail = resource.parts[-1] if isinstance(resource, Concat) and isinstance(resource.parts[-1], str) else ""
        parameters = state.get("Parameters", {})
        if ":states:::glue:" in tail:
            found.append(
                f"step `{state_name}` starts the Glue job `{parameters.get('JobName')}`, which does not exist "
                "locally: the step fails there"
            )
        elif ":states:::states:startExecution" in tail:
            # moto 5.2's interpreter hands the task's ASL parameter names (StateMachineArn) to boto3 unconverted
            # (stepfunctions/parser state_task_service_sfn.py), which boto3 refuses: a States.Runtime error
            found.append(
                f"step `{state_name}` starts workflow `{parameters['StateMachineArn'].resource}`: moto's interpreter "
                "cannot run `workflow.start` tasks, so the step fails locally with States.Runtime"
            )
    return found


def _replication(model: Any) -> str:
    if getattr(model, "method", "s3") == "s3":
        removed = " (deletions too)" if model.delete_removed else ""
        return f"S3 replication copies every new object of `{model.source}` to `{model.destination}`{removed}"
    return (
        f"a DataSync task copies `{model.source}` to `{model.destination}` on its schedule "
        f"({model.schedule or 'when started'})"
    )


_WHAT_THE_CLOUD_DOES = {
    "replication": _replication,
    "dataflow": lambda model: "a Dataflow job processes the input continuously",
    "pulumi": lambda model: f"Pulumi creates `{model.resource}` with its `properties`",
    "key": lambda model: "KMS encrypts the resources that name this key (locally nothing is encrypted)",
}
