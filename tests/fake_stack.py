"""A fake of the StackOperations seam that replays real pulumi.automation.events objects."""

from __future__ import annotations

import itertools

from pulumi.automation import errors as auto_errors
from pulumi.automation import events as ev
from pulumi.automation._cmd import CommandResult

_sequence = itertools.count(1)


def urn(type_token: str, name: str, parent: str = "aipipe:index:Bucket") -> str:
    return f"urn:pulumi:dev::event-driven-ingest::{parent}${type_token}::{name}"


def _event(**kind) -> ev.EngineEvent:
    return ev.EngineEvent(sequence=next(_sequence), timestamp=0, **kind)


def _metadata(op: str, type_token: str, name: str, parent: str) -> ev.StepEventMetadata:
    return ev.StepEventMetadata(op=ev.OpType(op), urn=urn(type_token, name, parent), type=type_token, provider="")


def pre(op: str, type_token: str, name: str, parent: str = "aipipe:index:Bucket") -> ev.EngineEvent:
    return _event(resource_pre_event=ev.ResourcePreEvent(_metadata(op, type_token, name, parent)))


def done(op: str, type_token: str, name: str, parent: str = "aipipe:index:Bucket") -> ev.EngineEvent:
    return _event(res_outputs_event=ev.ResOutputsEvent(_metadata(op, type_token, name, parent)))


def failed(op: str, type_token: str, name: str, parent: str = "aipipe:index:Bucket") -> ev.EngineEvent:
    return _event(res_op_failed_event=ev.ResOpFailedEvent(_metadata(op, type_token, name, parent), status=1, steps=1))


def diagnostic(message: str, severity: str = "error", on: str | None = None) -> ev.EngineEvent:
    return _event(diagnostic_event=ev.DiagnosticEvent(message=message, color="never", severity=severity, urn=on))


def summary(**changes: int) -> ev.EngineEvent:
    return _event(
        summary_event=ev.SummaryEvent(
            maybe_corrupt=False,
            duration_seconds=4,
            resource_changes={ev.OpType(op): count for op, count in changes.items()},
            policy_packs={},
        )
    )


BUCKET = "aws:s3/bucket:Bucket"
FUNCTION = "aws:lambda/function:Function"

CREATE_TWO = [pre("create", BUCKET, "raw"), pre("create", FUNCTION, "preprocess", "aipipe:index:Function")]
DEPLOY_TWO = [
    pre("create", BUCKET, "raw"),
    done("create", BUCKET, "raw"),
    pre("create", FUNCTION, "preprocess", "aipipe:index:Function"),
    done("create", FUNCTION, "preprocess", "aipipe:index:Function"),
    summary(create=2),
]
FAIL_FUNCTION = [
    pre("create", BUCKET, "raw"),
    done("create", BUCKET, "raw"),
    pre("create", FUNCTION, "preprocess", "aipipe:index:Function"),
    diagnostic(
        "creating Lambda Function (preprocess): InvalidParameterValueException: bad role",
        on=urn(FUNCTION, "preprocess", "aipipe:index:Function"),
    ),
    failed("create", FUNCTION, "preprocess", "aipipe:index:Function"),
    summary(create=1),
]


def _fails(event) -> bool:
    return event.res_op_failed_event is not None or (
        event.diagnostic_event is not None and event.diagnostic_event.severity == "error"
    )


class FakeStack:
    """Replays scripted events; records which operations ran. `raises` maps an operation to an exception."""

    def __init__(
        self, name="dev", preview_events=(), up_events=(), destroy_events=(), outputs=None, raises=None, resources=()
    ):
        self.name = name
        self._resources = list(resources)  # what `pulumi stack export` lists: urn, type, outputs
        self.preview_events, self.up_events, self.destroy_events = preview_events, up_events, destroy_events
        self._outputs = outputs or {}
        self.raises = raises or {}
        self.calls: list[str] = []

    def _replay(self, operation, events, on_event):
        self.calls.append(operation)
        if operation in self.raises:
            raise self.raises[operation]
        for event in events:
            on_event(event)
        if any(_fails(event) for event in events):
            # the CLI exits 255 when an operation fails, and the SDK raises once the events are delivered
            # (pulumi/automation/_cmd.py `_run_pulumi_cmd`: a non-zero code -> create_command_error)
            raise auto_errors.CommandError(CommandResult("Updating (dev):\n...", "error: update failed\n", 255))

    def preview(self, on_event):
        self._replay("preview", self.preview_events, on_event)

    def up(self, on_event):
        self._replay("up", self.up_events, on_event)
        return dict(self._outputs)

    def preview_destroy(self, on_event):
        self._replay(
            "preview_destroy",
            [
                pre(
                    "delete",
                    e.resource_pre_event.metadata.type,
                    e.resource_pre_event.metadata.urn.rsplit("::", 1)[-1],
                    e.resource_pre_event.metadata.urn.split("::")[2].split("$")[0],
                )
                for e in self.destroy_events
                if e.resource_pre_event
            ],
            on_event,
        )

    def destroy(self, on_event):
        self._replay("destroy", self.destroy_events, on_event)

    def refresh(self, on_event):
        self._replay("refresh", [], on_event)

    def outputs(self):
        self.calls.append("outputs")
        if "outputs" in self.raises:
            raise self.raises["outputs"]
        return dict(self._outputs)

    def resources(self):
        self.calls.append("resources")
        return list(self._resources)

    def cancel(self):
        self.calls.append("cancel")
