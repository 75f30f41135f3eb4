"""Deploying a spec through Pulumi's Automation API: the only module that imports pulumi.automation.

Layout beside the spec, in `.aipipe/`:
  state/                      local file backend (default), unless `backend:` or PULUMI_BACKEND_URL says otherwise
  passphrase                  generated secrets passphrase, mode 0600 (unless PULUMI_CONFIG_PASSPHRASE[_FILE])
  <stack>/program/            the rendered program (exactly what `aipipe render` writes) and Pulumi.<stack>.yaml
                              with the encryption salt and the encrypted secrets
  deployments.json            what was deployed from this directory: stack, spec, backend, last update

Everything above the Automation API call is plain Python tested here; the calls themselves sit behind the
StackOperations protocol so the orchestration can be tested with a fake stack.
"""

from __future__ import annotations

import json
import os
import secrets as secret_tokens
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aipipe.spec import Spec

STATE_FOLDER = ".aipipe"
PASSPHRASE_FILE = "passphrase"
RECORD_FILE = "deployments.json"
PULUMI_CLOUD = "https://api.pulumi.com"


class DeployError(Exception):
    """A deploy command cannot go on; the message says why and what to do. `exit_code` follows SPEC.md."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class DeploySettings:
    """Where and how one stack of one spec is deployed. Secret values are held only in memory."""

    spec: Spec
    folder: Path  # .aipipe beside the spec
    backend_url: str
    environment: dict[str, str]  # for the Pulumi CLI: backend, passphrase
    secrets: dict[str, str] = field(repr=False, default_factory=dict)  # NAME -> value from the environment
    endpoint: str | None = None

    @property
    def program_dir(self) -> Path:
        return self.folder / self.spec.stack / "program"

    @property
    def stack_name(self) -> str:
        return self.spec.stack

    @property
    def secret_config(self) -> dict[str, str]:
        """Stack config keys of the secrets (`<project>:NAME`), as the program reads them."""
        return {f"{self.spec.header.name}:{name}": value for name, value in self.secrets.items()}


def backend_for(spec: Spec, environ: Mapping[str, str]) -> str:
    """The state backend: the spec's `backend:`, else PULUMI_BACKEND_URL, else local files in .aipipe/state."""
    if spec.header.backend:
        return spec.header.backend
    if environ.get("PULUMI_BACKEND_URL"):
        return environ["PULUMI_BACKEND_URL"]
    return "file://" + (spec.base_dir / STATE_FOLDER / "state").as_posix()


def settings_for(spec: Spec, environ: Mapping[str, str] | None = None, endpoint: str | None = None,
                 need_secrets: bool = True) -> DeploySettings:
    """Resolve backend, passphrase and secrets for a spec. Raises DeployError when a secret is missing, before
    anything touches a cloud. Without `need_secrets` (destroy, refresh, outputs, cancel) no secret is read, so
    none is written: the stack keeps the encrypted values `up` stored."""
    environ = os.environ if environ is None else environ
    names = spec.header.secrets if need_secrets else []
    missing = [name for name in names if not environ.get(name)]
    if missing:
        exports = " ".join(f"{name}=..." for name in missing)
        raise DeployError(f"missing secret{'s' if len(missing) > 1 else ''} {', '.join(missing)}: the spec declares "
                          f"them under `secrets`, and they are read from the environment. Set them first: export {exports}")
    folder = spec.base_dir / STATE_FOLDER
    backend = backend_for(spec, environ)
    # The program runs with aipipe's own interpreter, which has the Pulumi SDKs (python3 on PATH may not).
    environment = {"PULUMI_BACKEND_URL": backend, "PULUMI_PYTHON_CMD": sys.executable}
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    if not backend.startswith(PULUMI_CLOUD):  # Pulumi Cloud encrypts secrets itself
        environment.update(passphrase_environment(folder, environ))
    return DeploySettings(spec, folder, backend, environment, {name: environ[name] for name in names}, endpoint)


def passphrase_environment(folder: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The passphrase the user set, or a generated one in `.aipipe/passphrase` (created once, mode 0600)."""
    for variable in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        if variable in environ:
            return {variable: environ[variable]}
    path = folder / PASSPHRASE_FILE
    folder.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret_tokens.token_urlsafe(32) + "\n")
    return {"PULUMI_CONFIG_PASSPHRASE_FILE": str(path)}


def workspace_options(settings: DeploySettings):
    """The Automation API workspace for the rendered program: its folder and the CLI's environment."""
    from pulumi import automation as auto

    return auto.LocalWorkspaceOptions(
        work_dir=str(settings.program_dir),
        env_vars=dict(settings.environment),
        secrets_provider=None if settings.backend_url.startswith(PULUMI_CLOUD) else "passphrase",
    )


# --- the seam -----------------------------------------------------------------------------------------------

OnEvent = Callable[[Any], None]  # receives pulumi.automation.events.EngineEvent


class StackOperations(Protocol):
    """What aipipe does with a stack. AutomationStack is the real one; tests use a fake replaying events."""

    name: str

    def preview(self, on_event: OnEvent) -> None: ...
    def up(self, on_event: OnEvent) -> dict[str, Any]: ...
    def preview_destroy(self, on_event: OnEvent) -> None: ...
    def destroy(self, on_event: OnEvent) -> None: ...
    def refresh(self, on_event: OnEvent) -> None: ...
    def outputs(self) -> dict[str, Any]: ...
    def cancel(self) -> None: ...


def minimum_cli_version() -> tuple[int, int, int]:
    """The oldest pulumi CLI the installed Automation API supports."""
    from pulumi.automation._minimum_version import _MINIMUM_VERSION

    return (_MINIMUM_VERSION.major, _MINIMUM_VERSION.minor, _MINIMUM_VERSION.patch)


def pulumi_cli() -> str:
    """The path of the `pulumi` CLI, or DeployError pointing at `aipipe doctor`."""
    found = shutil.which("pulumi")
    if not found:
        raise DeployError("the `pulumi` CLI is not installed (deploy commands drive it through Pulumi's Automation "
                          "API); run `aipipe doctor` for what is missing and how to install it")
    return found


class AutomationStack:
    """StackOperations over pulumi.automation. Secrets go into stack config encrypted; nothing is printed."""

    def __init__(self, stack, name: str):
        self._stack = stack
        self.name = name

    def preview(self, on_event: OnEvent) -> None:
        self._stack.preview(on_event=on_event, diff=False)

    def up(self, on_event: OnEvent) -> dict[str, Any]:
        result = self._stack.up(on_event=on_event, show_secrets=False)
        return {key: ("[secret]" if value.secret else value.value) for key, value in result.outputs.items()}

    def preview_destroy(self, on_event: OnEvent) -> None:
        self._stack.preview_destroy(on_event=on_event)

    def destroy(self, on_event: OnEvent) -> None:
        self._stack.destroy(on_event=on_event)

    def refresh(self, on_event: OnEvent) -> None:
        self._stack.refresh(on_event=on_event)

    def outputs(self) -> dict[str, Any]:
        return {key: ("[secret]" if value.secret else value.value) for key, value in self._stack.outputs().items()}

    def cancel(self) -> None:
        self._stack.cancel()


def open_stack(settings: DeploySettings, create: bool = True) -> StackOperations:
    """Select (or create) the stack for the rendered program and store the secrets as encrypted config."""
    pulumi_cli()
    from pulumi import automation as auto

    options = workspace_options(settings)
    try:
        if create:
            stack = auto.create_or_select_stack(settings.stack_name, work_dir=str(settings.program_dir), opts=options)
        else:
            stack = auto.select_stack(settings.stack_name, work_dir=str(settings.program_dir), opts=options)
        for key, value in settings.secret_config.items():
            stack.set_config(key, auto.ConfigValue(value=value, secret=True))
    except Exception as error:  # noqa: BLE001 - every Automation API failure is classified for the user
        raise classify(error, settings) from None
    return AutomationStack(stack, settings.stack_name)


def classify(error: Exception, settings: DeploySettings | None = None) -> DeployError:
    """One place that turns Automation API errors into messages a user can act on."""
    from pulumi.automation import errors

    stack = settings.stack_name if settings else "the stack"
    detail = _tail(str(getattr(error, "stderr", "") or error), settings)
    if isinstance(error, errors.StackNotFoundError):
        return DeployError(f"stack `{stack}` does not exist in this backend; deploy it with `aipipe up` first")
    if isinstance(error, errors.ConcurrentUpdateError):
        return DeployError(f"stack `{stack}` is locked by another update. If none is running (a previous run was "
                           f"interrupted), unlock it with `aipipe cancel --stack {stack}`")
    if isinstance(error, errors.CompilationError):
        return DeployError(f"the rendered program does not compile (a bug in aipipe, please report it):\n{detail}")
    if isinstance(error, errors.RuntimeError):
        return DeployError(f"the program failed while running:\n{detail}")
    if isinstance(error, errors.CommandError):
        return DeployError(f"pulumi failed:\n{detail}")
    return DeployError(f"{type(error).__name__}: {detail}")


def _tail(text: str, settings: DeploySettings | None, lines: int = 15) -> str:
    """The end of the CLI's error output, with any secret value masked."""
    from aipipe.console import mask_secrets

    text = mask_secrets(text, settings.secrets.values() if settings else ())
    return "\n".join(text.strip().splitlines()[-lines:])


# --- what was deployed from here ------------------------------------------------------------------------------

def record_deployment(settings: DeploySettings, resource_count: int | None = None) -> None:
    """Remember in .aipipe/deployments.json that this stack was deployed from this directory."""
    path = settings.folder / RECORD_FILE
    records = read_records(settings.folder)
    records[settings.stack_name] = {
        "project": settings.spec.header.name, "spec": Path(settings.spec.file).name, "backend": settings.backend_url,
        "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "resources": resource_count,
    }
    settings.folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def forget_deployment(settings: DeploySettings) -> None:
    """Remove a destroyed stack from the record."""
    records = read_records(settings.folder)
    if records.pop(settings.stack_name, None) is not None:
        (settings.folder / RECORD_FILE).write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")


def read_records(folder: Path) -> dict[str, dict]:
    """The stacks deployed from a directory's .aipipe/ (empty when there are none or the file is damaged)."""
    try:
        data = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
