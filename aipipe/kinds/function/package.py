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

from typing import TYPE_CHECKING

from aipipe.build.forms import DOCKER_PLATFORM, IMAGE, S3_OBJECT
from aipipe.semantics.iam import policy_document
from aipipe.semantics.symbols import Child, CodeFolder, Concat, Deployment
from aipipe.spec.parts import ProgramPart

if TYPE_CHECKING:
    from aipipe.build.artifacts import Artifact

CODE_BUCKET = "function-code"  # the program part holding the S3 objects of large zips
IMAGE_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def package_values(spec, name: str, artifact: Artifact) -> dict:
    """The Lambda template's `package` values: how the artifact ships, and where it is beside the spec."""
    relative = artifact.path.relative_to(spec.base_dir).as_posix()
    values = {"kind": artifact.package, "path": CodeFolder(relative), "architecture": artifact.architecture}
    if artifact.package == S3_OBJECT:
        values["key"] = f"{name}/{artifact.digest[:32]}.zip"
    if artifact.package == IMAGE:
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
                                f":lambda:{spec.header.region}:",
                                Deployment("aws_account_id"),
                                ":function:*",
                            )
                        }
                    },
                }
            ]
        )
    return values


def package_parts(spec, artifacts: dict[str, Artifact]) -> list[ProgramPart]:
    """The bucket of the S3 objects, when a function's zip is over the direct-upload limit."""
    if spec.cloud != "aws" or not any(item.package == S3_OBJECT for item in artifacts.values()):
        return []
    return [ProgramPart("function/aws-code-bucket.py.j2", {"logical": CODE_BUCKET}, before=True)]


def code_bucket() -> Child:
    """The S3 bucket of large function zips (a program part's variable)."""
    return Child(CODE_BUCKET, "bucket")
