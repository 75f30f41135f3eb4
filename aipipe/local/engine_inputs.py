"""What a local run takes: the user's inputs (`--put`, `--publish`, `--start`, `--fire`), the limits where it stops
what the cloud would keep doing, and what it does not run at all."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Put:
    """`--put BUCKET/KEY=FILE`: write an object into a spec bucket."""

    bucket: str
    key: str
    data: bytes


@dataclass(frozen=True)
class Publish:
    """`--publish TOPIC=FILE`: publish a message to a spec topic."""

    topic: str
    data: bytes
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Start:
    """`--start WORKFLOW=FILE`: start a workflow with the file's JSON as its input."""

    workflow: str
    input: Any = None


@dataclass(frozen=True)
class Fire:
    """`--fire FUNCTION`: the schedule of a function (or workflow) fires once."""

    target: str


Input = Put | Publish | Start | Fire


@dataclass(frozen=True)
class Limits:
    """Where a local run stops what the cloud would keep doing."""

    depth: int = 16  # hops of causation from an input before a chain is taken for a loop
    redeliveries: int = 10  # attempts where the cloud redelivers until a retention of hours or days
    deliveries: int = 2000  # deliveries in one run, against fan-out that grows without looping


def not_run_locally(spec: Any, cloud: Any) -> list[str]:
    """What the local cloud does not run, with what the cloud would do: the cloud's own answer when it has one,
    else derived from the spec (Dataflow jobs, replication, pulumi resources)."""
    ask = getattr(cloud, "not_run_locally", None)
    if callable(ask):
        return [f"`{resource}`: {what}" for resource, what in ask()]  # type: ignore[union-attr]
    notes = []
    for name, resource in spec.resources.items():
        if resource.type == "dataflow":
            reads = f", reading `{resource.input}`" if resource.input else ""
            writes = f", writing {resource.output}" if resource.output else ""
            notes.append(f"dataflow `{name}`: would run the `{resource.template}` job{reads}{writes}")
        elif resource.type == "replication":
            when = f" on {resource.schedule}" if getattr(resource, "schedule", None) else " as objects are written"
            notes.append(
                f"replication `{name}`: would copy objects from `{resource.source}` to `{resource.destination}` "
                f"({resource.method}){when}"
            )
        elif resource.type == "pulumi":
            notes.append(f"pulumi `{name}`: would create a `{resource.resource}`")
    return notes


class InputError(Exception):
    """A malformed or unknown `--put`, `--publish`, `--start` or `--fire` (a usage error: exit 2)."""


def _named(spec: Any, name: str, kinds: tuple[str, ...], switch: str) -> str:
    """`name` when it is a resource of one of `kinds`, else an InputError with a did-you-mean."""
    from aipipe.core.suggest import did_you_mean, one_of

    resource = spec.resources.get(name)
    if resource is not None and resource.type in kinds:
        return name
    fitting = [other for other, r in spec.resources.items() if r.type in kinds]
    what = " or ".join(kinds)
    if resource is not None:
        raise InputError(
            f"{switch}: `{name}` is a {resource.type}, not a {what}; the spec's: {one_of(fitting) or 'none'}"
        )
    raise InputError(
        f"{switch}: the spec has no {what} `{name}`{did_you_mean(name, fitting)}; it has {one_of(fitting) or 'none'}"
    )


def _split(value: str, switch: str, form: str) -> tuple[str, Path]:
    """`NAME=FILE` split at the last `=` (object keys may hold `=`, as Hive partitions do), the file checked."""
    name, equals, file = value.rpartition("=")
    if not equals or not name or not file:
        raise InputError(f"{switch} takes {form}, got `{value}`")
    path = Path(file).expanduser()
    if not path.is_file():
        raise InputError(f"{switch} {value}: no file `{file}`")
    return name, path


def parse_put(spec: Any, value: str) -> Put:
    """`--put BUCKET/KEY=FILE` (a KEY ending in `/` takes the file's name)."""
    target, path = _split(value, "--put", "BUCKET/KEY=FILE")
    bucket, slash, key = target.partition("/")
    if not slash or not key:
        raise InputError(f"--put takes BUCKET/KEY=FILE (the key after the bucket's name and a `/`), got `{value}`")
    key = key + path.name if key.endswith("/") else key
    return Put(_named(spec, bucket, ("bucket",), "--put"), key, path.read_bytes())


def parse_publish(spec: Any, value: str) -> Publish:
    """`--publish TOPIC=FILE`: the file's bytes as the message."""
    topic, path = _split(value, "--publish", "TOPIC=FILE")
    data = path.read_bytes()
    if spec.cloud == "aws":  # SNS Publish's Message is a string (docs.aws.amazon.com/sns/latest/api/API_Publish.html)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"--publish {value}: `{path}` is not UTF-8 text, and an SNS message is text (encode binary data, "
                "as base64 say, before publishing it)"
            ) from None
    return Publish(_named(spec, topic, ("topic",), "--publish"), data)


def parse_start(spec: Any, value: str) -> Start:
    """`--start WORKFLOW=FILE`: the file's JSON as the execution's input."""
    workflow, path = _split(value, "--start", "WORKFLOW=FILE")
    name = _named(spec, workflow, ("workflow",), "--start")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"--start {value}: `{path}` is not JSON ({error})") from None
    return Start(name, document)


def parse_fire(spec: Any, name: str) -> Fire:
    """`--fire FUNCTION`: a function (or workflow) with a schedule trigger."""
    from aipipe.core.suggest import did_you_mean, one_of
    from aipipe.triggers.registry import trigger_kind

    scheduled = [
        resource_name
        for resource_name, resource in spec.resources.items()
        if any(trigger_kind(trigger).key == "schedule" for trigger in getattr(resource, "triggers", None) or ())
    ]
    if name in scheduled:
        return Fire(name)
    if name in spec.resources:
        raise InputError(f"--fire: `{name}` has no schedule trigger; the scheduled ones: {one_of(scheduled) or 'none'}")
    raise InputError(
        f"--fire: the spec has no `{name}`{did_you_mean(name, scheduled)}; scheduled: {one_of(scheduled) or 'none'}"
    )
