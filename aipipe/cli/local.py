"""`aipipe invoke`: one function's handler run locally with the event its trigger really delivers.

The command maps its switches to aipipe.local.invocation and prints the outcome; the local cloud, the handlers
and everything they load are imported inside it, so `aipipe --help` stays fast and nothing here imports pulumi.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import SpecArgument, StackOption, fail, load_valid, local_data_folder, resolve_spec

FunctionArgument = Annotated[str, typer.Argument(help="The function whose handler runs.", show_default=False)]
EventOption = Annotated[
    Optional[Path],
    typer.Option("--event", help="A JSON file: the event, delivered as it is.", show_default=False),
]
TriggerOption = Annotated[
    Optional[int],
    typer.Option(
        "--trigger",
        help="Deliver a sample of the event the function's N-th trigger sends (1 = the first; the default when "
        "it has triggers).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the outcome (value or error, logs) as JSON.")]
DataOption = Annotated[
    Optional[Path],
    typer.Option(
        "--data", help="Folder of the local buckets' contents (default .aipipe/local/<stack>/).", show_default=False
    ),
]


def invoke(
    function: FunctionArgument,
    spec: SpecArgument = None,
    stack: StackOption = None,
    event: EventOption = None,
    trigger: TriggerOption = None,
    as_json: JsonOption = False,
    data: DataOption = None,
) -> None:
    """Run one function's handler locally, with the event its trigger delivers.

    The handler runs in a subprocess with the function's environment as the cloud sets it (references resolved
    to local resources, secrets from your environment), its own dependencies and the runtime's packages (boto3
    on AWS, functions-framework on GCP), against local emulators. GCP functions get their CloudEvent through
    functions-framework, like Cloud Functions. IAM is not enforced locally.

    Prints the return value (JSON with --json). Exit code 0, 1 when the handler raised (its traceback is
    shown) or could not start, 2 for an unknown function, trigger number or unreadable event file.

    \b
    Examples:
      aipipe invoke preprocess pipelines/ingest
      aipipe invoke preprocess --trigger 1 --json
      aipipe invoke train --event step-input.json
    """
    from aipipe.build.cache import build_root
    from aipipe.local import invocation
    from aipipe.local.clouds import LocalCloudError, open_local_cloud
    from aipipe.local.handlers import HandlerSetupError, LocalHandlers

    if event is not None and trigger is not None:
        fail("give either --event FILE or --trigger N, not both", 2)
    loaded = load_valid(resolve_spec(spec), stack)
    try:
        invocation.check_function(loaded, function)
        # read once (it may be a pipe), and a bad file is told before any emulator starts
        given = (event, invocation.read_event(event)) if event is not None else None
    except invocation.InvokeProblem as problem:
        fail(str(problem), 2)
    try:
        cloud = open_local_cloud(loaded, loaded.stack, local_data_folder(loaded, data))
        cloud.start()
    except LocalCloudError as error:  # an emulator (moto, gcp-storage-emulator) not installed
        fail(str(error))
    handlers = LocalHandlers(loaded, cloud, build_root(loaded.base_dir))
    try:
        ran = invocation.invoke(loaded, function, cloud, handlers, trigger, given)
    except invocation.InvokeProblem as problem:
        fail(str(problem), 2)
    except HandlerSetupError as problem:
        fail(str(problem))
    finally:
        handlers.close()
        cloud.stop()
    _print(ran, as_json)
    if not ran.outcome.ok:
        raise typer.Exit(1)


def _print(ran, as_json: bool) -> None:
    """The outcome: JSON on stdout with --json; else the handler's logs and any traceback on stderr and the
    return value on stdout."""
    outcome = ran.outcome
    if as_json:
        record = {
            "function": ran.function,
            "event_source": ran.source,
            "ok": outcome.ok,
            "value": outcome.value,
            "error_type": outcome.error_type,
            "error_message": outcome.error_message,
            "traceback": outcome.traceback,
            "duration_ms": round(outcome.duration_ms, 3),
            "logs": outcome.logs,
        }
        typer.echo(json.dumps(record, indent=2))
        return
    typer.echo(f"{ran.function}: event from {ran.source}; IAM is not enforced locally", err=True)
    if outcome.logs:
        typer.echo(outcome.logs.rstrip("\n"), err=True)
    if outcome.ok:
        value = outcome.value
        typer.echo(value if isinstance(value, str) else json.dumps(value, indent=2))
        typer.echo(f"{ran.function}: returned in {outcome.duration_ms:.0f} ms", err=True)
    else:
        typer.echo(outcome.traceback or f"{outcome.error_type}: {outcome.error_message}", err=True)
        typer.echo(f"{ran.function}: raised {outcome.error_type}: {outcome.error_message}", err=True)
