"""What the parts of the local runner agree on.

- A `LocalCloud` (aws: moto's server; gcp: gcp-storage-emulator and aipipe's own Pub/Sub delivery) holds the
  spec's resources for one stack, tells handlers how to reach it, takes the user's inputs, and reports what
  happened to its resources as `Occurrence`s — including what handlers themselves wrote.
- The engine matches occurrences to the spec's triggers (with the rules the renderer configures the cloud with),
  builds the event the cloud would deliver (`local/events`), runs the target's handler in a subprocess
  (`local/handlers`), which answers an `Outcome`, and applies the spec's retries and dead letters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Outcome:
    """One run of a handler: its JSON-able return value, or the exception it raised (the user's traceback)."""

    ok: bool
    value: Any = None
    error_type: str | None = None  # the exception's class name, as Lambda's `errorType`
    error_message: str | None = None
    traceback: str | None = None
    duration_ms: float = 0.0
    logs: str = ""  # what the handler printed (stdout and stderr)


# Occurrence kinds and the keys of their `detail`:
#   "object"   bucket (local bucket name), key, size, etag, event ("created" | "deleted"), time (ISO 8601 UTC)
#   "message"  data (str), attributes (dict[str, str]), message_id, time        — a topic, queue or subscription
#              aws: attributes hold values as SNS filters compare them (a Number a number, a String.Array a list;
#              Binary ones left out); optional: message_attributes ({name: {"type": data type, "value": text as
#              sent, Binary base64}}), subject (an SNS publish's), receive_count (the engine's SQS receives)
#   "record"   data (base64 str), partition_key, sequence_number, time          — a stream
#   "change"   event ("INSERT" | "MODIFY" | "REMOVE"), keys, new_image, old_image, time   — a table's stream
#   "schedule" time                                                             — a schedule firing (--fire)
OCCURRENCE_KINDS = ("object", "message", "record", "change", "schedule")


@dataclass(frozen=True)
class Occurrence:
    """Something that happened to one local resource, which triggers on that resource may start a target on."""

    source: str  # the spec resource it happened to
    kind: str  # one of OCCURRENCE_KINDS
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkflowRun:
    """One execution of a workflow: how it ended, and each state it went through in order."""

    status: str  # "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED", as Step Functions says
    output: Any = None
    error: str | None = None
    cause: str | None = None
    steps: tuple[tuple[str, str], ...] = ()  # (state name, "entered" | "succeeded" | "failed" | "retried" | ...)


# Runs one function's handler with an event: (function resource name, event) -> Outcome.
Invoker = Callable[[str, Any], Outcome]


class LocalCloud(Protocol):
    """The spec's resources of one stack, held by local emulators."""

    cloud: str  # "aws" | "gcp"

    def start(self) -> None:
        """Start the emulators and create every resource of the stack that exists locally."""

    def stop(self) -> None:
        """Stop the emulators (local bucket contents stay on disk under the data folder)."""

    def attribute(self, resource: str, attribute: str) -> str:
        """`${resource.attribute}` as the local resources have it (names, ARNs, URLs), for handler environments."""

    def secret_arn(self, name: str) -> str:
        """`${secret.NAME.arn}`: the ARN of the local copy of a stored secret (aws); LookupError elsewhere."""

    def handler_environment(self) -> dict[str, str]:
        """The variables that point a handler's cloud SDK at the emulators (endpoint URL or emulator host, dummy
        credentials, region or project) — never real credentials."""

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        """Write an object into a spec bucket (`--put`); it is reported like any other write."""

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> None:
        """Publish a message to a spec topic (`--publish`); it is reported like any other publish."""

    def start_workflow(self, workflow: str, input: Any, invoke: Invoker) -> WorkflowRun:
        """Run a spec workflow to its end on the very definition the renderer produces, its function tasks
        dispatched to `invoke` (aws only; other clouds have no workflow kind)."""

    def not_run_locally(self) -> list[tuple[str, str]]:
        """The resources (or parts of them) the emulators do not run, each with what the cloud would do."""

    def unmirrored(self) -> list[str]:
        """Objects that exist in the emulator only, each with why it has no file under the data folder (a key such
        as `a//b` or `../x`, or both `a` and `a/b`)."""

    def occurrences(self) -> list[Occurrence]:
        """Everything that happened to the stack's resources since the last call, in order."""
