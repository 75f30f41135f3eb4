"""Build problems as Diagnostics a user can act on: where (the requirement's file:line:column, or the
function's `code` in the spec), what (the package, the target), and the fix."""

from __future__ import annotations

import os
from pathlib import Path

from aipipe.build.image import BASE_IMAGE
from aipipe.build.installer import InstallFailure
from aipipe.build.sizes import limit_text, megabytes
from aipipe.build.sources import DependencySource, SourceProblem
from aipipe.build.targets import Target
from aipipe.core.diagnostics import Diagnostic, Severity

SIZE_FIX = {
    "unzipped": "Set `package: image` (a container image, up to 10 GB; needs Docker where you deploy) or "
    "`package: auto`, or trim the dependencies.",
    "image": "Trim the dependencies: an image holds at most 10 GB, base image included.",
    "source": "Move data files out of the code folder (read them from a bucket) or trim it.",
}
SIZE_WHAT = {
    "unzipped": "Lambda's {limit} limit on a .zip package's unzipped size",
    "image": "Lambda's {limit} limit on a container image",
    "source": "Cloud Functions' {limit} limit on a compressed source archive",
}


def shown_path(path: Path) -> str:
    """A path as the user will recognise it: relative to the working folder when below it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def source_diagnostic(problem: SourceProblem) -> Diagnostic:
    """AP600: a dependency file aipipe cannot read or understand."""
    return Diagnostic("AP600", str(problem), shown_path(problem.file), problem.line, problem.column)


def where_deployed(target: Target) -> str:
    """`Lambda python3.12 on x86_64 (wheels cp312 manylinux_2_34 x86_64)`."""
    if target.cloud == "aws":
        return f"Lambda {target.runtime} on {target.architecture} (wheels {target.describe()})"
    return f"Cloud Functions {target.runtime}"


def failure_diagnostic(
    spec, name: str, target: Target, source: DependencySource, failure: InstallFailure, offline: Severity
) -> Diagnostic:
    """AP601 (a requirement cannot be met for the target), AP603 (no package index) or AP604 (the
    installer failed otherwise)."""
    detail = failure.detail.rstrip(".")
    if failure.reason == "unreachable" and target.cloud == "gcp":
        message = (
            f"the requirements of function `{name}` ({shown_path(source.file)}) could not be checked: the package "
            f"index cannot be reached ({detail}). Its source ships as it is and Cloud Build installs them; run "
            "`aipipe build` where the index is reachable to check them first"
        )
        return at_code(spec, name, "AP603", message, Severity.WARNING)
    if failure.reason == "unreachable":
        outcome = "the function is shown without them" if offline is Severity.WARNING else "it cannot be built"
        message = (
            f"the dependencies of function `{name}` ({shown_path(source.file)}) are not in the build cache and the "
            f"package index cannot be reached: {detail}; {outcome}. Run `aipipe build` where the index is "
            "reachable (uv's: PyPI, or UV_INDEX_URL / UV_DEFAULT_INDEX for a mirror); later builds reuse the "
            "cache under .aipipe/build/ offline"
        )
        return at_code(spec, name, "AP603", message, offline)
    requirement = next((found for found in map(source.find, failure.packages) if found is not None), None)
    place = (requirement.line, requirement.column) if requirement else (1, 1)
    asked = f"`{requirement.text}`" if requirement else "these requirements"
    code = "AP601" if failure.reason in ("unsatisfiable", "needs_build") else "AP604"
    if failure.reason == "needs_build" and target.cloud == "gcp":
        message = (
            f"{asked} of function `{name}` could not be checked: it has no wheel, and reading an sdist's requirements "
            f"means running its build code, which aipipe never does ({detail}). Cloud Build builds it when you "
            "deploy; pin a version with a wheel to have it checked here"
        )
        return Diagnostic(code, message, shown_path(source.file), *place, severity=Severity.WARNING)
    message = f"{asked} cannot be installed for function `{name}`, {where_deployed(target)}: {detail}. "
    message += _fix(failure.detail, target) if code == "AP601" else "Fix: see the installer's message."
    return Diagnostic(code, message, shown_path(source.file), *place)


def _fix(detail: str, target: Target) -> str:
    lowered = detail.lower()
    if "not found in the package registry" in lowered or "not found in the provided package locations" in lowered:
        return "Fix: check the name (is it published on your package index?)."
    if "no version of" in lowered or ("only" in lowered and "available" in lowered):
        return "Fix: ask for a version that exists."
    if target.cloud == "gcp":
        return "Fix: pin versions that exist and work together."
    return (
        "Fix: pin a version that publishes a wheel for this target, change the function's `architecture` or "
        f"`runtime`, or build the wheel in a container (`pip wheel` in {BASE_IMAGE}:{target.python}) into a "
        "folder beside the code folder (inside it, the wheel would ship too) named in requirements.txt: "
        "`--find-links ../wheels`."
    )


def size_diagnostic(spec, name: str, what: str, size: int, limit: int) -> Diagnostic:
    """AP602: a package over its cloud's size limit, at the function's `code`."""
    over = SIZE_WHAT[what].format(limit=limit_text(limit))
    return at_code(spec, name, "AP602", f"function `{name}` is {megabytes(size)}, over {over}. {SIZE_FIX[what]}")


def at_code(spec, name: str, code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    """A diagnostic at the function's `code` in the spec (with its data path, as validate's have)."""
    line, column = spec.locate("resources", name, "code")
    return Diagnostic(code, message, spec.file, line, column, f"resources.{name}.code", severity)


def link_diagnostic(spec, name: str, link, target) -> Diagnostic:
    """AP605: a file of the code folder is a link to a file outside it (or into a state folder)."""
    message = (
        f"`{link}` in the code of function `{name}` links to `{target}`, outside its code folder: aipipe packs "
        "and uploads only the folder's own files. Copy the file into the folder, or remove the link"
    )
    return at_code(spec, name, "AP605", message, Severity.ERROR)
