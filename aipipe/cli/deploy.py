"""The deploy commands of the CLI: preview, up, destroy, refresh, outputs, ls, cancel, doctor.

Each parses its switches, resolves the target stack, and calls aipipe.deploy.operations; DeployError becomes its
exit code. Heavy modules are imported inside the commands, so `aipipe --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import (
    DEFAULT_SPEC,
    SpecArgument,
    StackOption,
    build_or_exit,
    fail,
    load_valid,
    resolve_spec,
)

OptionalSpec = Annotated[
    Optional[Path],
    typer.Argument(
        help="The spec (or its folder). Default: the stack deployed from this directory.", show_default=False
    ),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed without a terminal).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Stream events as JSON lines (outputs as JSON).")]
AllowLocalStateOption = Annotated[
    bool,
    typer.Option(
        "--allow-local-state",
        envvar="AIPIPE_ALLOW_LOCAL_STATE",
        help="Deploy with local state (.aipipe/state) that does not exist yet, in CI or without a terminal. "
        "Without it aipipe refuses: on a fresh checkout that would create a second copy of the pipeline.",
    ),
]
EndpointOption = Annotated[
    Optional[str],
    typer.Option("--endpoint", help="Send every AWS call to this URL (a local emulator such as LocalStack)."),
]


def is_interactive() -> bool:
    """True when a person can answer questions (both ends are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _interaction(assume_yes: bool, as_json: bool):
    from aipipe.deploy.operations import Interaction

    mode = "json" if as_json else ("live" if sys.stdout.isatty() else "plain")
    return Interaction(
        interactive=is_interactive(),
        assume_yes=assume_yes,
        mode=mode,
        echo=typer.echo,
        confirm=lambda question: typer.confirm(question, default=False),
        prompt=lambda question: typer.prompt(question, default="", show_default=False),
    )


def _to_stderr(message: str) -> None:
    """Notices and warnings: on stderr, so --json output on stdout stays machine-readable."""
    typer.echo(message, err=True)


def _fail(error) -> None:
    fail(str(error), error.exit_code)


def _settings(
    spec_path: Optional[Path],
    stack: Optional[str],
    need_secrets: bool,
    endpoint: Optional[str] = None,
    endpoint_given: bool = False,
    allow_local_state: Optional[bool] = None,
):
    """Resolve the spec (given, or recorded for this directory) and its deploy settings. Commands that deploy
    or read the cloud (`allow_local_state` not None) first check where the state is (aipipe.deploy.guards)."""
    from aipipe.deploy.records import RECORD_FILE, read_records
    from aipipe.deploy.settings import STATE_FOLDER, DeployError, settings_for

    if spec_path is None:
        records = read_records(Path.cwd() / STATE_FOLDER)
        if not records:
            raise DeployError(
                f"nothing was deployed from this directory (no {STATE_FOLDER}/"
                f"{RECORD_FILE}); name the spec: aipipe <command> {DEFAULT_SPEC}"
            )
        if stack is None and len(records) > 1:
            raise DeployError(
                "several stacks were deployed from here: " + ", ".join(sorted(records)) + "; choose one with --stack", 2
            )
        name = stack or next(iter(records))
        if name not in records:
            raise DeployError(f"stack `{name}` was not deployed from here; deployed: {', '.join(sorted(records))}")
        spec_path, stack = Path.cwd() / records[name]["spec"], name
    spec = load_valid(resolve_spec(spec_path), stack)
    if allow_local_state is not None:  # before settings_for, which creates folders and a passphrase
        from aipipe.deploy import guards

        guards.check_local_state(spec, os.environ, is_interactive(), allow_local_state, _to_stderr)
        guards.check_shared_passphrase(spec, os.environ)
    return _guarded(settings_for(spec, None, endpoint, need_secrets=need_secrets), endpoint_given)


def _guarded(settings, endpoint_given: bool):
    """The settings after the checks every deploy command makes (aipipe.deploy.guards): the passphrase still
    opens the stack; the endpoint is the stack's (commands without --endpoint take the recorded one)."""
    from dataclasses import replace

    from aipipe.deploy import guards

    guards.check_passphrase(settings, os.environ)
    if endpoint_given:
        return replace(settings, endpoint=guards.check_endpoint(settings, settings.endpoint))
    return replace(settings, endpoint=guards.recorded_endpoint(settings))


def _prepare(settings, deploys: bool = True) -> None:
    """Build the functions, then render the program into the stack's folder, to run in the cloud's program
    environment (built once, on first use; its progress goes to stderr so --json output stays clean). A
    command that `deploys` code needs every dependency installed; destroy ships none."""
    from aipipe.codegen.project import provider_config, write_project
    from aipipe.deploy.guards import check_stack_config
    from aipipe.deploy.interpreter import ensure_virtualenv

    if deploys:
        artifacts = build_or_exit(settings.spec, offline_ok=False)
    else:  # destroy and refresh work from the stack's state: nothing to build, nothing uploaded
        from aipipe.build.artifacts import unbuilt_artifacts

        artifacts = unbuilt_artifacts(settings.spec)
    virtualenv = ensure_virtualenv(settings.spec.cloud, os.environ, _to_stderr)
    write_project(
        settings.spec,
        settings.program_dir,
        endpoint=settings.endpoint,
        virtualenv=str(virtualenv),
        artifacts=artifacts,
    )
    for warning in check_stack_config(settings, provider_config(settings.spec, settings.endpoint)):
        _to_stderr(f"warning: {warning}")


def _open(settings, create: bool):
    from aipipe.deploy.stack import open_stack

    return open_stack(settings, create=create)


def preview(
    spec: SpecArgument = None,
    stack: StackOption = None,
    as_json: JsonOption = False,
    endpoint: EndpointOption = None,
    allow_local_state: AllowLocalStateOption = False,
) -> None:
    """Show what `up` would change in the real cloud, without changing anything (needs credentials)."""
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(
            resolve_spec(spec), stack, True, endpoint=endpoint, endpoint_given=True, allow_local_state=allow_local_state
        )
        _prepare(settings)
        operations.preview(settings, _open(settings, create=True), _interaction(True, as_json))
    except DeployError as error:
        _fail(error)


def up(
    spec: SpecArgument = None,
    stack: StackOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
    endpoint: EndpointOption = None,
    allow_local_state: AllowLocalStateOption = False,
) -> None:
    """Deploy: preview, show what will be created, updated, replaced and deleted, ask, then apply.

    Deletions and replacements of resources that hold data are called out. Without a terminal, --yes is
    required. Progress is live on a terminal, plain lines otherwise, JSON lines with --json.

    \b
    Examples:
      aipipe up pipelines/ingest
      aipipe up aipipe.yaml --stack prod --yes
      aipipe up aipipe.yaml --endpoint http://localhost:4566     # LocalStack
    """
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(
            resolve_spec(spec), stack, True, endpoint=endpoint, endpoint_given=True, allow_local_state=allow_local_state
        )
        _prepare(settings)
        result = operations.up(settings, _open(settings, create=True), _interaction(yes, as_json))
    except DeployError as error:
        _fail(error)
    _print_outputs(result, as_json)


def _print_outputs(values: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"outputs": values}, sort_keys=True, default=str))
        return
    if values:
        typer.echo("outputs:")
        for name, value in values.items():
            typer.echo(f"  {name} = {value}")


def destroy(
    spec: OptionalSpec = None,
    stack: StackOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
    allow_local_state: AllowLocalStateOption = False,
) -> None:
    """Tear down a stack. Buckets are kept with their data unless the spec says `retain_on_destroy: false`.

    Shows what will be deleted and what is retained, then asks you to type the stack name (or --yes).
    With no SPEC: the stack deployed from this directory.
    """
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(spec, stack, need_secrets=False, allow_local_state=allow_local_state)
        _prepare(settings, deploys=False)
        operations.destroy(settings, _open(settings, create=False), _interaction(yes, as_json))
    except DeployError as error:
        _fail(error)


def refresh(
    spec: OptionalSpec = None,
    stack: StackOption = None,
    as_json: JsonOption = False,
    allow_local_state: AllowLocalStateOption = False,
) -> None:
    """Read the real state of every resource into the stack (shows drift)."""
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(spec, stack, need_secrets=False, allow_local_state=allow_local_state)
        _prepare(settings, deploys=False)
        operations.refresh(settings, _open(settings, create=False), _interaction(True, as_json))
    except DeployError as error:
        _fail(error)


def outputs(spec: OptionalSpec = None, stack: StackOption = None, as_json: JsonOption = False) -> None:
    """Print the stack's outputs (secret ones as [secret])."""
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(spec, stack, need_secrets=False)
        values = operations.outputs(settings, _open(settings, create=False))
    except DeployError as error:
        _fail(error)
    _print_outputs(values, as_json)


def list_stacks(
    folder: Annotated[Path, typer.Argument(help="Folder whose deployments to list.")] = Path("."),
    as_json: JsonOption = False,
) -> None:
    """List the stacks deployed from a folder, with their last update and resource count."""
    from aipipe.deploy.records import read_records
    from aipipe.deploy.settings import STATE_FOLDER
    from aipipe.semantics.backends import is_local

    records = read_records(folder / STATE_FOLDER)
    if as_json:
        for record in records.values():
            record["local_state"] = is_local(str(record.get("backend", "")))
        typer.echo(json.dumps(records, indent=2, sort_keys=True))
        return
    if not records:
        typer.echo(f"no stacks deployed from {folder.resolve()}")
        return
    typer.echo(f"{'stack':<16} {'project':<28} {'updated':<22} {'resources':>9}  backend")
    for name, record in sorted(records.items()):
        typer.echo(
            f"{name:<16} {record.get('project', ''):<28} {record.get('updated', ''):<22} "
            f"{record.get('resources') or '?':>9}  {record.get('backend', '')}"
        )
    local = sorted(name for name, record in records.items() if is_local(str(record.get("backend", ""))))
    if local:
        typer.echo(
            f"warning: {', '.join(local)} keep{'s' if len(local) == 1 else ''} state in local files: only this "
            "machine can update or destroy them; a shared backend (`backend: s3://…`, `gs://…`, `azblob://…` or "
            "Pulumi Cloud) lets CI and teammates work on the same stack",
            err=True,
        )


def cancel(spec: OptionalSpec = None, stack: StackOption = None) -> None:
    """Unlock a stack left locked by an interrupted update (then run `aipipe refresh`)."""
    from aipipe.deploy import operations
    from aipipe.deploy.settings import DeployError

    try:
        settings = _settings(spec, stack, need_secrets=False)
        operations.cancel(settings, _open(settings, create=False))
    except DeployError as error:
        _fail(error)
    typer.echo(f"stack {settings.stack_name} unlocked; run `aipipe refresh --stack {settings.stack_name}` next")


def doctor(
    spec: Annotated[
        Optional[Path], typer.Argument(help="Check for this spec: its cloud, backend and secrets.", show_default=False)
    ] = None,
    stack: StackOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check that this machine can deploy: pulumi CLI, provider plugins, credentials, backend, passphrase.

    Prints what is missing and the exact command that fixes it; credentials are never shown.
    Exit code 1 when something required is missing.
    """
    from aipipe.deploy.doctor import FAIL, OK, Probes, run_checks

    loaded = load_valid(resolve_spec(spec), stack) if spec else None
    checks = run_checks(Probes(), loaded)
    if as_json:
        typer.echo(json.dumps([check.to_json() for check in checks], indent=2))
    else:
        for check in checks:
            mark = {OK: "ok  ", FAIL: "FAIL"}.get(check.status, "warn")
            typer.echo(f"[{mark}] {check.name}: {check.detail}")
            if check.fix:
                typer.echo(f"       fix: {check.fix}")
    if any(check.status == FAIL for check in checks):
        raise typer.Exit(1)
