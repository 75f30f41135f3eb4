"""`aipipe doctor` with fake probes: what is missing, the command that fixes it, no secret values shown."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess

from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.deploy.doctor import FAIL, OK, WARN, Probes, check_installer, run_checks
from aipipe.deploy.interpreter import COMPLETE, default_virtualenv
from aipipe.validation import load_spec

from conftest import EXAMPLES

INGEST = next(p for p in EXAMPLES if p.parent.name == "event-driven-ingest")
PUBSUB = next(p for p in EXAMPLES if p.parent.name == "distributed-pubsub")


def probes(tmp_path, environ=None, cli=True, version="3.200.0", plugins=None, docker="28.2.2", installer=None):
    def run(command):
        if command[1:] == ["version"]:
            return f"v{version}\n"
        if command[1:] == ["--version"]:
            return "uv 0.13.9 (x86_64-unknown-linux-gnu)\n"
        if command[1:2] == ["info"]:
            if docker is None:  # the CLI is there, the daemon is not
                raise subprocess.CalledProcessError(1, command, "", "Cannot connect to the Docker daemon")
            return f"{docker}\n"
        return json.dumps(
            plugins
            if plugins is not None
            else [
                {"name": "aws", "kind": "resource", "version": "7.51.1"},
                {"name": "gcp", "kind": "resource", "version": "9.37.1"},
            ]
        )

    environ = {"XDG_CACHE_HOME": str(tmp_path / "cache"), **(environ or {})}
    return Probes(
        which=lambda name: f"/usr/bin/{name}" if cli else None,
        run=run,
        environ=environ,
        home=tmp_path,
        installer=installer or (lambda: "/venv/bin/uv"),
    )


def built_environment(tmp_path, cloud):
    folder = default_virtualenv(cloud, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    folder.mkdir(parents=True)
    (folder / COMPLETE).write_text("")


def by_name(checks):
    return {check.name: check for check in checks}


def test_ready_machine(tmp_path):
    spec = load_spec(str(INGEST)).spec
    environ = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY": "very-secret", "LABELLING_API_KEY": "k"}
    built_environment(tmp_path, "aws")
    checks = run_checks(probes(tmp_path, environ), spec)
    assert all(check.status == OK for check in checks), checks
    assert "very-secret" not in json.dumps([c.to_json() for c in checks])
    assert "AKIAEXAMPLEKEY" not in json.dumps([c.to_json() for c in checks])


def test_missing_cli_plugins_credentials_and_secrets_say_how_to_fix(tmp_path):
    checks = by_name(run_checks(probes(tmp_path, cli=False), load_spec(str(INGEST)).spec))
    assert checks["pulumi CLI"].status == FAIL and "get.pulumi.com" in checks["pulumi CLI"].fix
    assert checks["aws provider plugin"].fix == "pulumi plugin install resource aws v7.51.1"
    assert checks["AWS credentials"].status == WARN and "aws configure" in checks["AWS credentials"].fix
    assert checks["spec secrets"].fix == "export LABELLING_API_KEY=..."


def test_old_cli_and_wrong_plugin_version(tmp_path):
    checks = by_name(
        run_checks(
            probes(tmp_path, version="2.9.0", plugins=[{"name": "gcp", "kind": "resource", "version": "8.0.0"}]),
            load_spec(str(PUBSUB)).spec,
        )
    )
    assert checks["pulumi CLI"].status == FAIL and "older than" in checks["pulumi CLI"].detail
    assert checks["gcp provider plugin"].status == WARN and "installed: 8.0.0" in checks["gcp provider plugin"].detail
    assert "gcloud auth application-default login" in checks["GCP credentials"].fix


def test_credentials_files_and_backends(tmp_path):
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text("[default]\n")
    adc = tmp_path / ".config" / "gcloud"
    adc.mkdir(parents=True)
    (adc / "application_default_credentials.json").write_text("{}")
    checks = by_name(run_checks(probes(tmp_path, {"PULUMI_BACKEND_URL": "https://api.pulumi.com"})))
    assert checks["AWS credentials"].status == OK and checks["GCP credentials"].status == OK
    assert checks["state backend"].fix == "pulumi login https://api.pulumi.com"
    assert "not needed" in checks["secrets passphrase"].detail


def test_doctor_command_exit_codes(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1 and "[FAIL] pulumi CLI" in result.output and "fix:" in result.output
    document = json.loads(CliRunner().invoke(app, ["doctor", "--json"]).output)
    assert {check["name"] for check in document} >= {"pulumi CLI", "AWS credentials", "GCP credentials"}


def test_the_cli_floor_is_aipipes_not_the_sdks(tmp_path):
    """3.105 has `destroy --preview-only` but not the runtime's `toolchain` option aipipe renders (3.120)."""
    checks = by_name(run_checks(probes(tmp_path, version="3.119.0"), load_spec(str(INGEST)).spec))
    assert checks["pulumi CLI"].status == FAIL and "older than 3.120.0" in checks["pulumi CLI"].detail
    checks = by_name(run_checks(probes(tmp_path, version="3.120.0"), load_spec(str(INGEST)).spec))
    assert checks["pulumi CLI"].status == OK


def test_the_program_environment_is_reported_per_cloud(tmp_path):
    checks = by_name(run_checks(probes(tmp_path)))
    assert (
        checks["aws program environment"].status == WARN and "pulumi-aws==" in checks["aws program environment"].detail
    )
    assert "pulumi-gcp==" in checks["gcp program environment"].detail
    built_environment(tmp_path, "gcp")
    assert by_name(run_checks(probes(tmp_path)))["gcp program environment"].status == OK


def test_a_given_program_environment_needs_pip(tmp_path):
    def run(command):
        if command[1:] == ["-m", "pip", "--version"]:
            raise subprocess.CalledProcessError(1, command)
        return "v3.200.0" if command[1:] == ["version"] else "[]"

    environ = {"AIPIPE_PROGRAM_VIRTUALENV": str(tmp_path / "uv-env")}
    checks = by_name(run_checks(Probes(which=lambda n: "/usr/bin/pulumi", run=run, environ=environ, home=tmp_path)))
    check = checks["aws program environment"]
    assert check.status == FAIL and check.fix == f"{tmp_path / 'uv-env' / 'bin' / 'python'} -m ensurepip"


def test_a_shared_backend_without_a_passphrase_is_missing_one(tmp_path):
    spec = load_spec(str(INGEST)).spec
    shared = by_name(run_checks(probes(tmp_path, {"PULUMI_BACKEND_URL": "gs://team-state/x"}), spec))
    assert shared["secrets passphrase"].status == FAIL
    assert shared["secrets passphrase"].fix.startswith("export PULUMI_CONFIG_PASSPHRASE=")
    environ = {"PULUMI_BACKEND_URL": "gs://team-state/x", "PULUMI_CONFIG_PASSPHRASE": "p"}
    assert by_name(run_checks(probes(tmp_path, environ), spec))["secrets passphrase"].status == OK
    assert by_name(run_checks(probes(tmp_path), spec))["secrets passphrase"].status == OK  # local: generated


IMAGE_SPEC = """\
aipipe: 1
name: images
cloud: aws
region: us-east-1
resources:
  train:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    package: PACKAGE
  small:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
"""


def image_spec(write_spec, package):
    return load_spec(str(write_spec(IMAGE_SPEC.replace("PACKAGE", package)))).spec


def test_docker_is_not_needed_without_image_packages_and_is_not_probed(tmp_path):
    asked = []
    checks = probes(tmp_path)
    run = checks.run
    checks.run = lambda command: asked.append(command) or run(command)
    docker = by_name(run_checks(checks, load_spec(str(INGEST)).spec))["Docker"]
    assert docker.status == OK and docker.detail.startswith("not needed") and "package: image" in docker.detail
    assert not any(command[0].endswith("docker") for command in asked)
    assert "Docker" not in by_name(run_checks(probes(tmp_path), load_spec(str(PUBSUB)).spec))  # gcp: no images


def test_an_image_function_needs_a_docker_daemon_where_it_deploys(tmp_path, write_spec):
    spec = image_spec(write_spec, "image")
    ready = by_name(run_checks(probes(tmp_path), spec))["Docker"]
    assert ready.status == OK and "Docker 28.2.2 daemon" in ready.detail and "functions train need it" in ready.detail
    down = by_name(run_checks(probes(tmp_path, docker=None), spec))["Docker"]
    assert down.status == FAIL and "no Docker daemon reachable: functions train" in down.detail
    assert "only the machine that deploys needs it" in down.fix and "start Docker" in down.fix


def test_auto_packages_only_warn_without_docker(tmp_path, write_spec):
    down = by_name(run_checks(probes(tmp_path, docker=None), image_spec(write_spec, "auto")))["Docker"]
    assert down.status == WARN and "only when over Lambda's 250 MB unzipped" in down.detail


def test_the_docker_socket_counts_without_the_cli(tmp_path, write_spec):
    socket = tmp_path / "docker.sock"
    socket.write_text("")
    spec = image_spec(write_spec, "image")

    def which(name):
        return None if name == "docker" else f"/usr/bin/{name}"

    found = probes(tmp_path, {"DOCKER_HOST": f"unix://{socket}"})
    found.which = which
    assert by_name(run_checks(found, spec))["Docker"].detail.startswith(f"Docker socket at {socket}")
    missing = probes(tmp_path, {"DOCKER_HOST": f"unix://{tmp_path / 'nothing.sock'}"})
    missing.which = which
    assert by_name(run_checks(missing, spec))["Docker"].status == FAIL


def test_the_installer_is_reported(tmp_path):
    installer = by_name(run_checks(probes(tmp_path), load_spec(str(INGEST)).spec))["dependency installer"]
    assert installer.status == OK
    assert installer.detail.startswith("uv 0.13.9 (x86_64-unknown-linux-gnu) at /venv/bin/uv")

    def absent():
        raise FileNotFoundError(2, "No such file or directory", "uv")

    broken = by_name(run_checks(probes(tmp_path, installer=absent)))["dependency installer"]
    assert broken.status == FAIL and "uv cannot run" in broken.detail and "pip install" in broken.fix


def test_the_real_installer_runs():
    """The default probe finds the uv that aipipe depends on, and it answers `--version`."""
    check = check_installer(Probes())
    assert check.status == OK and check.detail.startswith("uv ")


def test_image_functions_also_need_the_docker_build_provider_plugin(tmp_path, write_spec):
    wanted = importlib.metadata.version("pulumi-docker-build")
    missing = by_name(run_checks(probes(tmp_path), image_spec(write_spec, "image")))["docker-build provider plugin"]
    assert missing.fix == f"pulumi plugin install resource docker-build v{wanted}"
    assert "docker-build provider plugin" not in by_name(run_checks(probes(tmp_path), load_spec(str(INGEST)).spec))
