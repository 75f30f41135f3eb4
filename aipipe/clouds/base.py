"""The shape of a cloud's facts. aipipe.clouds.aws and aipipe.clouds.gcp fill it in; rules read it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TagRules:
    """Tags (aws) or labels (gcp): what keys and values may hold, how many a resource takes, and the ones
    aipipe adds to every resource so it can be traced back to its spec, stack and resource."""

    word: str  # "AWS tag" / "GCP label"
    max_per_resource: int
    managed_prefix: str  # aipipe's own keys start with it; users may not
    key_problem: Callable[[str], str | None]  # what is wrong with a key, or None
    value_problem: Callable[[str], str | None]

    def managed(self, project: str, stack: str, resource: str | None = None) -> dict[str, str]:
        """The keys aipipe adds (`aipipe:project`, `aipipe:stack`, and per resource `aipipe:resource`)."""
        tags = {f"{self.managed_prefix}project": project, f"{self.managed_prefix}stack": stack}
        if resource is not None:
            tags[f"{self.managed_prefix}resource"] = resource
        return tags

    @property
    def managed_count(self) -> int:
        """How many tags aipipe adds to a resource of the spec (project, stack, resource)."""
        return len(self.managed("p", "s", "r"))

    @property
    def user_limit(self) -> int:
        """How many tags of the user's own fit on a resource beside aipipe's."""
        return self.max_per_resource - self.managed_count


@dataclass(frozen=True)
class MockShape:
    """What a provider computes for a resource, as the offline plan fakes it. Templates are formatted with
    name, region, account, project, service (the token's module), kind (its type, lowercased) and digest."""

    arn: str | None = None  # aws: the ARN every resource has (None on gcp)
    outputs: Mapping[str, str] = field(default_factory=dict)  # extra computed outputs (`a.b`: b inside object a)
    identity: str = "{name}"  # the resource's id; may use computed outputs such as {url} or {arn}


@dataclass(frozen=True)
class ResourceFacts:
    """A Pulumi resource type aipipe creates, by type token."""

    token: str
    # replacing or deleting it loses data; a callable decides from the inputs (None: inputs unknown)
    holds_data: bool | Callable[[Mapping | None], bool] = False
    # inputs whose change replaces the resource (the providers' "changing this forces a new resource")
    force_new: frozenset[str] = frozenset()
    mock: MockShape | None = None  # None: the cloud's default shape

    def loses_data(self, inputs: Mapping | None) -> bool:
        """Whether deleting or replacing this resource, with these inputs, loses data."""
        return self.holds_data(inputs) if callable(self.holds_data) else self.holds_data


@dataclass(frozen=True)
class FunctionLimits:
    """What a function may be on this cloud."""

    memory_mb: tuple[int, int]
    max_timeout_seconds: int
    reserved_environment: frozenset[str]
    reserved_environment_prefixes: tuple[str, ...]
    handler_form: Callable[[str], tuple[re.Pattern, str]]  # runtime -> (pattern, how to write it)
    # the most memory a new account may use until a quota is raised (None: the range above is open to all)
    new_account_memory_mb: int | None = None
    package: PackageLimits | None = None


@dataclass(frozen=True)
class PackageLimits:
    """How large a function's code may be, in bytes (None: the cloud sets no such limit)."""

    direct_zip: int | None = None  # a zip uploaded with the function itself; larger ones go through storage
    unzipped: int | None = None  # what a zip unpacks to
    image: int | None = None  # an uncompressed container image
    source_zip: int | None = None  # an uploaded source archive the cloud builds from


@dataclass(frozen=True)
class Cloud:
    """Everything aipipe knows about one cloud that is not specific to one resource kind."""

    name: str
    title: str
    sdk_module: str  # what the program imports
    sdk_alias: str  # ... and as what
    sdk_requirement: str  # the line in the project's requirements.txt
    region_pattern: re.Pattern
    region_example: str
    tags: TagRules
    runtimes: Mapping[str, str]  # spec runtime -> the cloud's runtime identifier
    retired_runtimes: Mapping[str, str]  # runtime that can no longer be deployed -> what to use instead
    functions: FunctionLimits
    resources: Mapping[str, ResourceFacts]  # type token -> facts
    default_mock: MockShape
    # principals and identities aipipe grants to, by role in the pipeline
    principals: Mapping[str, str] = field(default_factory=dict)
    # (spec header, emulator endpoint or None) -> the provider's stack configuration
    provider_config: Callable[[Any, str | None], dict] = lambda header, endpoint: {}
    # what stays in the cloud when a retained bucket's (or table's) stack is destroyed: the bucket and its
    # settings, the table (and its dataset)
    kept_with_bucket: frozenset[str] = frozenset()
    # (type token, logical name) -> whether destroy always keeps it: bindings the whole project shares
    kept_always: Callable[[str, str], bool] = lambda token, name: False
    # packages beside pulumi and the SDK that its programs may import (the deploy environment holds them all)
    program_packages: tuple[str, ...] = ()

    def facts(self, token: str) -> ResourceFacts:
        """The facts of a type token (an unknown token holds no data and is replaced by nothing but a move)."""
        return self.resources.get(token) or ResourceFacts(token)
