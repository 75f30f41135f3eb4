"""Run a rendered Pulumi program offline under `pulumi.runtime.set_mocks` and record what it would create.

No cloud account and no `pulumi` binary: the real pulumi, pulumi_aws and pulumi_gcp SDKs run the program,
so a wrong argument name fails here exactly as it would in `pulumi up`. The mocks fill in what a provider
would compute (names, ARNs, URLs, ids) so that dependent inputs are complete. Each run resets Pulumi's
global root stack first, so runs in one process do not leak into each other.
"""

from __future__ import annotations

import hashlib
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from aipipe.clouds.registry import CLOUDS
from aipipe.offline.loops import remember_current_loop

SECRET = "[secret]"
ACCOUNT = "123456789012"


@dataclass
class PlannedResource:
    """One resource the program registers: Pulumi type token, logical name, parent, inputs, dependencies."""

    urn: str
    type: str
    name: str
    parent: str
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    custom: bool = True
    provider: str = ""
    # resource options as registered: protect, retain_on_delete, and the explicit depends_on (dependencies that
    # no input carries)
    options: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The shape of `plan --json` (the keys README.md documents, plus `options`)."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "inputs": self.inputs,
            "dependencies": self.dependencies,
            "options": self.options,
        }


@dataclass
class Plan:
    """Everything a program would create, and its stack outputs."""

    resources: list[PlannedResource]
    outputs: dict[str, Any]

    def by_type(self) -> dict[str, int]:
        """How many resources of each type token."""
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        return dict(sorted(counts.items()))


def run_program(program_dir: Path, project: str, stack: str, config: dict[str, str], secrets: list[str] = ()) -> Plan:
    """Execute `program_dir/__main__.py` under mocks; `config` is Pulumi config (`aws:region`, ...), `secrets`
    the config keys whose values are secret (they get a placeholder, never a real value)."""
    settings.ROOT.set(None)  # a fresh root stack: exports of an earlier run must not merge into this one
    all_config = {**config, **{f"{project}:{name}": SECRET for name in secrets}}
    pulumi.runtime.set_all_config(all_config, [f"{project}:{name}" for name in secrets])
    fake = _CloudMocks(
        config.get("aws:region") or config.get("gcp:region") or "us-east-1", config.get("gcp:project") or "mock-project"
    )
    monitor = _RecordingMonitor(fake)
    mocks.set_mocks(fake, project=project, stack=stack, preview=False, monitor=monitor)
    program = Path(program_dir).resolve()
    previous = os.getcwd()
    os.chdir(program)
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program / "__main__.py"), run_name="__main__")))
        outputs = _sync_await(pulumi.Output.from_input(settings.get_root_resource().outputs).future())
    finally:
        os.chdir(previous)
        remember_current_loop()
    return Plan(monitor.records, _plain(outputs))


class _RecordingMonitor(mocks.MockMonitor):
    """pulumi's mock monitor, also keeping each registration's parent, inputs and dependencies."""

    def __init__(self, fake: mocks.Mocks):
        super().__init__(fake)
        self.records: list[PlannedResource] = []

    def Invoke(self, request):
        response = super().Invoke(request)
        remember_current_loop()
        return response

    def ReadResource(self, request):
        response = super().ReadResource(request)
        remember_current_loop()
        return response

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        remember_current_loop()
        if request.type != "pulumi:pulumi:Stack":
            self.records.append(
                PlannedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    inputs=_plain(rpc.deserialize_properties(request.object, keep_unknowns=True)),
                    dependencies=sorted(set(request.dependencies)),
                    custom=request.custom,
                    provider=request.provider,
                    options=_options(request),
                )
            )
        return response


def _options(request) -> dict[str, Any]:
    """The options a RegisterResource request carries that decide what destroy and replacements do."""
    carried = {urn for dependencies in request.propertyDependencies.values() for urn in dependencies.urns}
    return {
        "protect": bool(request.protect),
        "retain_on_delete": bool(request.retainOnDelete),
        "depends_on": sorted(set(request.dependencies) - carried),
    }


class _CloudMocks(mocks.Mocks):
    """Stands in for the providers: echoes inputs and adds the outputs a real provider computes."""

    def __init__(self, region: str, project: str):
        self.region, self.project = region, project

    def new_resource(self, args: mocks.MockResourceArgs):
        return _new_resource(args, self.region, self.project)

    def call(self, args: mocks.MockCallArgs):
        if args.token == "gcp:organizations/getClientConfig:getClientConfig":
            return {"project": self.project, "region": self.region, "id": self.project}
        if args.token == "gcp:organizations/getProject:getProject":
            return {"number": "123456789012", "projectId": self.project, "name": self.project}
        if args.token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
            return {
                "emailAddress": "service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
                "project": self.project,
            }
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {"userName": "AWS", "password": "mock-token", "authorizationToken": "mock", "id": "ecr-token"}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/mock", "userId": "mock"}
        return {}


DOCKER_IMAGE = "docker-build:index:Image"


def _new_resource(args, region: str, project: str) -> tuple[str, dict]:
    """The id and outputs a provider would return, from the cloud's mock shape for the type token
    (aipipe.clouds): inputs echoed, the name the provider would choose, ARNs, URLs, emails, ids."""
    token, inputs = args.typ, dict(args.inputs)
    cloud = CLOUDS.get(token.split(":", 1)[0])
    outputs = dict(inputs)
    # a read (`Bucket.get(name, id)`) names the existing resource by its id, not by the logical name
    name = inputs.get("name") or inputs.get("bucket") or args.resource_id or args.name
    outputs.setdefault("name", name)
    if token == DOCKER_IMAGE:  # the pushed image's reference: its first tag, pinned by digest
        tags = inputs.get("tags") or [str(name)]
        outputs["ref"] = f"{tags[0]}@sha256:{hashlib.sha256(str(tags[0]).encode()).hexdigest()}"
    if cloud is None:
        return str(name), outputs
    facts = cloud.facts(token)
    shape = facts.mock or cloud.default_mock
    fields = {
        **{k: v for k, v in inputs.items() if isinstance(v, str)},
        "name": name,
        "region": region,
        "account": ACCOUNT,
        "project": project,
        "service": token.split(":")[1].split("/")[0],
        "kind": token.split(":")[-1].lower(),
        "digest": hashlib.sha256(str(name).encode()).hexdigest()[:8],
        # an API a resource is for (`pubsub.googleapis.com` -> `pubsub`): service agents are named by it
        "api": str(inputs.get("service", "")).split(".")[0],
    }
    for key, template in {**cloud.default_mock.outputs, **shape.outputs}.items():
        parent, _, child = key.rpartition(".")
        if not parent:
            outputs.setdefault(key, template.format(**fields))
        elif isinstance(outputs.get(parent, {}), dict):  # a copy: the echoed inputs stay as they were
            outputs[parent] = {child: template.format(**fields), **outputs.get(parent, {})}
    arn = shape.arn or cloud.default_mock.arn
    if arn:
        outputs.setdefault("arn", arn.format(**fields))
    return shape.identity.format(**{**fields, **outputs}), outputs


def _plain(value: Any) -> Any:
    """Inputs as plain JSON: secrets become `[secret]`, unknowns `[unknown]`, assets their path."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if type(value).__name__ == "Unknown":
        return "[unknown]"
    if hasattr(value, "path") and type(value).__module__.startswith("pulumi"):
        return f"{type(value).__name__}({value.path})"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # numbers travel as floats; 512.0 was written 512
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


if __name__ == "__main__":  # pragma: no cover - debugging aid: python -m aipipe.offline.mocks DIR PROJECT STACK
    import json

    result = run_program(Path(sys.argv[1]), sys.argv[2], sys.argv[3], {"aws:region": "us-east-1"})
    print(json.dumps({"resources": [r.to_json() for r in result.resources], "outputs": result.outputs}, indent=1))
