"""`aipipe doctor`: is this machine ready to deploy? Each check says what is missing and the exact command
that fixes it. Credentials are detected, never printed. Probes (which, run, environment, home) are
parameters so the checks are tested without touching the machine."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aipipe.deploy.settings import PASSPHRASE_VARIABLES
from aipipe.semantics.backends import is_local, is_pulumi_cloud

OK, WARN, FAIL = "ok", "warning", "missing"


@dataclass
class Check:
    """One finding: a name, its status, what was found, and how to fix it when it is not ok."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _uv_binary() -> str:
    from aipipe.build.installer import uv_binary

    return uv_binary()


@dataclass
class Probes:
    """How doctor looks at the machine; tests replace these."""

    which: Callable[[str], str | None] = shutil.which
    run: Callable[[list[str]], str] = lambda command: (
        subprocess.run(command, capture_output=True, text=True, timeout=20, check=True).stdout
    )
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    home: Path = field(default_factory=Path.home)
    installer: Callable[[], str] = _uv_binary  # the uv executable aipipe installs functions' wheels with


def _sdk_version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_cli(probes: Probes) -> Check:
    """The pulumi CLI, new enough for the Automation API."""
    path = probes.which("pulumi")
    if not path:
        return Check(
            "pulumi CLI",
            FAIL,
            "not on PATH (deploy commands drive it through the Automation API)",
            "curl -fsSL https://get.pulumi.com | sh   (or: brew install pulumi/tap/pulumi)",
        )
    try:
        version = probes.run([path, "version"]).strip().lstrip("v")
    except (OSError, subprocess.SubprocessError) as error:
        return Check(
            "pulumi CLI", FAIL, f"{path} does not run: {error}", "reinstall: curl -fsSL https://get.pulumi.com | sh"
        )
    from aipipe.deploy.stack import minimum_cli_version

    minimum = minimum_cli_version()
    parts = tuple(int(p) for p in version.split("-")[0].split(".")[:3] if p.isdigit())
    if parts < minimum:
        return Check(
            "pulumi CLI",
            FAIL,
            f"version {version} is older than {'.'.join(map(str, minimum))}",
            "curl -fsSL https://get.pulumi.com | sh",
        )
    return Check("pulumi CLI", OK, f"{version} at {path}")


def check_plugins(probes: Probes, providers: list[str]) -> list[Check]:
    """The provider plugins matching the installed SDKs (the engine downloads them on first use when it can):
    the clouds', and `docker-build` where functions ship as container images."""
    path = probes.which("pulumi")
    installed: dict[str, set[str]] = {}
    if path:
        try:
            for plugin in json.loads(probes.run([path, "plugin", "ls", "--json"]) or "[]"):
                if plugin.get("kind") == "resource":
                    installed.setdefault(plugin.get("name", ""), set()).add(str(plugin.get("version", "")).lstrip("v"))
        except (OSError, ValueError, subprocess.SubprocessError):
            installed = {}
    checks = []
    for cloud in providers:
        wanted = _sdk_version(f"pulumi-{cloud}")
        if wanted and wanted in installed.get(cloud, set()):
            checks.append(Check(f"{cloud} provider plugin", OK, f"{wanted} installed"))
        else:
            found = ", ".join(sorted(installed.get(cloud, set()))) or "none"
            checks.append(
                Check(
                    f"{cloud} provider plugin",
                    WARN if path else FAIL,
                    f"{wanted or '?'} wanted (the pulumi-{cloud} SDK's version), installed: {found}",
                    f"pulumi plugin install resource {cloud} v{wanted}",
                )
            )
    return checks


def check_aws_credentials(probes: Probes) -> Check:
    environ = probes.environ
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        return Check("AWS credentials", OK, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (values not shown)")
    for variable in (
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        if environ.get(variable):
            return Check("AWS credentials", OK, f"{variable} is set")
    for name in ("credentials", "config"):
        if (probes.home / ".aws" / name).is_file():
            return Check("AWS credentials", OK, f"~/.aws/{name} exists")
    return Check(
        "AWS credentials",
        WARN,
        "none found in the environment or ~/.aws",
        "aws configure   (or export AWS_PROFILE=<profile>)",
    )


def check_gcp_credentials(probes: Probes) -> Check:
    environ = probes.environ
    keyfile = environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if keyfile:
        if Path(keyfile).is_file():
            return Check("GCP credentials", OK, "GOOGLE_APPLICATION_CREDENTIALS points at a file")
        return Check(
            "GCP credentials",
            FAIL,
            "GOOGLE_APPLICATION_CREDENTIALS points at a file that does not exist",
            "export GOOGLE_APPLICATION_CREDENTIALS=/path/to/key.json",
        )
    if environ.get("GOOGLE_CREDENTIALS") or environ.get("GOOGLE_OAUTH_ACCESS_TOKEN"):
        return Check("GCP credentials", OK, "credentials are set in the environment (values not shown)")
    if (probes.home / ".config" / "gcloud" / "application_default_credentials.json").is_file():
        return Check("GCP credentials", OK, "application default credentials exist")
    return Check("GCP credentials", WARN, "none found", "gcloud auth application-default login")


def check_backend(probes: Probes, backend: str) -> Check:
    """The state backend, and the login it needs."""
    if is_local(backend):
        return Check("state backend", OK, f"local files: {backend}")
    if is_pulumi_cloud(backend):
        if probes.environ.get("PULUMI_ACCESS_TOKEN"):
            return Check("state backend", OK, f"{backend} with PULUMI_ACCESS_TOKEN set")
        return Check("state backend", WARN, f"{backend} needs a login", f"pulumi login {backend}")
    scheme = backend.split("://", 1)[0]
    needs = {"s3": "AWS credentials", "gs": "GCP credentials", "azblob": "AZURE_STORAGE_ACCOUNT and a key"}
    return Check("state backend", OK, f"{backend} (uses {needs.get(scheme, 'its own credentials')})")


def check_passphrase(probes: Probes, backend: str) -> Check:
    if is_pulumi_cloud(backend):
        return Check("secrets passphrase", OK, "not needed: Pulumi Cloud encrypts secrets")
    for variable in PASSPHRASE_VARIABLES:
        if variable in probes.environ:
            return Check("secrets passphrase", OK, f"{variable} is set")
    if not is_local(backend):
        return Check(
            "secrets passphrase",
            FAIL,
            f"{backend} is shared: everyone who deploys needs the same passphrase, and none is set",
            "export PULUMI_CONFIG_PASSPHRASE=...   (the team's passphrase; a CI secret in CI)",
        )
    return Check(
        "secrets passphrase",
        OK,
        "a passphrase file is generated in .aipipe/ (mode 0600) at the first "
        "deploy; keep it, or set PULUMI_CONFIG_PASSPHRASE to share stacks with a team",
    )


def check_secrets(probes: Probes, names: list[str]) -> Check | None:
    if not names:
        return None
    from aipipe.semantics.secrets import missing_secrets

    missing = missing_secrets(names, probes.environ)
    if missing:
        return Check(
            "spec secrets", FAIL, f"not set: {', '.join(missing)}", " ".join(f"export {name}=..." for name in missing)
        )
    return Check("spec secrets", OK, f"{len(names)} set (values not shown)")


def check_program_environment(probes: Probes, cloud: str) -> Check:
    """The virtualenv the deployed program runs in (aipipe.deploy.interpreter): given, built, or to be built."""
    import importlib.util

    from aipipe.codegen.project import program_requirements
    from aipipe.deploy.interpreter import COMPLETE, OVERRIDE, default_virtualenv, python_of

    name = f"{cloud} program environment"
    if probes.environ.get(OVERRIDE):
        python = python_of(Path(probes.environ[OVERRIDE]).expanduser())
        try:
            probes.run([str(python), "-m", "pip", "--version"])
        except (OSError, subprocess.SubprocessError):
            return Check(name, FAIL, f"{OVERRIDE}: {python} cannot run pip", f"{python} -m ensurepip")
        return Check(name, OK, f"{OVERRIDE}={probes.environ[OVERRIDE]} (has pip)")
    folder = default_virtualenv(cloud, probes.environ)
    if (folder / COMPLETE).is_file():
        return Check(name, OK, f"ready in {folder}")
    if importlib.util.find_spec("ensurepip") is None:
        return Check(
            name,
            FAIL,
            "this Python has no venv/ensurepip module to build it with",
            "sudo apt install python3-venv   (or set AIPIPE_PROGRAM_VIRTUALENV to a virtualenv with pip)",
        )
    pins = ", ".join(program_requirements(cloud))
    return Check(name, WARN, f"built on the first deploy into {folder} (downloads {pins})", f"or set {OVERRIDE}")


def check_installer(probes: Probes) -> Check:
    """uv, which installs each function's wheels for its target (aipipe.build.installer)."""
    try:
        path = probes.installer()
        version = probes.run([path, "--version"]).strip()
    except (ImportError, OSError, subprocess.SubprocessError) as error:
        return Check(
            "dependency installer",
            FAIL,
            f"uv cannot run ({error}): functions' dependencies are installed with it",
            "pip install --force-reinstall uv   (in the environment aipipe runs from)",
        )
    return Check("dependency installer", OK, f"{version} at {path} (installs functions' wheels for their target)")


IMAGE_PACKAGES = ("image", "auto")
DOCKER_SOCKET = Path("/var/run/docker.sock")


def image_functions(spec) -> list[str]:
    """The aws functions of a spec that may ship as a container image (`package: image` or `auto`)."""
    if spec is None or spec.cloud != "aws":
        return []
    return [
        name
        for name, resource in spec.resources.items()
        if resource.type == "function" and getattr(resource, "package", None) in IMAGE_PACKAGES
    ]


def check_docker(probes: Probes, spec=None) -> Check:
    """A Docker daemon, which only functions shipped as container images need, and only where `up` runs
    (the program builds and pushes their images); every other package is a zip aipipe writes itself."""
    functions = image_functions(spec)
    if spec is not None and not functions:
        return Check("Docker", OK, "not needed: no function ships as a container image (`package: image` or `auto`)")
    needed_by = f"functions {', '.join(functions)}" if functions else "functions with `package: image` or `auto`"
    reachable = _docker_daemon(probes)
    if reachable:
        return Check("Docker", OK, f"{reachable}; {needed_by} need it, only on the machine that deploys")
    required = any(spec.resources[name].package == "image" for name in functions)
    return Check(
        "Docker",
        FAIL if required else WARN,
        f"no Docker daemon reachable: {needed_by} build their container image with it when deployed from here"
        + ("" if required else " (`auto`: only when over Lambda's 250 MB unzipped)"),
        "start Docker (Docker Desktop, or: sudo systemctl start docker); only the machine that deploys needs it",
    )


def _docker_daemon(probes: Probes) -> str:
    """`Docker 28.2.2 daemon` when `docker info` answers, `Docker socket at …` when only the socket is there
    (the program's builder talks to the daemon, not to the CLI), '' when no daemon is reachable."""
    docker = probes.which("docker")
    if docker:
        try:
            version = probes.run([docker, "info", "--format", "{{.ServerVersion}}"]).strip()
        except (OSError, subprocess.SubprocessError):
            return ""
        return f"Docker {version} daemon" if version else "Docker daemon"
    host = probes.environ.get("DOCKER_HOST", "")
    socket = Path(host.removeprefix("unix://")) if host.startswith("unix://") else DOCKER_SOCKET
    if host and not host.startswith("unix://"):
        return f"DOCKER_HOST={host} (not probed: no docker CLI)"
    return f"Docker socket at {socket}" if socket.exists() else ""


def run_checks(probes: Probes, spec=None) -> list[Check]:
    """Every check; with a spec, only its cloud's and backend's, plus its secrets."""
    from aipipe.deploy.settings import backend_for

    clouds = [spec.cloud] if spec else ["aws", "gcp"]
    backend = (
        backend_for(spec, probes.environ)
        if spec
        else (probes.environ.get("PULUMI_BACKEND_URL") or "file://./.aipipe/state")
    )
    # pulumi-docker-build's provider builds and pushes container-image functions (aipipe.kinds.function.package)
    providers = clouds + (["docker-build"] if spec is not None and image_functions(spec) else [])
    checks = [check_cli(probes), *check_plugins(probes, providers)]
    checks += [check_program_environment(probes, cloud) for cloud in clouds]
    if "aws" in clouds:
        checks.append(check_aws_credentials(probes))
    if "gcp" in clouds:
        checks.append(check_gcp_credentials(probes))
    if spec is None or any(resource.type == "function" for resource in spec.resources.values()):
        checks.append(check_installer(probes))
    if "aws" in clouds:
        checks.append(check_docker(probes, spec))
    checks += [check_backend(probes, backend), check_passphrase(probes, backend)]
    secrets = check_secrets(probes, list(spec.header.secrets)) if spec else None
    return checks + ([secrets] if secrets else [])
