"""A function on AWS: a Lambda function with its own role, a least-privilege inline policy (logging, its
reads and writes, what its triggers need), a log group with retention, and the wiring of each trigger."""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.kinds.base import RenderInputs
from aipipe.kinds.function.checks import trigger_uses
from aipipe.kinds.function.failures import failure_statements, failure_values
from aipipe.kinds.function.links import ACCESS_ROLES, links
from aipipe.kinds.function.model import Function
from aipipe.kinds.function.options import aws_option_values, vpc_statements
from aipipe.kinds.function.package import package_values
from aipipe.semantics.iam import merge, policy_document, statement, trust_policy
from aipipe.semantics.symbols import Child, Concat, StoredSecret
from aipipe.spec.permissions import permissions_policy
from aipipe.spec.references import stored_secrets, symbolic
from aipipe.triggers.registry import trigger_kind

LOG_RETENTION_DAYS = 30


def values(job: RenderInputs, name: str, function: Function) -> dict:
    """The Lambda template's values: runtime id, code folder, environment, policy, and each trigger's wiring."""
    statements = [statement(["logs:CreateLogStream", "logs:PutLogEvents"], [Concat(Child(name, "logs", "arn"), ":*")])]
    for link in links(function):
        if link.role in ACCESS_ROLES:
            statements += job.access(link.target, link.role, link.prefix)
    triggers = []
    uses = trigger_uses(name, function)
    for use in uses:
        kind = trigger_kind(use.trigger)
        triggers.append(kind.wiring[("aws", "function")](job.spec, use))
        if "aws" in kind.consumer_access:  # the function polls the source (Kinesis): it needs to read it
            statements += job.access(kind.source(use.trigger), kind.consumer_access["aws"])
    # secrets the function reads from Secrets Manager by ARN (`${secret.NAME.arn}`): exactly those
    secrets = stored_secrets(function.environment)
    if secrets:
        statements.append(statement(["secretsmanager:GetSecretValue"], [StoredSecret(secret) for secret in secrets]))
    statements += vpc_statements(function)
    failures = failure_values(name, function, uses, triggers)
    statements += failure_statements(name, failures)
    return {
        "runtime": AWS.runtimes[function.runtime],
        "handler": function.handler,
        "memory_size": function.memory,
        "timeout": function.timeout,
        "package": package_values(job.spec, name, job.artifact(name)),
        "environment": {key: symbolic(text) for key, text in function.environment.items()},
        "trust_policy": trust_policy(AWS.principals["lambda"]),
        "policy": policy_document(merge(statements)),
        "permissions_policy": permissions_policy(function.permissions),
        "triggers": triggers,
        "log_retention": LOG_RETENTION_DAYS,
        **aws_option_values(function),
        **failures,
    }
