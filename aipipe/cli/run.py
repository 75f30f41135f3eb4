"""`aipipe run`: the whole pipeline on local emulators, from the user's inputs until nothing is left to deliver,
with a trace a person can follow (JSON lines with `--json`).

The local cloud (aipipe.local.clouds) and the handlers (aipipe.local.handlers) are imported inside the command,
so `--help` loads no emulator; the engine is aipipe.local.engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import SpecArgument, StackOption, fail, load_valid, local_data_folder, resolve_spec

IAM_NOTE = (
    "IAM is not enforced locally: handlers may read and write what their cloud roles would forbid "
    "(`aipipe plan` shows the permissions they get)"
)

PutOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--put",
        metavar="BUCKET/KEY=FILE",
        help="Write FILE into a bucket (a KEY ending in / takes FILE's name).",
    ),
]
PublishOption = Annotated[
    Optional[list[str]], typer.Option("--publish", metavar="TOPIC=FILE", help="Publish FILE's bytes.")
]
StartOption = Annotated[
    Optional[list[str]],
    typer.Option("--start", metavar="WORKFLOW=FILE", help="Start a workflow with FILE's JSON as input."),
]
FireOption = Annotated[
    Optional[list[str]],
    typer.Option("--fire", metavar="FUNCTION", help="Fire its schedule once (schedules never run by clock)."),
]
DataOption = Annotated[
    Optional[Path],
    typer.Option(
        "--data",
        metavar="DIR",
        help="Folder of the local buckets' files (default .aipipe/local/<stack>/ beside the spec).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the trace as JSON lines.")]
DepthOption = Annotated[
    int,
    typer.Option(
        "--max-depth", min=1, metavar="HOPS", help="Hops of causation after which a chain is stopped as a loop."
    ),
]


def run(
    spec: SpecArgument = None,
    stack: StackOption = None,
    put: PutOption = None,
    publish: PublishOption = None,
    start: StartOption = None,
    fire: FireOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
    max_depth: DepthOption = 16,
) -> None:
    """Run the pipeline locally: inject the inputs, deliver every event until nothing is left, print the trace.

    AWS runs on moto's server (S3, SNS, SQS, Kinesis, DynamoDB, Step Functions), GCP on gcp-storage-emulator and
    aipipe's own Pub/Sub delivery. Triggers, filters, batches, retries and dead letters follow the spec and each
    cloud's defaults; backoffs are not slept but counted on a virtual clock. IAM is not enforced.
    Buckets live as files under --data, so outputs can be inspected and fed to the next run.

    Exit code 0 when every delivery succeeded in the end, 1 when anything ended in a dead letter, a workflow
    failed or a loop was stopped, 2 for a wrong input.

    \b
    Examples:
      aipipe run pipelines/ingest --put raw/data/=sample.json
      aipipe run pipelines/embed --publish work-items=item.json --json
      aipipe run --start training-pipeline=input.json
      aipipe run --fire nightly-report
    """
    from aipipe.local.engine import Limits
    from aipipe.local.engine_inputs import InputError, parse_fire, parse_publish, parse_put, parse_start

    loaded = load_valid(resolve_spec(spec), stack)
    try:
        inputs = [
            *(parse_put(loaded, value) for value in put or ()),
            *(parse_publish(loaded, value) for value in publish or ()),
            *(parse_start(loaded, value) for value in start or ()),
            *(parse_fire(loaded, value) for value in fire or ()),
        ]
    except InputError as error:
        fail(str(error), 2)
    data = local_data_folder(loaded, data)
    printer = _Printer(as_json)
    printer.notes(loaded, [IAM_NOTE])
    if not inputs:
        printer.notes(loaded, ["no --put, --publish, --start or --fire given: only what the local cloud reports runs"])
    result = _run(loaded, data, inputs, Limits(depth=max_depth), printer)
    printer.summary(result)
    raise typer.Exit(result.exit_code)


def _run(spec, data: Path, inputs, limits, printer):
    """Open the local cloud and the handlers, run the engine, and always stop them."""
    from aipipe.build.cache import build_root
    from aipipe.local import clouds, handlers
    from aipipe.local.engine import run_pipeline

    try:
        cloud = clouds.open_local_cloud(spec, spec.stack, data)
    except clouds.LocalCloudError as error:
        fail(str(error), 1)
    local_handlers = None
    try:
        cloud.start()
        local_handlers = handlers.LocalHandlers(spec, cloud, build_root(spec.base_dir))
        result = run_pipeline(spec, cloud, local_handlers.invoke, inputs, on_trace=printer.entry, limits=limits)
        printer.notes(spec, [f"not run locally: {note}" for note in result.not_run_locally])
        printer.notes(spec, [f"not mirrored: {note}" for note in cloud.unmirrored()])
        return result
    except handlers.HandlerSetupError as error:
        printer.error(str(error))
        fail(str(error), 1)
    finally:
        if local_handlers is not None:
            local_handlers.close()
        cloud.stop()


class _Printer:
    """The trace as it happens: a line per delivery (rich, coloured on a terminal), or JSON lines."""

    def __init__(self, as_json: bool):
        from rich.console import Console

        self.as_json = as_json
        self.console = Console(highlight=False, soft_wrap=True)
        self.tracebacks: dict[tuple[str, str], str] = {}  # (source, target) -> the traceback last shown

    def notes(self, spec, notes: list[str]) -> None:
        from aipipe.local.trace import json_line

        for note in notes:
            if self.as_json:
                typer.echo(json_line({"type": "note", "note": note}))
            else:
                self.console.print(f"note: {note}", style="dim", markup=False)

    def entry(self, entry) -> None:
        from aipipe.local.trace import describe, json_line

        if self.as_json:
            typer.echo(json_line(entry.to_json()))
            return
        style = {"ok": "green", "error": "red", "stopped": "bold red"}.get(entry.outcome, "yellow")
        self.console.print(describe(entry), style=style, markup=False)
        if entry.outcome == "error" and entry.logs.strip():
            for line in entry.logs.rstrip().splitlines()[-20:]:
                self.console.print(f"           | {line}", style="dim", markup=False)
        pair = (entry.source, entry.target)
        if entry.traceback and self.tracebacks.get(pair) != entry.traceback:  # a retry's same one is not repeated
            self.tracebacks[pair] = entry.traceback
            for line in entry.traceback.rstrip().splitlines()[-30:]:
                self.console.print(f"           ! {line}", style="red", markup=False)

    def error(self, message: str) -> None:
        """With --json, a last line for a run that could not go on (a handler that cannot start)."""
        from aipipe.local.trace import json_line

        if self.as_json:
            typer.echo(json_line({"type": "error", "message": message, "exit_code": 1}))

    def summary(self, result) -> None:
        from aipipe.local.trace import json_line

        if self.as_json:
            typer.echo(json_line(result.to_json()))
            return
        count = len(result.entries)
        lines = [f"{count} deliver{'y' if count == 1 else 'ies'}"]
        for letter in result.dead_letters:
            where = f"dead letter `{letter.queue}`" if letter.queue else "dropped (no dead letter)"
            lines.append(f"{letter.source} → {letter.target}: {where} after {letter.attempts} attempts")
        lines += [f"workflow {failed}" for failed in result.failed_workflows]
        lines += result.stopped
        verdict = "every delivery succeeded" if result.exit_code == 0 else "not every delivery succeeded"
        self.console.print("\n".join([*lines, f"{verdict} (exit {result.exit_code})"]), markup=False)
