"""Symbolic values: what a template argument refers to when it depends on something that exists only once
deployed (an ARN, a generated name, a secret, the GCP project number).

Kinds build their template values, IAM documents and state machines from these plus plain data; the code
generator turns each symbol into a Python expression of the program (aipipe.codegen.expressions), and a local
runner can resolve the very same documents to local values. Nothing here is code: a symbol names things by
spec resource name and role, never by a Python variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Attr:
    """`${resource.attribute}`: an attribute a spec resource exposes (`name`, `arn`, `url`, ...)."""

    resource: str
    attribute: str


@dataclass(frozen=True)
class Child:
    """A cloud resource aipipe creates for a spec resource, by its role (`bucket`, `logs`, `role`), or one of
    its outputs (`arn`, `id`, `email`) when `output` is given."""

    resource: str
    role: str
    output: str | None = None


@dataclass(frozen=True)
class Concat:
    """Text joined from plain strings and symbols once they are known."""

    parts: tuple[Any, ...]

    def __init__(self, *parts: Any):
        object.__setattr__(self, "parts", tuple(parts))


@dataclass(frozen=True)
class Json:
    """A JSON document (IAM policy, state machine, filter policy) whose strings may be symbols."""

    document: Any


@dataclass(frozen=True)
class Secret:
    """The value of `${secret.NAME}`: stored encrypted in the stack, never in the program."""

    name: str


# What `Deployment` may name: facts known only where and when the program runs.
DEPLOYMENT_FACTS = (
    "stack",
    "project",
    "region",
    "aws_account_id",
    "aws_partition",
    "aws_dns_suffix",
    "gcp_project_id",
    "gcp_pubsub_agent",
    "gcp_storage_agent_email",
)


@dataclass(frozen=True)
class StoredSecret:
    """The ARN of secret `name`'s copy in AWS Secrets Manager (`${secret.NAME.arn}`): the value itself stays
    out of the resource that holds the ARN."""

    name: str


@dataclass(frozen=True)
class Deployment:
    """A fact of the deployment: the stack and project names, the AWS account, the GCP project."""

    fact: str

    def __post_init__(self) -> None:
        if self.fact not in DEPLOYMENT_FACTS:
            raise ValueError(f"unknown deployment fact {self.fact!r}")


@dataclass(frozen=True)
class CodeFolder:
    """A local file or folder the program reads (a built artifact, a seed file), relative to the spec's folder
    (`../` when it lies elsewhere in the spec's repository); rendered relative to the program's folder."""

    path: str


@dataclass(frozen=True)
class Options:
    """Resource options of a cloud resource: its spec resource (the parent component, unless `top_level`),
    the provider of `provider_of` (default: the owner's), and what it waits for besides the owner's
    `depends_on`."""

    owner: str
    depends_on: tuple[Any, ...] = ()
    provider_of: str | None = None
    retain: bool = False
    top_level: bool = False  # not parented to the owner's component (bucket notifications)


def deep_map(value: Any, convert) -> Any:
    """`value` with every symbol replaced by `convert(symbol)`, inside nested dicts, lists and tuples."""
    if isinstance(value, dict):
        return {key: deep_map(item, convert) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [deep_map(item, convert) for item in value]
    if isinstance(value, SYMBOL_TYPES):
        return convert(value)
    return value


SYMBOL_TYPES = (Attr, Child, Concat, Json, Secret, StoredSecret, Deployment, CodeFolder, Options)


__all__ = [
    "Attr",
    "Child",
    "CodeFolder",
    "Concat",
    "Deployment",
    "Json",
    "Options",
    "Secret",
    "StoredSecret",
    "deep_map",
]
