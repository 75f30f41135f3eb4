"""`workflow` (aws): a Step Functions state machine over functions and AWS services, with retries, catches,
parallel branches, maps, choices, waits, pass and fail states; its role may invoke exactly the functions its steps
name and call exactly the services they use (services.py). Schedules, buckets and topics start it
(aipipe.triggers.to_workflow wires each)."""

from aipipe.clouds.aws import AWS
from aipipe.kinds.base import CloudForm, GraphShape, Kind, RenderInputs
from aipipe.kinds.workflow import asl
from aipipe.kinds.workflow.checks import check
from aipipe.kinds.workflow.model import Workflow
from aipipe.kinds.workflow.services import SERVICES, iam_statements
from aipipe.kinds.workflow.steps import invoked_functions, service_calls, walk
from aipipe.semantics.iam import policy_document, statement, trust_policy
from aipipe.semantics.symbols import Attr, Child, Concat
from aipipe.spec.links import Link
from aipipe.spec.model import region_of
from aipipe.spec.permissions import permissions_policy
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import trigger_links, uses_of

LOG_RETENTION_DAYS = 30
VENDED_LOGS = "/aws/vendedlogs/states/"  # see log_group_prefix below

# Step Functions log delivery: these actions do not support resource-level permissions, so AWS requires "*"
# (docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy). AWS's sample policy also
# lists logs:CreateLogStream and logs:PutLogEvents there; those two can be scoped to the log group, so they are.
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
]


def links(workflow: Workflow):
    """Each task step names the function it runs, each service task its topic, queue or workflow; each trigger
    its source."""
    for visit in walk(workflow.steps):
        if isinstance(visit.step, str):
            yield Link(visit.step, visit.path, ("function",), "step")
        elif visit.task is not None:
            yield Link(visit.task.function, visit.path + ("function",), ("function",), "step")
    for visit in service_calls(workflow.steps):
        service = SERVICES[visit.step.task.service]
        target = getattr(visit.step.task, service.target)
        if service.target_kinds and target:
            yield Link(target, visit.path + ("task", service.target), service.target_kinds, "step")
    yield from trigger_links(workflow)


def aws_values(job: RenderInputs, name: str, workflow: Workflow) -> dict:
    """The state machine template's values: ASL definition and a role that invokes exactly its functions."""
    functions = invoked_functions(workflow.steps)
    statements = [statement(["lambda:InvokeFunction"], [Attr(function, "arn") for function in functions])]
    statements = statements if functions else []
    home = job.spec.header.region
    for visit in service_calls(workflow.steps):
        for found in iam_statements(
            visit.step.task, job.access, lambda other: region_of(job.spec.resources[other] if other else workflow, home)
        ):
            if found not in statements:  # two steps publishing to one topic need the grant once
                statements.append(found)
    if workflow.logging:
        statements.append(statement(LOG_DELIVERY_ACTIONS, ["*"]))
        statements.append(
            statement(["logs:CreateLogStream", "logs:PutLogEvents"], [Concat(Child(name, "logs", "arn"), ":*")])
        )
    # execution history at ERROR level, without the data passing through (it may hold training records)
    logging = (
        {"log_destination": Concat(Child(name, "logs", "arn"), ":*"), "include_execution_data": False, "level": "ERROR"}
        if workflow.logging
        else None
    )
    triggers = [trigger_kind(use.trigger).wiring[("aws", "workflow")](job.spec, use) for use in uses_of(name, workflow)]
    return {
        "triggers": triggers,
        "trust_policy": trust_policy(AWS.principals["states"]),
        "policy": policy_document(statements),
        "permissions_policy": permissions_policy(workflow.permissions),
        "definition": asl.definition(job.spec.header.name, workflow),
        "log_retention": LOG_RETENTION_DAYS,
        # docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html: log groups under /aws/vendedlogs/states/ need
        # no CloudWatch Logs resource policy entry, whose 5,120-character limit otherwise fails CreateStateMachine
        "log_group_prefix": f"{VENDED_LOGS}{job.spec.header.name}-{job.spec.stack}-{name}-",
        "type": workflow.kind.upper(),
        "logging": logging,
    }


KIND = Kind(
    name="workflow",
    model=Workflow,
    clouds={
        "aws": CloudForm(
            "Step Functions state machine",
            {"name": ("state_machine", "name"), "arn": ("state_machine", "arn")},
            values=aws_values,
        )
    },
    graph=GraphShape(('{{"', '"}}'), "hexagon"),
    links=links,
    check=check,
)
