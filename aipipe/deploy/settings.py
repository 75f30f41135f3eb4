"""Where and how one stack of a spec is deployed: the state backend, the secrets passphrase, the secret values.

Layout beside the spec, in `.aipipe/`:
  state/                      local file backend (default), unless `backend:` or PULUMI_BACKEND_URL says otherwise
  passphrase                  generated secrets passphrase, mode 0600 (unless PULUMI_CONFIG_PASSPHRASE[_FILE])
  <stack>/program/            the rendered program (exactly what `aipipe render` writes) and Pulumi.<stack>.yaml
                              with the encryption salt and the encrypted secrets
  deployments.json            what was deployed from this directory (aipipe.deploy.records)
"""

from __future__ import annotations

import os
import secrets as secret_tokens
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aipipe.core.state_folder import STATE_FOLDER, protect, protect_above
from aipipe.semantics.backends import is_local
from aipipe.semantics.secrets import config_key, missing_secrets
from aipipe.spec.document import Spec

PASSPHRASE_FILE = "passphrase"
PULUMI_CLOUD = "https://api.pulumi.com"
# where the CLI takes the passphrase that encrypts a stack's secrets from
PASSPHRASE_VARIABLES = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")


class DeployError(Exception):
    """A deploy command cannot go on; the message says why and what to do. `exit_code` follows README.md."""

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
        return {config_key(self.spec.header.name, name): value for name, value in self.secrets.items()}


def backend_for(spec: Spec, environ: Mapping[str, str]) -> str:
    """The state backend: the spec's `backend:`, else PULUMI_BACKEND_URL, else local files in .aipipe/state."""
    if spec.header.backend:
        return local_backend(spec.header.backend, spec.base_dir)
    if environ.get("PULUMI_BACKEND_URL"):
        return local_backend(environ["PULUMI_BACKEND_URL"], spec.base_dir)
    return "file://" + (spec.base_dir / STATE_FOLDER / "state").as_posix()


def local_backend(url: str, base: Path) -> str:
    """A `file://` backend with its path made absolute: `~` expanded and a relative path read from the spec's
    folder, as a user means it. The CLI would read it from the rendered program's folder (.aipipe/<stack>/program)
    instead. Other backends are returned as they are."""
    if not is_local(url):
        return url
    path = Path(url.removeprefix("file://")).expanduser()
    return "file://" + (path if path.is_absolute() else (base / path).resolve()).as_posix()


def settings_for(
    spec: Spec, environ: Mapping[str, str] | None = None, endpoint: str | None = None, need_secrets: bool = True
) -> DeploySettings:
    """Resolve backend, passphrase and secrets for a spec. Raises DeployError when a secret is missing, before
    anything touches a cloud. Without `need_secrets` (destroy, refresh, outputs, cancel) no secret is read, so
    none is written: the stack keeps the encrypted values `up` stored."""
    environ = os.environ if environ is None else environ
    names = spec.header.secrets if need_secrets else []
    missing = missing_secrets(names, environ)
    if missing:
        exports = " ".join(f"{name}=..." for name in missing)
        raise DeployError(
            f"missing secret{'s' if len(missing) > 1 else ''} {', '.join(missing)}: the spec declares "
            f"them under `secrets`, and they are read from the environment. Set them first: export {exports}"
        )
    folder = spec.base_dir / STATE_FOLDER
    backend = backend_for(spec, environ)
    # The program's interpreter is named by Pulumi.yaml (aipipe.deploy.interpreter), not by PULUMI_PYTHON_CMD.
    environment = {"PULUMI_BACKEND_URL": backend}
    if is_local(backend):
        state = Path(backend.removeprefix("file://"))
        protect_above(state)
        state.mkdir(parents=True, exist_ok=True)
    if not backend.startswith(PULUMI_CLOUD):  # Pulumi Cloud encrypts secrets itself
        environment.update(passphrase_environment(folder, environ))
    return DeploySettings(spec, folder, backend, environment, {name: environ[name] for name in names}, endpoint)


def passphrase_environment(folder: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The passphrase the user set, or a generated one in `.aipipe/passphrase` (created once, mode 0600)."""
    for variable in PASSPHRASE_VARIABLES:
        if variable in environ:
            return {variable: environ[variable]}
    path = folder / PASSPHRASE_FILE
    protect(folder)
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret_tokens.token_urlsafe(32) + "\n")
    return {"PULUMI_CONFIG_PASSPHRASE_FILE": str(path)}
