"""Engine events as people and machines want them: what will change (with data-holding deletions and
replacements called out), live progress per resource, failures named by the spec resource that owns them.

Takes pulumi.automation.events.EngineEvent objects; only reads their fields, so it imports nothing heavy.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field

from aipipe.clouds.registry import holds_data
from aipipe.codegen.ownership import COMPONENT_PREFIX, name_of, owner_of
from aipipe.core.text import printable
from aipipe.semantics.secrets import mask_secrets

# The program's root resource: the engine reports steps for it (and counts them in its summary), but it is not a
# cloud resource (pulumi/pulumi sdk/go/common/resource/stack.go RootStackType, named `<project>-<stack>`).
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"

# The engine's colour tags inside diagnostic messages, e.g. `<{%reset%}>` and `<{%fg 1%}>` (pulumi/pulumi
# sdk/go/common/diag/colors/colors.go: colorLeft `<{%`, a name, `%}>`); see events/create-failed.jsonl.
_COLOUR_TAG = re.compile(r"<\{%[^%]*%\}>")


def message_lines(message: str) -> list[str]:
    """An engine diagnostic as lines a person can read: colour tags removed, each line escaped (a Python
    traceback from the program keeps its lines)."""
    text = _COLOUR_TAG.sub("", message).strip("\n")
    return [printable(line.rstrip()) for line in text.splitlines() if line.strip()] or [""]


def _is_cloud_resource(type_token: str) -> bool:
    """Whether a step is a cloud change: not a provider, not the root stack, not one of aipipe's components."""
    return not (type_token == ROOT_STACK_TYPE or type_token.startswith(("pulumi:providers:", COMPONENT_PREFIX)))


CHANGES = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "create-replacement": "replace",
    "delete": "delete",
    "delete-replaced": "replace",
}


@dataclass
class Change:
    """One cloud resource that an operation will change, and the spec resource that owns it."""

    urn: str
    type: str
    op: str  # create | update | replace | delete
    owner: str
    inputs: dict | None = None  # as the engine reported them (None when it did not)

    @property
    def loses_data(self) -> bool:
        """Deleting or replacing what holds data (aipipe.clouds decides, as it does for `aipipe diff`)."""
        return self.op in ("replace", "delete") and holds_data(self.type, self.inputs)


@dataclass
class ChangeSet:
    """Collects a preview's planned changes from its ResourcePreEvents."""

    owners: list[str] = field(default_factory=list)  # spec resource names, for attributing cloud resources
    changes: dict[str, Change] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)  # urn -> parent urn, as the engine reports them

    def owner_of(self, urn: str) -> str:
        """The spec resource owning a cloud resource (aipipe.codegen.ownership, as `aipipe diff` decides)."""
        return owner_of(urn, self.parents, self.owners)

    def on_event(self, event) -> None:
        pre = getattr(event, "resource_pre_event", None)
        if pre is None:
            return
        metadata = pre.metadata
        state = metadata.new or metadata.old  # the step's resource state: its parent and inputs
        if state is not None and state.parent:
            self.parents[metadata.urn] = state.parent
        op = CHANGES.get(getattr(metadata.op, "value", metadata.op))
        if op is None or not _is_cloud_resource(metadata.type):
            return
        previous = self.changes.get(metadata.urn)
        if previous is None or op == "replace":  # a replacement shows as several steps: keep "replace"
            inputs = dict(state.inputs) if state is not None and state.inputs is not None else None
            self.changes[metadata.urn] = Change(metadata.urn, metadata.type, op, self.owner_of(metadata.urn), inputs)

    def count(self, op: str) -> int:
        return sum(1 for change in self.changes.values() if change.op == op)

    @property
    def data_loss(self) -> list[Change]:
        return [change for change in self.changes.values() if change.loses_data]

    @property
    def empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        parts = [f"{self.count(op)} to {op}" for op in ("create", "update", "replace", "delete") if self.count(op)]
        return ", ".join(parts) if parts else "no changes"


@dataclass
class _Row:
    op: str
    type: str
    name: str
    started: float
    status: str = "running"
    finished: float | None = None


class EventPrinter:
    """Live progress from engine events. Modes: `live` (rich table, a terminal), `plain` lines, `json` lines,
    `quiet` (nothing printed; failures still collected)."""

    def __init__(
        self,
        mode: str = "plain",
        stream=None,
        owner_lines: dict[str, int] | None = None,
        owners: list[str] | None = None,
        phase: str = "update",
        secrets: tuple[str, ...] = (),
    ):
        self.mode = mode
        self.phase = phase  # preview | update | destroy | refresh: JSON consumers need to tell them apart
        self._secrets = tuple(secrets)
        self.stream = stream or sys.stdout
        self.rows: dict[str, _Row] = {}
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.summary: dict[str, int] = {}
        self.handler_errors: list[str] = []  # events this printer could not handle (a bug in aipipe)
        self._root_ops: list[str] = []  # the root stack's steps, which the engine's summary counts
        self.owner_lines = owner_lines or {}
        self.changes = ChangeSet(owners or list(self.owner_lines))
        self._live = None
        self._clock = time.monotonic

    # -- lifecycle
    def __enter__(self):
        if self.mode == "live":
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._table(), console=Console(file=self.stream), refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc):
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(*exc)
        return False

    # -- events
    def on_event(self, event) -> None:
        """Feed one EngineEvent. Never raises: the Automation API calls this on its event thread and turns an
        exception into a warning, which would silently drop the event; a failure is kept in `handler_errors`."""
        try:
            self._handle(event)
        except Exception as error:  # see the docstring
            self.handler_errors.append(f"{type(error).__name__}: {error}")

    def _handle(self, event) -> None:
        self.changes.on_event(event)
        now = self._clock()
        if event.resource_pre_event is not None:
            metadata = event.resource_pre_event.metadata
            op = getattr(metadata.op, "value", metadata.op)
            if metadata.type == ROOT_STACK_TYPE:
                self._root_ops.append(op)
                return
            if op in ("same", "read") or metadata.type.startswith("pulumi:providers:"):
                return
            self.rows[metadata.urn] = _Row(op, metadata.type, name_of(metadata.urn), now)
            self._emit("planned" if self.phase == "preview" else "start", metadata.urn, op=op)
        elif event.res_outputs_event is not None:
            row = self.rows.get(event.res_outputs_event.metadata.urn)
            # a preview reports outputs too (with the planned values): only a real operation's are "done"
            if row and self.phase != "preview":
                row.status, row.finished = "done", now
                self._emit("done", event.res_outputs_event.metadata.urn, op=row.op)
        elif event.res_op_failed_event is not None:
            urn = event.res_op_failed_event.metadata.urn
            row = self.rows.get(urn)
            if row:
                row.status, row.finished = "failed", now
            self.failed.append(urn)
            self._emit("failed", urn)
        elif event.diagnostic_event is not None:
            diagnostic = event.diagnostic_event
            if diagnostic.severity == "error":
                where = self.describe(diagnostic.urn) if diagnostic.urn else ""
                # a provider may echo a secret value (Pulumi masks its own output already)
                message = mask_secrets("\n".join(message_lines(diagnostic.message)), self._secrets)
                self.errors.append(f"{where}: {message}" if where else message)
                self._emit("error", diagnostic.urn or "", message=message)
        elif event.summary_event is not None:
            self.summary = self._cloud_summary(event.summary_event.resource_changes)
            self._emit("summary", "", changes=self.summary, seconds=event.summary_event.duration_seconds)
        if self._live is not None:
            self._live.update(self._table())

    def _cloud_summary(self, counts) -> dict[str, int]:
        """The engine's change counts without the root stack's own step."""
        summary = {getattr(op, "value", op): count for op, count in counts.items()}
        for op in self._root_ops:
            if summary.get(op):
                summary[op] -= 1
        return {op: count for op, count in summary.items() if count}

    def describe(self, urn: str) -> str:
        """`name (type) of spec resource `owner` at line N`."""
        owner = self.changes.owner_of(urn)
        line = self.owner_lines.get(owner)
        where = f" (spec resource `{owner}`, line {line})" if line else f" (spec resource `{owner}`)"
        return f"{name_of(urn)}{where}"

    # -- output
    def _emit(self, kind: str, urn: str, **details) -> None:
        if self.mode == "json":
            record = {"event": kind, "phase": self.phase, "urn": urn, **details}
            if urn:
                record["resource"] = name_of(urn)
                record["spec_resource"] = self.changes.owner_of(urn)
            print(json.dumps(record, sort_keys=True), file=self.stream, flush=True)
        elif self.mode == "plain":
            row = self.rows.get(urn)
            if kind == "start" and row:
                print(f"{_VERBS.get(row.op, row.op)} {row.type} {printable(row.name)}", file=self.stream, flush=True)
            elif kind in ("done", "failed") and row:
                seconds = (row.finished or self._clock()) - row.started
                print(
                    f"{'done' if kind == 'done' else 'FAILED'}: {printable(row.name)} ({seconds:.1f}s)",
                    file=self.stream,
                    flush=True,
                )
            elif kind == "error":
                print(self._last_error(), file=self.stream, flush=True)
        elif self.mode == "live" and kind == "error" and self._live is not None:
            from rich.text import Text  # plain text: a message's brackets are not rich markup

            self._live.console.print(Text(self._last_error(), style="red"), soft_wrap=True)

    def _last_error(self) -> str:
        """The newest error as printed: `error: ` and its lines, the later ones indented under the first."""
        return "error: " + self.errors[-1].replace("\n", "\n  ")

    def _table(self):
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", expand=False)
        for column in ("operation", "resource", "type", "status", "time"):
            table.add_column(column)
        now = self._clock()
        for row in self.rows.values():
            seconds = (row.finished or now) - row.started
            style = {"done": "green", "failed": "red"}.get(row.status, "yellow")
            table.add_row(row.op, printable(row.name), row.type, f"[{style}]{row.status}[/]", f"{seconds:.1f}s")
        return table


_VERBS = {
    "create": "creating",
    "update": "updating",
    "replace": "replacing",
    "delete": "deleting",
    "create-replacement": "creating replacement",
    "delete-replaced": "deleting replaced",
    "refresh": "refreshing",
}
