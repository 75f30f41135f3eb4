"""Build every function of a spec into the artifact its program ships: a deterministic zip (aws, uploaded
with the function, or through an S3 object past Lambda's direct-upload limit), a container-image build
context (aws `package: image`, or `auto` past the unzipped limit), or a source archive Cloud Build installs
from (gcp). Problems are Diagnostics: in a dependency file at the requirement's line, or at the function's
`code` in the spec."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aipipe.build import dependencies as deps_of
from aipipe.build.archive import (
    Entry,
    OutsideLink,
    code_entries,
    entries_digest,
    merged,
    reusable,
    tree_entries,
    unpacked_size,
    write_recorded,
    write_zip,
    zip_names,
)
from aipipe.build.bytecode import compile_tree, interpreter_for
from aipipe.build.cache import build_folder, build_root
from aipipe.build.forms import IMAGE, S3_OBJECT, SOURCE, ZIP
from aipipe.build.image import write_context
from aipipe.build.installer import InstallFailure
from aipipe.build.problems import failure_diagnostic, link_diagnostic, size_diagnostic, source_diagnostic
from aipipe.build.sizes import limit_text
from aipipe.build.sources import REQUIREMENTS, SourceProblem, dependency_source
from aipipe.build.targets import Target
from aipipe.clouds.registry import CLOUDS
from aipipe.core.diagnostics import Diagnostic, Severity, has_errors
from aipipe.core.local_paths import ReadableArea

ARCHIVE_FORMAT = "3"  # bump when the archive layout changes: every reused zip is then written again


@dataclass(frozen=True)
class Artifact:
    """What one function ships, and the figures `aipipe build` shows."""

    function: str
    runtime: str
    architecture: str
    package: str  # zip | s3 | image | source
    path: Path  # the archive, or the image's build context folder
    digest: str  # sha256 of the archive (of the context for an image)
    unzipped_bytes: int
    zipped_bytes: int | None = None
    limit_bytes: int | None = None  # the limit the shipped form is held to
    packages: tuple[str, ...] = ()
    cache: str = "-"  # hit | miss | - (no dependencies)
    bytecode: bool = False
    built: bool = True  # False: a placeholder whose dependencies could not be installed here
    notes: tuple[str, ...] = ()


@dataclass
class BuildReport:
    """Every function's artifact and every problem found building them."""

    artifacts: dict[str, Artifact] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def build_functions(
    spec, only: str | None = None, offline_severity: Severity = Severity.ERROR, placeholders: bool = False
) -> BuildReport:
    """Build the functions of a validated spec (or only the one named `only`). `offline_severity` is how an
    unreachable package index counts: an error for `build` and deploys, a warning for `plan`, which then
    shows a placeholder artifact. With `placeholders`, a function that cannot be built gets one too (the old
    side of a diff, built from today's code folders: only its shape matters)."""
    report = BuildReport()
    root = build_root(spec.base_dir)
    for name, resource in spec.resources.items():
        if resource.type != "function" or (only is not None and name != only):
            continue
        artifact, found = build_function(spec, name, resource, root, offline_severity)
        report.diagnostics += found
        if artifact is None and placeholders:
            artifact = _placeholder(spec, name, _target(spec, resource), root, "not built: " + found[0].code)
        if artifact is not None:
            report.artifacts[name] = artifact
    return report


def unbuilt_artifacts(spec) -> dict[str, Artifact]:
    """A placeholder for every function, nothing built: for commands that never run the program's code
    uploads (destroy and refresh work from the stack's state)."""
    root = build_folder(spec.base_dir)
    return {
        name: _placeholder(spec, name, _target(spec, resource), root, "not built: not needed by this command")
        for name, resource in spec.resources.items()
        if resource.type == "function"
    }


def _target(spec, function) -> Target:
    return Target(spec.cloud, function.runtime, getattr(function, "architecture", None) or "x86_64")


def build_function(spec, name: str, function, root: Path, offline_severity: Severity = Severity.ERROR):
    """One function's artifact (or None when it cannot be made) and the problems found."""
    target = _target(spec, function)
    code = (spec.base_dir / function.code).resolve()  # validated: a folder aipipe may read (core.local_paths)
    try:
        area = ReadableArea.of(spec.base_dir)  # what its requirements.txt may read
        source = dependency_source(code, area, alone=spec.cloud == "gcp") if target.python else None
    except SourceProblem as problem:
        return None, [source_diagnostic(problem)]
    dependencies, found = None, []
    if source is not None:
        try:
            resolve = deps_of.installed if spec.cloud == "aws" else deps_of.resolved
            dependencies = resolve(source, target, root)
        except InstallFailure as failure:
            # gcp: Cloud Build installs the requirements; aipipe's check is advice, and when it cannot be made
            # (no index, or only an sdist would do) the source archive still ships, with a warning saying so
            advisory = spec.cloud == "gcp" and failure.reason in ("unreachable", "needs_build")
            severity = Severity.WARNING if advisory else offline_severity
            diagnostic = failure_diagnostic(spec, name, target, source, failure, severity)
            if failure.reason == "unreachable" and not advisory:
                placeholder = _placeholder(spec, name, target, root, "dependencies not installed: no package index")
                return placeholder, [diagnostic]
            if not advisory:
                return None, [diagnostic]
            found.append(diagnostic)
    folder = root / spec.stack
    try:
        if spec.cloud == "gcp":
            artifact, problems = _gcp_source(spec, name, target, code, source, dependencies, folder / f"{name}.zip")
        else:
            artifact, problems = _aws_package(spec, name, function, target, code, dependencies, folder)
    except OutsideLink as link:
        return None, found + [link_diagnostic(spec, name, link.link, link.target)]
    return artifact, found + problems


def _placeholder(spec, name: str, target: Target, root: Path, why: str) -> Artifact:
    """An archive that was not built, for a program that is planned but never deployed: its file never exists
    (`<fn>.unbuilt.zip`), so a program rendered with it cannot ship an older build by mistake."""
    return Artifact(
        name,
        target.runtime,
        target.architecture,
        ZIP,
        root / spec.stack / f"{name}.unbuilt.zip",
        "unbuilt",
        0,
        built=False,
        notes=(why,),
    )


def _aws_package(spec, name, function, target: Target, code: Path, dependencies, folder: Path):
    limits = CLOUDS["aws"].functions.package
    interpreter = interpreter_for(target.python)
    setting = getattr(function, "package", None) or ZIP
    own = code_entries(code)
    # the dependencies' cache entry never changes once stored (it is named by what decides it), so its
    # folder stands for its files: an unchanged function is recognised without reading them or compiling
    inputs = hashlib.sha256(
        f"{ARCHIVE_FORMAT}\0{dependencies.identity if dependencies else ''}\0{interpreter or ''}\0".encode()
        + entries_digest(own).encode()
    ).hexdigest()
    zip_path = folder / f"{name}.zip"
    facts = reusable(zip_path, inputs) if setting != IMAGE else None
    bytecode = bool(interpreter) and (dependencies is None or dependencies.bytecode)
    if facts is not None:
        bytecode = bytecode and facts.compiled
    with tempfile.TemporaryDirectory(prefix="aipipe-code-") as scratch:
        if facts is None:
            compiled = bool(interpreter) and _compiled(own, Path(scratch), interpreter)
            if compiled:
                own = tree_entries(Path(scratch))
            bytecode = bytecode and compiled
            common = _figures(name, target, dependencies, bytecode)
            installed = tree_entries(dependencies.tree) if dependencies and dependencies.tree else []
            entries = merged(installed, own)
            unzipped = unpacked_size(entries)
            if setting == IMAGE or (setting == "auto" and unzipped > limits.unzipped):
                return _image(spec, name, function, target, entries, unzipped, folder, common)
            if unzipped > limits.unzipped:
                return None, [size_diagnostic(spec, name, "unzipped", unzipped, limits.unzipped)]
            # the dependencies are compressed once per cache entry; a code change appends only the code
            base = _dependencies_zip(dependencies, installed)
            if base is not None and not zip_names(base.path) & {entry.name for entry in own}:
                entries = own
            else:  # no dependencies, or code replacing a dependency's file: one archive sorted by name
                base = None
            facts = write_recorded(entries, zip_path, inputs, compiled, base)
    common = _figures(name, target, dependencies, bytecode)
    package = S3_OBJECT if facts.zipped_bytes > limits.direct_zip else ZIP
    notes = ()
    if package == S3_OBJECT:
        notes = (f"over {limit_text(limits.direct_zip)} zipped: uploaded through an S3 object",)
    return Artifact(
        **common,
        package=package,
        path=facts.path,
        digest=facts.sha256,
        unzipped_bytes=facts.unzipped_bytes,
        zipped_bytes=facts.zipped_bytes,
        limit_bytes=limits.unzipped,
        notes=notes,
    ), []


def _dependencies_zip(dependencies, installed: list[Entry]):
    """The zip of a dependencies cache entry's files (`installed`), written once beside its tree (again only
    if it is gone), or None without installed dependencies."""
    if not installed:
        return None
    path = dependencies.tree.parent / "site.zip"
    inputs = f"{ARCHIVE_FORMAT}\0{dependencies.identity}"  # a new archive format rewrites it too
    return reusable(path, inputs) or write_recorded(installed, path, inputs, False)


def _image(spec, name, function, target: Target, entries, unzipped: int, folder: Path, common: dict):
    """The function as a container image's build context (`package: image`, or `auto` past the zip limit)."""
    limits = CLOUDS["aws"].functions.package
    if unzipped > limits.image:
        return None, [size_diagnostic(spec, name, "image", unzipped, limits.image)]
    context = folder / f"{name}-image"
    digest = write_context(entries, context, target.python or "3.12", function.handler)
    notes = ()
    if function.package != IMAGE:
        notes = (f"over {limit_text(limits.unzipped)} unzipped: shipped as a container image",)
    return Artifact(
        **common,
        package=IMAGE,
        path=context,
        digest=digest,
        unzipped_bytes=unzipped,
        limit_bytes=limits.image,
        notes=notes,
    ), []


def _gcp_source(spec, name, target: Target, code: Path, source, dependencies, path: Path):
    limits = CLOUDS["gcp"].functions.package
    with tempfile.TemporaryDirectory(prefix="aipipe-code-") as scratch:
        entries = code_entries(code)
        if source is not None and source.file.name != REQUIREMENTS and not (code / REQUIREMENTS).exists():
            # Cloud Build installs requirements.txt: a pyproject.toml's (or uv.lock's) requirements go in as one
            generated = Path(scratch) / REQUIREMENTS
            generated.write_text(source.installer_text, encoding="utf-8")
            entries = merged(entries, [Entry(REQUIREMENTS, generated)])
        facts = write_zip(entries, path)
    if facts.zipped_bytes > limits.source_zip:
        path.unlink()  # never left where a program would upload it
        return None, [size_diagnostic(spec, name, "source", facts.zipped_bytes, limits.source_zip)]
    common = _figures(name, target, dependencies, False)
    return Artifact(
        **common,
        package=SOURCE,
        path=facts.path,
        digest=facts.sha256,
        unzipped_bytes=facts.unzipped_bytes,
        zipped_bytes=facts.zipped_bytes,
        limit_bytes=limits.source_zip,
    ), []


def _figures(name: str, target: Target, dependencies, bytecode: bool) -> dict:
    cache = "-" if dependencies is None else ("hit" if dependencies.cache_hit else "miss")
    packages = dependencies.packages if dependencies else ()
    return {
        "function": name,
        "runtime": target.runtime,
        "architecture": target.architecture,
        "packages": packages,
        "cache": cache,
        "bytecode": bytecode,
    }


def _compiled(entries: list[Entry], scratch: Path, interpreter: str) -> bool:
    """Copy the code into `scratch` and compile it there for the target; False if compiling failed."""
    for entry in entries:
        destination = scratch / entry.name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.source, destination)
        if entry.executable:
            os.chmod(destination, 0o755)
    return compile_tree(scratch, interpreter)
