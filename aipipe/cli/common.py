"""What every command module shares: the switches, finding the spec, and loading it valid or exiting 1.

Heavy modules (pulumi, rich) are imported inside the commands that need them, never at import time, so
`aipipe --help` and `aipipe validate` stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from aipipe.cli.validating import DEFAULT_SPEC, spec_paths

SpecArgument = Annotated[
    Optional[Path],
    typer.Argument(help="The spec file (or a folder with an aipipe.yaml); default ./aipipe.yaml.", show_default=False),
]
StackOption = Annotated[
    Optional[str],
    typer.Option("--stack", "-s", help="Stack whose overrides apply (default: dev; validate checks every stack)."),
]


def resolve_specs(specs: Optional[list[Path]]) -> list[Path]:
    """Folders stand for the aipipe.yaml inside them; no argument means ./aipipe.yaml."""
    if not specs:
        if not Path(DEFAULT_SPEC).is_file():
            raise typer.BadParameter(f"no spec given and there is no ./{DEFAULT_SPEC} here", param_hint="SPEC")
        return [Path(DEFAULT_SPEC)]
    return spec_paths(specs)


def resolve_spec(spec: Optional[Path]) -> Path:
    """The one spec a command works on: the file given, the aipipe.yaml of a folder given, or ./aipipe.yaml."""
    return resolve_specs([spec] if spec is not None else None)[0]


def load_valid(spec_path: Path, stack: Optional[str]):
    """Validate a spec for one stack; print its problems and exit 1 when it has errors."""
    from aipipe.core.report import format_text
    from aipipe.validation import DEFAULT_STACK, load_spec

    result = load_spec(str(spec_path), stack or DEFAULT_STACK)
    if not result.valid or result.spec is None:
        typer.echo(format_text(result.diagnostics), err=True)
        typer.echo(f"{spec_path}: not rendered; fix the problems above (`aipipe validate` lists them)", err=True)
        raise typer.Exit(1)
    return result.spec


def build_or_exit(spec, offline_ok: bool) -> dict:
    """Build the spec's functions (aipipe.build) and return their artifacts; print the problems found, with
    their file:line:column, and exit 1 on errors. With `offline_ok` an unreachable package index is a warning
    (a placeholder ships; for plan and render), otherwise an error (for deploys)."""
    from aipipe.build.artifacts import build_functions
    from aipipe.core.diagnostics import Severity
    from aipipe.core.report import format_text

    report = build_functions(spec, offline_severity=Severity.WARNING if offline_ok else Severity.ERROR)
    if report.diagnostics:
        typer.echo(format_text(report.diagnostics), err=True)
    if not report.ok:
        typer.echo(f"{spec.file}: functions not built; fix the problems above (`aipipe build` lists them)", err=True)
        raise typer.Exit(1)
    return report.artifacts


def fail(message: str, exit_code: int = 1) -> NoReturn:
    """Print `error: message` on standard error and exit with `exit_code`."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(exit_code)


def local_data_folder(spec, given: Optional[Path]) -> Path:
    """The folder of `aipipe run`/`invoke`'s local buckets: `--data`, else `.aipipe/local/<stack>/` beside the
    spec; created, and git-ignored when it lies in a `.aipipe/`; a usage error (exit 2) when it cannot be."""
    from aipipe.core.state_folder import protect_above
    from aipipe.local.naming import default_data_dir

    data = given if given is not None else default_data_dir(spec)
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"--data {data}: cannot be the folder of the local buckets ({error.strerror})", 2)
    protect_above(data)
    return data
