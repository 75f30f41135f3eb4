"""Checks a deploy command makes before it touches a stack, each for a mistake Pulumi would report late, badly or
not at all: a second copy of the pipeline deployed from a CI runner's empty local state, a passphrase that no
longer matches the stack's or that teammates cannot have, stack config that silently overrides the spec, and an
emulator deployment mixed up with a real one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from aipipe.deploy.records import read_records
from aipipe.deploy.settings import PASSPHRASE_FILE, PASSPHRASE_VARIABLES, DeployError, DeploySettings, backend_for
from aipipe.semantics.backends import EXAMPLES, is_local, is_pulumi_cloud
from aipipe.semantics.secrets import config_key


def is_ci(environ: Mapping[str, str]) -> bool:
    """Whether this runs in CI: GitHub Actions, GitLab, CircleCI, Buildkite and others set CI=true."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def local_state_exists(folder: Path, project: str, stack: str) -> bool:
    """Whether a file backend holds the stack: `.pulumi/stacks/<project>/<stack>.json[.gz|.zst]`, or without the
    project folder in the legacy layout (pulumi/pulumi pkg/backend/diy/store.go; `stack init` writes it)."""
    stacks = folder / ".pulumi" / "stacks"
    return any(
        (where / f"{stack}.json{suffix}").is_file()
        for where in (stacks / project, stacks)
        for suffix in ("", ".gz", ".zst")
    )


def check_local_state(
    spec, environ: Mapping[str, str], interactive: bool, allow: bool, notice: Callable[[str], None]
) -> None:
    """A stack kept in local files that are not there yet: in CI (or without a terminal) that is a fresh
    checkout, and deploying would create a second copy of the whole pipeline whose state is then thrown away;
    refused (exit 2) unless `allow`. On a terminal, the first deploy says where the state lives."""
    backend = backend_for(spec, environ)
    if not is_local(backend):
        return
    folder = Path(backend.removeprefix("file://"))
    if local_state_exists(folder, spec.header.name, spec.stack):
        return
    if (is_ci(environ) or not interactive) and not allow:
        why = "this is CI" if is_ci(environ) else "there is no terminal"
        raise DeployError(
            f"refusing to deploy stack `{spec.stack}` with local state: {folder} holds no state for it and {why}, "
            "so this is most likely a fresh checkout. Deploying would create a second copy of the whole pipeline, "
            f"and its state would be lost with this machine. Keep state where CI and teammates find it: {EXAMPLES} "
            "in the spec (or PULUMI_BACKEND_URL), with PULUMI_CONFIG_PASSPHRASE from a CI secret. To deploy with "
            "local state anyway (a throwaway stack), pass --allow-local-state",
            2,
        )
    notice(
        f"first deploy of stack `{spec.stack}` with local state in {folder}: it is the only record of what this "
        "stack created, so do not lose it, and it is yours alone (teammates and CI would create their own copy). "
        f"For a shared pipeline use a shared backend: {EXAMPLES}"
    )


def check_shared_passphrase(spec, environ: Mapping[str, str]) -> None:
    """A shared backend other than Pulumi Cloud encrypts secrets with a passphrase everyone who deploys must
    have: a per-machine generated one would lock teammates and CI out of the stack."""
    backend = backend_for(spec, environ)
    if is_local(backend) or is_pulumi_cloud(backend) or any(environ.get(v) for v in PASSPHRASE_VARIABLES):
        return
    raise DeployError(
        f"the backend {backend} is shared, so the passphrase that encrypts the stack's secrets must be too: set "
        "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the team's passphrase, from a CI secret "
        "in CI. aipipe generates one only for local state"
    )


def check_passphrase(settings: DeploySettings, environ: Mapping[str, str]) -> None:
    """Refuse a passphrase from the environment that differs from the one aipipe generated for a stack already
    deployed from here: Pulumi could not decrypt the stack's secrets and every command would fail with
    "incorrect passphrase" (pulumi/pulumi pkg/secrets/passphrase/manager.go ErrIncorrectPassphrase)."""
    generated = settings.folder / PASSPHRASE_FILE
    record = _record(settings)
    if not generated.is_file() or record is None or record.get("backend") != settings.backend_url:
        return
    given = environ.get("PULUMI_CONFIG_PASSPHRASE")
    variable = "PULUMI_CONFIG_PASSPHRASE"
    if given is None and environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        variable = "PULUMI_CONFIG_PASSPHRASE_FILE"
        given = _read(Path(environ[variable]).expanduser())
        if Path(environ[variable]).expanduser().resolve() == generated.resolve():
            return
    if given is None or given.strip("\n") == (_read(generated) or "").strip("\n"):
        return
    raise DeployError(
        f"stack `{settings.stack_name}` was deployed with the passphrase aipipe generated in {generated}, but "
        f"{variable} now gives another one: Pulumi could not decrypt the stack's secrets (\"incorrect "
        f'passphrase"). Unset {variable} to go on with the generated one, or keep the old passphrase under your '
        f'own name: export PULUMI_CONFIG_PASSPHRASE="$(cat {generated})"'
    )


def _text(value: object) -> str:
    """A config value as Pulumi stores it (text; booleans lower-case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _record(settings: DeploySettings) -> dict | None:
    """What `.aipipe/deployments.json` says of this stack (None: never deployed from here)."""
    return read_records(settings.folder).get(settings.stack_name)


def recorded_endpoint(settings: DeploySettings) -> str | None:
    """The endpoint the stack was deployed with (None: the real cloud, or never deployed from here)."""
    record = _record(settings)
    return record.get("endpoint") if record else None


def check_endpoint(settings: DeploySettings, given: str | None) -> str | None:
    """`up`/`preview` with `given` (their --endpoint) on a stack deployed with another: refused, as an emulator's
    resources and the real cloud's would share one state. Returns `given`."""
    record = _record(settings)
    recorded = record.get("endpoint") if record else None
    if record is None or given == recorded:
        return given
    where = f"to the emulator at {recorded}" if recorded else "to the real cloud"
    asked = f"--endpoint {given}" if given else "without --endpoint (the real cloud)"
    raise DeployError(
        f"stack `{settings.stack_name}` was deployed {where}; running it {asked} would mix both in one state. "
        f"Use the same target, or `aipipe destroy --stack {settings.stack_name}` first, or another stack "
        "(`--stack`)"
    )


def check_stack_config(settings: DeploySettings, project_config: Mapping[str, object]) -> list[str]:
    """Stack config (`Pulumi.<stack>.yaml`, written by `pulumi config set` in the program folder) beats the spec's
    project-level config without a word. Raise when it sets a key the spec sets, to another value; return a warning
    for each other key aipipe did not put there (secrets of the spec are aipipe's)."""
    import yaml

    path = settings.program_dir / f"Pulumi.{settings.stack_name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    config = data.get("config") or {} if isinstance(data, dict) else {}
    spec = settings.spec
    secrets = {config_key(spec.header.name, name) for name in spec.header.secrets}
    conflicts, extras = [], []
    for key, value in config.items():
        if key in project_config and _text(value) != _text(project_config[key]):
            conflicts.append(f"`{key}` is {_text(value)!r} there, {_text(project_config[key])!r} in the spec")
        elif key not in project_config and key not in secrets:
            extras.append(key)
    if conflicts:
        raise DeployError(
            f"{path} overrides the spec: " + "; ".join(conflicts) + ". Remove the stack's values (`pulumi config rm "
            f"KEY --stack {settings.stack_name}` in {settings.program_dir}) and set them in the spec"
        )
    return [f"{path} sets `{key}`, which the spec does not; it applies to the deployment" for key in extras]
