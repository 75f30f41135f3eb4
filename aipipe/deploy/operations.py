"""The deploy commands as library calls: up, preview, destroy, refresh, outputs, ls, cancel.

Each takes the resolved DeploySettings, a StackOperations (the seam: real Automation API or a test fake),
and an Interaction (how to ask the user). Raises DeployError with the exit code README.md gives.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aipipe.clouds.registry import CLOUDS
from aipipe.deploy.jobs import job_states, report_jobs
from aipipe.deploy.progress import ChangeSet, EventPrinter
from aipipe.deploy.records import forget_deployment, record_deployment
from aipipe.deploy.settings import DeployError, DeploySettings
from aipipe.deploy.stack import StackOperations, classify


@dataclass
class Interaction:
    """How a command talks to its user: whether it may ask, and how."""

    interactive: bool
    assume_yes: bool = False
    mode: str = "plain"  # live | plain | json
    echo: Callable[[str], None] = print
    confirm: Callable[[str], bool] = lambda question: False
    prompt: Callable[[str], str] = lambda question: ""
    stream: Any = field(default_factory=lambda: sys.stdout)


def _printer(settings: DeploySettings, ui: Interaction, phase: str = "update", mode: str | None = None) -> EventPrinter:
    spec = settings.spec
    return EventPrinter(
        mode or ui.mode,
        ui.stream,
        owner_lines=dict(spec.resource_lines),
        owners=list(spec.resources),
        phase=phase,
        secrets=tuple(settings.secrets.values()),
    )


@contextmanager
def patient_interrupts(notice: Callable[[str], None]) -> Iterator[list[int]]:
    """While pulumi runs: the first Ctrl-C only says that pulumi is stopping, and aipipe keeps reading its output
    until it exits. The terminal sent the same SIGINT to pulumi, which cancels cleanly and unlocks the stack;
    raising at once would close its output pipe (subprocess.Popen.__exit__ on KeyboardInterrupt) and kill it
    mid-cancel, leaving the stack locked. A second Ctrl-C gives up waiting (KeyboardInterrupt)."""
    seen = [0]
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def on_interrupt(signum, frame):
        seen[0] += 1
        if seen[0] > 1:
            raise KeyboardInterrupt
        notice("interrupted: pulumi is stopping cleanly (Ctrl-C again to stop waiting for it)")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def _notice(message: str) -> None:
    sys.stderr.write(message + "\n")  # stderr: --json output stays machine-readable
    sys.stderr.flush()


def _run(settings: DeploySettings, action: Callable[[], Any], notice: Callable[[str], None] = _notice) -> Any:
    """Run a stack operation: Automation API errors classified, Ctrl-C turned into exit 130 with advice."""
    stack = settings.stack_name
    try:
        with patient_interrupts(notice) as interrupts:
            try:
                return action()
            except Exception:
                if interrupts[0]:
                    raise DeployError(
                        f"interrupted: pulumi stopped cleanly. What it finished is in the stack; run `aipipe "
                        f"refresh --stack {stack}` to see where things stand, then the command again",
                        130,
                    ) from None
                raise
    except KeyboardInterrupt:
        raise DeployError(
            f"interrupted. Pulumi stops cleanly on the signal, but if the stack stays locked run "
            f"`aipipe cancel --stack {settings.stack_name}`, then `aipipe refresh --stack {settings.stack_name}` to "
            "bring the state back in line with the cloud",
            130,
        ) from None
    except DeployError:
        raise
    except Exception as error:
        raise classify(error, settings) from None


def _operate(settings: DeploySettings, printer: EventPrinter, action: Callable[[], Any], ui: Interaction) -> Any:
    """Run an operation whose events `printer` follows. When it fails, the CLI exits non-zero and the SDK
    raises; the events still say which resources failed and why, so the error names their spec resources."""
    with printer:
        try:
            result = _run(settings, action)
        except DeployError as error:
            if error.exit_code == 130 or not (printer.errors or printer.failed):
                raise
            result = None
    _warn_dropped(printer, ui)
    _raise_failures(printer, settings.stack_name)
    return result


def _warn_dropped(printer: EventPrinter, ui: Interaction) -> None:
    if printer.handler_errors:
        ui.echo(
            f"warning: {len(printer.handler_errors)} engine event(s) could not be shown (a bug in aipipe, please "
            f"report it): {printer.handler_errors[0]}"
        )


def describe_changes(changes: ChangeSet, ui: Interaction, settings: DeploySettings) -> None:
    """What a preview found, data-holding deletions and replacements first and loudest."""
    if ui.mode == "json":
        return
    ui.echo(f"stack {settings.stack_name}: {changes.summary()}")
    for change in sorted(changes.changes.values(), key=lambda c: (c.op, c.owner, c.urn)):
        marker = "  !! " if change.loses_data else "     "
        ui.echo(f"{marker}{change.op:<8} {change.type} {change.urn.rsplit('::', 1)[-1]} (spec: {change.owner})")
    for change in changes.data_loss:
        ui.echo(f"WARNING: {change.op} of {change.type} `{change.urn.rsplit('::', 1)[-1]}` loses the data it holds")


def _approve(ui: Interaction, question: str, what: str) -> None:
    if ui.assume_yes:
        return
    if not ui.interactive:
        raise DeployError(f"refusing to {what} without --yes: there is no terminal to ask for confirmation", 2)
    if not ui.confirm(question):
        raise DeployError(f"{what} cancelled; nothing was changed", 1)


def preview(settings: DeploySettings, stack: StackOperations, ui: Interaction) -> ChangeSet:
    """Show what `up` would change, without changing anything."""
    changes = ChangeSet(list(settings.spec.resources))
    # JSON consumers get the preview's events; people get the change list below (errors either way)
    printer = _printer(settings, ui, "preview", mode=ui.mode if ui.mode == "json" else "quiet")

    def on_event(event):
        changes.on_event(event)
        printer.on_event(event)

    _operate(settings, printer, lambda: stack.preview(on_event), ui)
    describe_changes(changes, ui, settings)
    return changes


def up(settings: DeploySettings, stack: StackOperations, ui: Interaction) -> dict[str, Any]:
    """Preview, show the changes, ask (unless --yes), deploy with live progress, return the outputs."""
    changes = preview(settings, stack, ui)
    if changes.empty:
        ui.echo("nothing to deploy: the stack already matches the spec")
        _check_jobs(settings, stack, ui)
        return _run(settings, stack.outputs)
    question = f"Deploy these changes to stack {settings.stack_name}?"
    if changes.data_loss:
        question = f"This deletes or replaces {len(changes.data_loss)} resource(s) holding data. {question}"
    _approve(ui, question, "deploy")
    printer = _printer(settings, ui)
    outputs = _operate(settings, printer, lambda: stack.up(printer.on_event), ui)
    record_deployment(settings, sum(v for k, v in printer.summary.items() if k != "delete") or None)
    if ui.mode != "json":
        ui.echo(
            f"deployed stack {settings.stack_name}: "
            + (", ".join(f"{n} {op}" for op, n in sorted(printer.summary.items())) or "done")
        )
    _check_jobs(settings, stack, ui)
    return outputs


def _check_jobs(settings: DeploySettings, stack: StackOperations, ui: Interaction) -> None:
    """Whether each Dataflow job of the spec reached RUNNING (deploy.jobs); only specs with jobs ask the stack."""
    if not any(resource.type == "dataflow" for resource in settings.spec.resources.values()):
        return
    jobs = job_states(_run(settings, stack.resources))
    report_jobs(jobs, dict(settings.spec.resource_lines), _notice if ui.mode == "json" else ui.echo)


def _raise_failures(printer: EventPrinter, stack_name: str) -> None:
    if printer.errors or printer.failed:
        details = printer.errors or [f"{printer.describe(urn)} failed" for urn in printer.failed]
        lines = "\n".join("  " + detail.replace("\n", "\n    ") for detail in details)
        raise DeployError(
            f"the {printer.phase} failed:\n{lines}\nResources that finished are in the stack; fix the cause "
            f"and run the command again (`aipipe refresh --stack {stack_name}` first if the cloud was changed "
            "by hand)"
        )


def retained_resources(changes: ChangeSet, settings: DeploySettings) -> list[str]:
    """Spec resources whose cloud resources stay when the stack is destroyed (buckets and tables keep their data)."""
    kept = [
        name
        for name, resource in settings.spec.resources.items()
        if resource.type in ("bucket", "table")
        and getattr(resource, "retain_on_destroy", False)
        and not getattr(resource, "existing", None)
    ]
    return [name for name in kept if any(c.owner == name for c in changes.changes.values()) or not changes.changes]


def destroy(settings: DeploySettings, stack: StackOperations, ui: Interaction) -> None:
    """Show what goes and what stays, ask for the stack name (unless --yes), then destroy."""
    changes = ChangeSet(list(settings.spec.resources))
    _run(settings, lambda: stack.preview_destroy(changes.on_event))  # the Automation API's destroy skips this
    retained = retained_resources(changes, settings)
    if ui.mode != "json":
        ui.echo(f"stack {settings.stack_name}: {changes.count('delete')} cloud resources to delete")
        cloud = CLOUDS[settings.spec.cloud]
        for change in sorted(changes.changes.values(), key=lambda c: (c.owner, c.urn)):
            name = change.urn.rsplit("::", 1)[-1]
            keep = (change.owner in retained and change.type in cloud.kept_with_bucket) or cloud.kept_always(
                change.type, name
            )
            ui.echo(f"     {'retain' if keep else 'delete':<8} {change.type} {name}")
        if retained:
            ui.echo(
                "kept in the cloud with their data (removed from the stack only): "
                + ", ".join(retained)
                + ". Set `retain_on_destroy: false` on a bucket or table to delete it with the stack."
            )
    if not ui.assume_yes:
        if not ui.interactive:
            raise DeployError("refusing to destroy without --yes: there is no terminal to confirm", 2)
        if ui.prompt(f"Type the stack name ({settings.stack_name}) to destroy it") != settings.stack_name:
            raise DeployError("destroy cancelled: the name did not match; nothing was changed", 1)
    printer = _printer(settings, ui, "destroy")
    _operate(settings, printer, lambda: stack.destroy(printer.on_event), ui)
    forget_deployment(settings)
    if ui.mode != "json":
        ui.echo(f"destroyed stack {settings.stack_name}")


def refresh(settings: DeploySettings, stack: StackOperations, ui: Interaction) -> None:
    """Bring the stack's state in line with what exists in the cloud (drift)."""
    printer = _printer(settings, ui, "refresh")
    _operate(settings, printer, lambda: stack.refresh(printer.on_event), ui)


def outputs(settings: DeploySettings, stack: StackOperations) -> dict[str, Any]:
    """The stack's outputs (secret outputs shown as [secret])."""
    return _run(settings, stack.outputs)


def cancel(settings: DeploySettings, stack: StackOperations) -> None:
    """Unlock a stack left locked by an interrupted update. A local (file) backend just removes the lock, even
    when no update runs; Pulumi Cloud refuses when none is running (pulumi/pulumi pkg/backend/diy/backend.go,
    pkg/backend/httpstate/backend.go `CancelCurrentUpdate`)."""
    try:
        _run(settings, stack.cancel)
    except DeployError as error:
        raise DeployError(
            f"could not cancel an update of stack `{settings.stack_name}`: {error}\nIf no update is running, the "
            "stack is not locked and there is nothing to cancel"
        ) from None
