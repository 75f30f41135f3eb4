"""The Pulumi project for a validated spec: the Jinja environment, the rendered program (checked by
aipipe.codegen.safe before it is returned), Pulumi.yaml with the provider configuration, requirements.txt."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import jinja2

from aipipe.bundled import bundled_folder
from aipipe.clouds.aws import EMULATED_SERVICES
from aipipe.clouds.registry import CLOUDS
from aipipe.codegen import gcp_project
from aipipe.codegen.context import program_context
from aipipe.codegen.safe import Code, RenderError, check_program, literal
from aipipe.core.state_folder import STATE_FOLDER, protect_above


def make_environment(templates: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for program templates: literal finalize, strict undefined, no autoescape."""
    folder = templates or bundled_folder("templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        finalize=literal,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --- the whole project ------------------------------------------------------------------------------------


def default_program_dir(spec) -> Path:
    """Where `render` writes by default: `.aipipe/<stack>/program` beside the spec (where `up` deploys from)."""
    return spec.base_dir / STATE_FOLDER / spec.stack / "program"


def write_project(
    spec,
    output_dir: Path,
    home: Path | None = None,
    endpoint: str | None = None,
    virtualenv: str | None = None,
    artifacts: dict | None = None,
) -> list[Path]:
    """Write the Pulumi project for `spec` into `output_dir`; returns the files written. `home` is the
    folder the program is meant to run from (code paths are relative to it), default `output_dir`.
    Raises RenderError (a bug in aipipe, not in the spec) before writing anything when rendering fails."""
    files = render_program(spec, home or output_dir, endpoint=endpoint, virtualenv=virtualenv, artifacts=artifacts)
    output_dir.mkdir(parents=True, exist_ok=True)
    protect_above(output_dir.resolve())
    written = []
    for name, text in files.items():
        path = output_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def program_requirements(cloud: str) -> list[str]:
    """The packages a program for `cloud` may need, pinned to the versions installed with aipipe (the ones its
    tests ran against). One set per cloud: the deploy environment for a cloud is shared by its programs."""
    sdk = re.split(r"[<>=!~ ]", CLOUDS[cloud].sdk_requirement, maxsplit=1)[0]
    packages = ["pulumi", sdk, *CLOUDS[cloud].program_packages]
    return [f"{package}=={importlib.metadata.version(package)}" for package in packages]


def runtime(virtualenv: str | None) -> dict:
    """Pulumi.yaml's runtime: Python in the given virtualenv (default `venv` beside the program, which
    `pulumi install` creates from requirements.txt) with the pip toolchain. Naming the toolchain keeps the
    CLI (3.227+) from switching to uv or poetry when the program sits below a uv.lock or poetry.lock
    (pulumi/pulumi sdk/python/toolchain/toolchain.go `case Auto`); naming the virtualenv makes the interpreter
    explicit (sdk/python/toolchain/pip.go: its bin/python)."""
    return {"name": "python", "options": {"toolchain": "pip", "virtualenv": virtualenv or "venv"}}


def render_program(
    spec, output_dir, endpoint: str | None = None, virtualenv: str | None = None, artifacts: dict | None = None
) -> dict[str, str]:
    """The Pulumi project for a validated Spec: {"Pulumi.yaml", "__main__.py", "requirements.txt"} -> text.

    `output_dir` is where the files will live: function code paths are written relative to it, so the
    project runs from there as it is. `virtualenv` is the environment it runs in (see `runtime`)."""
    import yaml

    context = program_context(spec, Path(output_dir), artifacts)
    context["endpoint"] = endpoint
    context["endpoint_arguments"] = endpoint_arguments(endpoint) if endpoint else None
    context["setup_marker"] = Code(gcp_project.SETUP_MARKER)
    context["setup_imports_marker"] = Code(gcp_project.IMPORTS_MARKER)
    environment = make_environment()
    source = environment.get_template("program.py.j2").render(**context)
    if spec.cloud == "gcp":
        source = _with_project_setup(source, environment)
    check_program(source)
    project = {
        "name": spec.header.name,
        "runtime": runtime(virtualenv),
        "description": spec.header.description or f"aipipe spec {spec.header.name}",
        "config": {key: {"value": value} for key, value in provider_config(spec, endpoint).items()},
    }
    return {
        "Pulumi.yaml": yaml.safe_dump(project, sort_keys=False),
        "__main__.py": source,
        "requirements.txt": "".join(f"{requirement}\n" for requirement in program_requirements(spec.cloud)),
    }


def _with_project_setup(source: str, environment: jinja2.Environment) -> str:
    """The GCP program with its project setup (aipipe.codegen.gcp_project) where program.py.j2 marked it,
    decided by the rest of the program."""
    values = gcp_project.setup_values(source)
    setup = environment.get_template("project/gcp-setup.py.j2").render(values=values)
    imports = "import pulumiverse_time as time\n" if values["imports_time"] else ""
    source = source.replace(gcp_project.SETUP_MARKER + "\n", setup, 1)
    return source.replace(gcp_project.IMPORTS_MARKER + "\n", imports, 1)


def provider_config(spec, endpoint: str | None = None) -> dict:
    """Provider configuration the program needs (Pulumi.yaml's `config`), from the cloud's facts."""
    return CLOUDS[spec.cloud].provider_config(spec.header, endpoint)


def endpoint_arguments(endpoint: str) -> Code:
    """Arguments that point an explicit aws.Provider at an emulator, as the stack config does for the default
    provider (explicit providers do not read the stack's `aws:` config)."""
    if not re.fullmatch(r"https?://[^\s'\"\\]+", endpoint):
        raise RenderError(f"the endpoint must be an http(s) URL, got {endpoint!r}")
    services = ", ".join(
        f"{'lambda_' if service == 'lambda' else service}={literal(endpoint)}" for service in EMULATED_SERVICES
    )
    return Code(
        f"endpoints=[aws.ProviderEndpointArgs({services})], skip_credentials_validation=True, "
        "skip_requesting_account_id=True, skip_metadata_api_check=True, s3_use_path_style=True, "
        "access_key='test', secret_key='test'"
    )
