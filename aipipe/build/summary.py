"""What `aipipe build` shows of an artifact: each of its sizes against the limit that holds it, and its JSON
form. The CLI prints these; they live here so the command only maps switches to `build_functions`."""

from __future__ import annotations

from aipipe.build.artifacts import IMAGE, S3_OBJECT, SOURCE, ZIP, Artifact
from aipipe.build.problems import shown_path
from aipipe.build.sizes import against, limit_text
from aipipe.clouds.registry import CLOUDS


def size_limits(artifact: Artifact) -> tuple[int | None, int | None]:
    """The limits (zipped, unzipped) that hold an artifact's sizes: a zip's zipped limit is Lambda's direct
    upload (past it the zip goes through an S3 object, which only the unzipped limit holds); an image is held
    to 10 GB unpacked; a gcp source archive to 100 MB compressed."""
    if artifact.package in (ZIP, S3_OBJECT):
        aws = CLOUDS["aws"].functions.package
        return (aws.direct_zip if artifact.package == ZIP else None), aws.unzipped
    if artifact.package == IMAGE:
        return None, CLOUDS["aws"].functions.package.image
    if artifact.package == SOURCE:
        return CLOUDS["gcp"].functions.package.source_zip, None
    return None, None


def size_figures(artifact: Artifact) -> tuple[str, str]:
    """`16.0 MB 32%` (of its limit) for the zipped and the unzipped size; `-` for an unbuilt artifact's."""
    if not artifact.built:
        return "-", "-"
    zipped_limit, unzipped_limit = size_limits(artifact)
    return against(artifact.zipped_bytes, zipped_limit), against(artifact.unzipped_bytes, unzipped_limit)


def limits_legend(artifacts) -> str:
    """What the percentages of the table are of, for the kinds of package shown."""
    kinds = {artifact.package for artifact in artifacts if artifact.built}
    aws, gcp = CLOUDS["aws"].functions.package, CLOUDS["gcp"].functions.package
    parts = []
    if kinds & {ZIP, S3_OBJECT}:
        parts.append(
            f"zip {limit_text(aws.direct_zip)} zipped (uploaded directly; past it through an S3 object), "
            f"{limit_text(aws.unzipped)} unzipped"
        )
    if IMAGE in kinds:
        parts.append(f"image {limit_text(aws.image)} unpacked")
    if SOURCE in kinds:
        parts.append(f"source {limit_text(gcp.source_zip)} zipped")
    return "% of the limit: " + "; ".join(parts) if parts else ""


def artifact_json(artifact: Artifact) -> dict:
    """One function of `aipipe build --json`."""
    zipped_limit, unzipped_limit = size_limits(artifact)
    return {
        "function": artifact.function,
        "runtime": artifact.runtime,
        "architecture": artifact.architecture,
        "package": artifact.package,
        "built": artifact.built,
        "path": shown_path(artifact.path),
        "sha256": artifact.digest if artifact.built else None,
        "zipped_bytes": artifact.zipped_bytes,
        "zipped_limit_bytes": zipped_limit,
        "unzipped_bytes": artifact.unzipped_bytes if artifact.built else None,
        "unzipped_limit_bytes": unzipped_limit,
        "packages": list(artifact.packages),
        "cache": artifact.cache,
        "bytecode": artifact.bytecode,
        "notes": list(artifact.notes),
    }
