"""How a Lambda function's code reaches AWS, from its build artifact (aipipe.build): a zip uploaded with the
function, a zip in an S3 object past the direct-upload limit, or a container image pushed to an ECR repository.

The zip is handed to Pulumi as a FileArchive of the .zip itself, which the engine sends unchanged ("If the
source format is the same, just return that": pulumi/pulumi sdk/go/common/resource/archive.go,
Archive.Archive), so the deterministic bytes aipipe wrote are the bytes Lambda gets. An S3 object's key and
an image's tag carry the artifact's digest, so a change of code is a new object or tag, never an overwrite of
what the running version uses.

Images: pulumi-docker-build builds the context with BuildKit and pushes it with the repository's ECR token
(its "Push to AWS ECR" example: `registries` from aws.ecr.get_authorization_token_output); the function takes
the pushed `ref` (tag and digest). Lambda pulls with its service principal: the repository policy allows it
`ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` for this account's functions (docs.aws.amazon.com/
lambda/latest/dg/images-create.html, "Amazon ECR permissions": the statement Lambda would otherwise add
itself, which needs ecr:SetRepositoryPolicy on the deployer)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING

from aipipe.build.forms import DOCKER_PLATFORM, IMAGE, S3_OBJECT
from aipipe.semantics.iam import policy_document
from aipipe.semantics.symbols import CodeFolder, Concat, Deployment
from aipipe.spec.model import region_of

if TYPE_CHECKING:
    from aipipe.build.artifacts import Artifact

IMAGE_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
# every code change pushes a new image and pulumi-docker-build never deletes the old ones: ECR keeps the newest
# (docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html, "imageCountMoreThan"); the
# function's own image is always the newest
KEPT_IMAGES = 10
LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": f"keep the newest {KEPT_IMAGES} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": KEPT_IMAGES},
            "action": {"type": "expire"},
        }
    ]
}


def package_values(spec, name: str, artifact: Artifact) -> dict:
    """The Lambda template's `package` values: how the artifact ships, and where it is beside the spec."""
    relative = artifact.path.relative_to(spec.base_dir).as_posix()
    values = {"kind": artifact.package, "path": CodeFolder(relative), "architecture": artifact.architecture}
    if artifact.package == S3_OBJECT:
        values["key"] = f"{name}/{artifact.digest[:32]}.zip"
    if artifact.package == IMAGE:
        region = region_of(spec.resources[name], spec.header.region)  # the function's, where its images are
        values["repository"] = repository_name(spec.header.name, spec.stack, name)
        values["lifecycle_policy"] = json.dumps(LIFECYCLE_POLICY)
        values["tag"] = artifact.digest[:32]
        values["platform"] = DOCKER_PLATFORM[artifact.architecture]
        values["repository_policy"] = policy_document(
            [
                {
                    "Sid": "LambdaECRImageRetrievalPolicy",
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": IMAGE_PULL,
                    "Condition": {
                        "StringLike": {
                            "aws:sourceArn": Concat(
                                "arn:",
                                Deployment("aws_partition"),
                                f":lambda:{region}:",
                                Deployment("aws_account_id"),
                                ":function:*",
                            )
                        }
                    },
                }
            ]
        )
    return values


def repository_name(project: str, stack: str, function: str) -> str:
    """The ECR repository of a function's images, `<project>/<stack>/<function>`: unique per account and region
    for each stack, and of ECR's form (docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html:
    `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`), which spec names (`a--b`, `a-`) may
    not be: repeated and trailing dashes go, and a part that had to change takes a digest of what it was, so
    `a-b` and `a--b` stay two repositories."""
    return "/".join(_ecr_part(part) for part in (project, stack, function))


def _ecr_part(name: str) -> str:
    squeezed = re.sub(r"-+", "-", name).strip("-")
    return squeezed if squeezed == name else f"{squeezed}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
