"""Service tasks: workflow steps that call an AWS service directly (`task: {service: sns.publish, ...}`), each
with its Amazon States Language resource, its parameters, the spec resource it names and the exact IAM its
state machine's role needs. The IAM of each is the one the Step Functions developer guide documents on its
"IAM policies for integrated services" pages, cited beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from aipipe.semantics.iam import statement
from aipipe.semantics.symbols import Attr, Concat, Deployment
from aipipe.spec.model import StrictModel
from aipipe.spec.references import symbolic
from aipipe.spec.values import ResourceName

# docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html: a job name is 1-255 bytes, one line
GlueJobName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\r\n]+$")]

VALUE_HELP = "a fixed value, or a JSONPath string read from the step's input (`$` for all of it, `$.key`)"


class ServiceCall(StrictModel):
    """An AWS service call. `service` says which; each service takes the fields its row of the README's table
    lists (`sns.publish`: topic, message, subject; `sqs.send`: queue, message; `glue.start`: job, arguments,
    wait; `workflow.start`: workflow, input, wait)."""

    service: Literal["sns.publish", "sqs.send", "glue.start", "workflow.start"]
    topic: ResourceName | None = Field(None, description="sns.publish: the topic (a `topic` resource).")
    queue: ResourceName | None = Field(
        None, description="sqs.send: the queue (a `queue` resource, or a `subscription`: its SQS queue)."
    )
    job: GlueJobName | None = Field(None, description="glue.start: the name of an existing Glue job.")
    workflow: ResourceName | None = Field(None, description="workflow.start: the workflow (a `workflow` resource).")
    message: Any = Field(None, description=f"sns.publish, sqs.send: the message: {VALUE_HELP}.")
    subject: str | None = Field(None, max_length=99, description="sns.publish: the subject of email deliveries.")
    arguments: dict[str, str] | None = Field(
        None, description="glue.start: the run's job arguments (`--key: value`), replacing the job's defaults."
    )
    input: Any = Field(None, description=f"workflow.start: the execution's input: {VALUE_HELP}; default `$`.")
    wait: bool = Field(
        False, description="glue.start, workflow.start: wait for the run to finish (`.sync`) and fail if it fails."
    )


@dataclass(frozen=True)
class Service:
    """One service task: the fields it needs and allows, the kind of resource it names, and its ASL resource."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    target: str  # the field naming the resource or job
    target_kinds: tuple[str, ...]  # the spec kinds it may be (empty: a name outside the spec)
    resource: str  # after arn:<partition>:states:::
    sync_resource: str | None = None


# The ASL resources: docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html, connect-sqs.html,
# connect-glue.html (startJobRun and .sync), connect-stepfunctions.html (startExecution and .sync:2)
SERVICES = {
    "sns.publish": Service(("topic", "message"), ("subject",), "topic", ("topic",), "sns:publish"),
    "sqs.send": Service(("queue", "message"), (), "queue", ("queue", "subscription"), "sqs:sendMessage"),
    "glue.start": Service(("job",), ("arguments", "wait"), "job", (), "glue:startJobRun", "glue:startJobRun.sync"),
    "workflow.start": Service(
        ("workflow",),
        ("input", "wait"),
        "workflow",
        ("workflow",),
        "states:startExecution",
        "states:startExecution.sync:2",
    ),
}
CALL_FIELDS = ("topic", "queue", "job", "workflow", "message", "subject", "arguments", "input", "wait")


def target_of(call: ServiceCall) -> str | None:
    """What the call names: the topic, queue, workflow or Glue job."""
    return getattr(call, SERVICES[call.service].target)


def with_paths(value: Any) -> Any:
    """A value the spec writes with JSONPath strings (`{file: $.key}`) as ASL writes it: each object key whose
    value is a string starting with `$` gets the `.$` suffix that makes Step Functions read the path
    (docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html); other strings may hold
    `${resource.attribute}` references, which become their symbols."""
    if isinstance(value, dict):
        return {(f"{k}.$" if is_path(v) else k): with_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_paths(item) for item in value]
    if isinstance(value, str) and not is_path(value):
        return symbolic(value)
    return value


def is_path(value: Any) -> bool:
    """Whether a spec value is a JSONPath to read rather than a fixed string (`${...}` is a reference and `$${`
    a literal `${`, never a path)."""
    return isinstance(value, str) and value.startswith("$") and not value.startswith(("${", "$${"))


def _argument(name: str, value: Any) -> dict:
    return {f"{name}.$" if is_path(value) else name: with_paths(value)}


def asl_task(call: ServiceCall) -> dict:
    """The Task state's Resource and Parameters of a service call (JSONPath query language)."""
    service = SERVICES[call.service]
    resource = service.sync_resource if call.wait and service.sync_resource else service.resource
    parameters: dict[str, Any] = {}
    if call.service == "sns.publish":
        parameters = {"TopicArn": Attr(call.topic, "arn"), **_argument("Message", call.message)}
        if call.subject is not None:
            parameters["Subject"] = symbolic(call.subject)
    elif call.service == "sqs.send":
        parameters = {"QueueUrl": Attr(call.queue, "url"), **_argument("MessageBody", call.message)}
    elif call.service == "glue.start":
        parameters = {"JobName": symbolic(call.job)}
        if call.arguments:
            parameters["Arguments"] = with_paths(dict(call.arguments))
    else:
        parameters = {"StateMachineArn": Attr(call.workflow, "arn"), **_argument("Input", call.input or "$")}
    return {"Resource": Concat("arn:", Deployment("aws_partition"), f":states:::{resource}"), "Parameters": parameters}


def iam_statements(call: ServiceCall, access, region_of) -> list[dict]:
    """What the state machine's role needs for one service call. `access(target, role)` is the target kind's
    own grant (a topic's publish grant includes its customer-managed key); `region_of(name)` a spec resource's
    region (None: the workflow's own, where a Glue job it starts runs)."""
    partition, account = Deployment("aws_partition"), Deployment("aws_account_id")
    if call.service == "sns.publish":
        # docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html: sns:Publish on the topic (static resource)
        return access(call.topic, "writes")
    if call.service == "sqs.send":
        # docs.aws.amazon.com/step-functions/latest/dg/sqs-iam.html: sqs:SendMessage on the queue; a `queue`'s own
        # writes grant has it, with what its customer-managed key needs of a sender; a subscription has none
        try:
            return access(call.queue, "writes")
        except LookupError:
            return [statement(["sqs:SendMessage"], [Attr(call.queue, "arn")])]
    if call.service == "glue.start":
        # docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html: glue:StartJobRun; .sync adds GetJobRun,
        # GetJobRuns and BatchStopJobRun. Its template grants them on "*" ("AWS Glue does not have resource-based
        # control"); Glue scopes these job actions to the job's ARN, arn:aws:glue:region:account-id:job/job-name
        # (docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html, "ARNs for non-catalog objects"),
        # so aipipe grants them on that one job
        actions = ["glue:StartJobRun"]
        if call.wait:
            actions += ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"]
        name = symbolic(call.job)
        tail = (f":job/{name}",) if isinstance(name, str) else (":job/", name)
        job = Concat("arn:", partition, f":glue:{region_of(None)}:", account, *tail)
        return [statement(actions, [job])]
    # docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html: StartExecution on the state machine;
    # synchronous also DescribeExecution and StopExecution on its executions and the managed EventBridge rule
    # StepFunctionsGetEventsForStepFunctionsExecutionRule (PutTargets, PutRule, DescribeRule)
    statements = [statement(["states:StartExecution"], [Attr(call.workflow, "arn")])]
    if call.wait:
        region = region_of(call.workflow)
        executions = Concat(
            "arn:", partition, f":states:{region}:", account, ":execution:", Attr(call.workflow, "name"), ":*"
        )
        rule = Concat(
            "arn:",
            partition,
            f":events:{region}:",
            account,
            ":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
        )
        statements.append(statement(["states:DescribeExecution", "states:StopExecution"], [executions]))
        statements.append(statement(["events:DescribeRule", "events:PutRule", "events:PutTargets"], [rule]))
    return statements
