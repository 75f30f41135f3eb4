"""The Automation API side of a deploy: the only module that imports pulumi.automation.

Everything above the Automation API call is plain Python tested here; the calls themselves sit behind the
StackOperations protocol so the orchestration can be tested with a fake stack.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any, Protocol

from aipipe.deploy.settings import PULUMI_CLOUD, DeployError, DeploySettings


def workspace_options(settings: DeploySettings, command=None):
    """The Automation API workspace for the rendered program: its folder, the CLI's environment and the CLI
    (`command`, from pulumi_command(); None lets the SDK find it without aipipe's version floor)."""
    from pulumi import automation as auto

    return auto.LocalWorkspaceOptions(
        work_dir=str(settings.program_dir),
        pulumi_command=command,
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
    def resources(self) -> list[dict[str, Any]]: ...
    def cancel(self) -> None: ...


# The oldest pulumi CLI aipipe works with (pulumi/pulumi CHANGELOG.md): 3.44 reads project-level `config:` in
# Pulumi.yaml; 3.105 has `destroy --preview-only` (what preview_destroy runs); 3.120 reads the Python runtime's
# `toolchain` option, which the rendered Pulumi.yaml sets to `pip` (without it, CLI 3.227+ picks uv or poetry
# when the program sits below a uv.lock or poetry.lock, sdk/python/toolchain/toolchain.go `case Auto`).
MINIMUM_CLI = (3, 120, 0)
INSTALL_CLI = "curl -fsSL https://get.pulumi.com | sh   (or: brew install pulumi/tap/pulumi)"


def minimum_cli_version() -> tuple[int, int, int]:
    """The oldest pulumi CLI aipipe works with: MINIMUM_CLI, or the Automation API's own floor if higher."""
    from pulumi.automation._minimum_version import _MINIMUM_VERSION

    return max(MINIMUM_CLI, (_MINIMUM_VERSION.major, _MINIMUM_VERSION.minor, _MINIMUM_VERSION.patch))


def pulumi_command():
    """The Automation API's handle on the `pulumi` on PATH, which checks its version against
    minimum_cli_version() before any command runs (DeployError with the upgrade when it is older)."""
    from pulumi.automation import InvalidVersionError, PulumiCommand
    from semver import VersionInfo

    try:
        return PulumiCommand(version=VersionInfo(*minimum_cli_version()))
    except InvalidVersionError as error:
        minimum = ".".join(map(str, minimum_cli_version()))
        raise DeployError(
            f"the pulumi CLI is too old: aipipe needs {minimum} or newer ({error}). Upgrade: {INSTALL_CLI}"
        ) from None


def pulumi_cli() -> str:
    """The path of the `pulumi` CLI, or DeployError pointing at `aipipe doctor`."""
    found = shutil.which("pulumi")
    if not found:
        raise DeployError(
            "the `pulumi` CLI is not installed (deploy commands drive it through Pulumi's Automation "
            "API); run `aipipe doctor` for what is missing and how to install it"
        )
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

    def resources(self) -> list[dict[str, Any]]:
        """The stack's resources with their outputs, as `pulumi stack export` writes them (urn, type, outputs).
        Run through the workspace's PulumiCommand like the SDK's own export_stack, but without the
        `--show-secrets` that one adds: secret outputs stay encrypted (pulumi/automation/_local_workspace.py)."""
        import json

        workspace = self._stack.workspace
        environment = {
            **({"PULUMI_HOME": workspace.pulumi_home} if workspace.pulumi_home else {}),
            **workspace.env_vars,
        }
        result = workspace.pulumi_command.run(
            ["stack", "export", "--stack", self.name], workspace.work_dir, environment
        )
        return list(json.loads(result.stdout).get("deployment", {}).get("resources") or [])

    def cancel(self) -> None:
        self._stack.cancel()


def open_stack(settings: DeploySettings, create: bool = True) -> StackOperations:
    """Select (or create) the stack for the rendered program and store the secrets as encrypted config."""
    pulumi_cli()
    from pulumi import automation as auto

    options = workspace_options(settings, pulumi_command())
    try:
        if create:
            stack = auto.create_or_select_stack(settings.stack_name, work_dir=str(settings.program_dir), opts=options)
        else:
            stack = auto.select_stack(settings.stack_name, work_dir=str(settings.program_dir), opts=options)
    except Exception as error:
        raise classify(error, settings) from None
    for key, value in settings.secret_config.items():
        set_secret(options.pulumi_command.command, settings, key, value)
    return AutomationStack(stack, settings.stack_name)


def set_secret(command: str, settings: DeploySettings, key: str, value: str) -> None:
    """Store a secret in the stack's config, encrypted, passing the value on stdin: the Automation API's
    set_config puts it in argv (`config set KEY --secret -- VALUE`), where every process on the machine can read
    it. Without a value argument the CLI reads stdin when it is not a terminal and drops one trailing newline
    (pulumi/pulumi pkg/cmd/pulumi/config/config.go `configSetCmd.Run`, cmdutil.RemoveTrailingNewline)."""
    import subprocess

    result = subprocess.run(
        [command, "config", "set", key, "--secret", "--stack", settings.stack_name, "--non-interactive"],
        input=value + "\n",
        capture_output=True,
        text=True,
        cwd=settings.program_dir,
        env={**os.environ, **settings.environment},
        check=False,
    )
    if result.returncode != 0:
        detail = _tail(result.stderr or result.stdout, settings)
        raise DeployError(f"could not store secret `{key}` in stack `{settings.stack_name}`:\n{detail}")


def classify(error: Exception, settings: DeploySettings | None = None) -> DeployError:
    """One place that turns Automation API errors into messages a user can act on."""
    from pulumi.automation import errors

    stack = settings.stack_name if settings else "the stack"
    # str(CommandError) is the CLI's exit code, stdout and stderr (CommandResult.__str__), stderr last
    detail = _tail(str(error), settings)
    if isinstance(error, errors.StackNotFoundError):
        return DeployError(f"stack `{stack}` does not exist in this backend; deploy it with `aipipe up` first")
    if isinstance(error, errors.ConcurrentUpdateError):
        return DeployError(
            f"stack `{stack}` is locked by another update. If none is running (a previous run was "
            f"interrupted), unlock it with `aipipe cancel --stack {stack}`"
        )
    # A Python program never yields CompilationError (its pattern is .NET's, TypeScript's and Go's); a rendered
    # program that raises is RuntimeError ("failed with an unhandled exception", pulumi/automation/errors.py).
    if isinstance(error, errors.RuntimeError):
        return DeployError(
            "the rendered program failed while running. This is a bug in aipipe, not in your spec: please report "
            "it to aipipe's maintainers with the spec and the output of `aipipe render`. Pulumi said:\n" + detail
        )
    if isinstance(error, errors.CommandError):
        return DeployError(f"pulumi failed:\n{detail}")
    return DeployError(f"{type(error).__name__}: {detail}")


def _tail(text: str, settings: DeploySettings | None, lines: int = 15) -> str:
    """The end of the CLI's error output, with any secret value masked."""
    from aipipe.semantics.secrets import mask_secrets

    text = mask_secrets(text, settings.secrets.values() if settings else ())
    return "\n".join(text.strip().splitlines()[-lines:])
