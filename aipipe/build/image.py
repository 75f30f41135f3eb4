"""The build context of a function shipped as a container image (aws `package: image`): a Dockerfile on the
AWS Lambda Python base image and one deterministic tar of the function (its installed dependencies and code),
which the Dockerfile unpacks into the task root. The program builds and pushes it with pulumi-docker-build
(a Docker daemon is needed only where `up` runs).

The base image and its layout are AWS's (docs.aws.amazon.com/lambda/latest/dg/python-image.html): `FROM
public.ecr.aws/lambda/python:3.12`, files copied to `${LAMBDA_TASK_ROOT}`, the handler as `CMD`. Docker's
ADD unpacks a local tar archive into the destination (docs.docker.com/reference/dockerfile/#add), so the
context holds two files and the image's content is exactly the tar's."""

from __future__ import annotations

import tarfile
from pathlib import Path

from aipipe.build.archive import Entry, file_sha256, replacing

BASE_IMAGE = "public.ecr.aws/lambda/python"
DOCKERFILE = "Dockerfile"
CONTENT = "function.tar"


def dockerfile(python: str, handler: str) -> str:
    """The Dockerfile text of a function image."""
    command = '["' + handler.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return (
        "# written by aipipe: the function's dependencies and code on the AWS Lambda Python base image\n"
        f"FROM {BASE_IMAGE}:{python}\n"
        f"ADD {CONTENT} ${{LAMBDA_TASK_ROOT}}/\n"
        f"CMD {command}\n"
    )


def write_context(entries: list[Entry], folder: Path, python: str, handler: str) -> str:
    """Write the build context into `folder` (replacing what was there); returns its digest (sha256 of the
    Dockerfile and the tar), which tags the image."""
    folder.mkdir(parents=True, exist_ok=True)
    text = dockerfile(python, handler)
    (folder / DOCKERFILE).write_text(text, encoding="utf-8")
    tar_path = folder / CONTENT
    with replacing(tar_path) as partial, tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
        for entry in sorted(entries, key=lambda item: item.name):
            info = tarfile.TarInfo(entry.name)
            info.size = entry.source.stat().st_size
            info.mode = entry.mode
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with entry.source.open("rb") as source:
                archive.addfile(info, source)
    return file_sha256(tar_path, prefix=text.encode())
