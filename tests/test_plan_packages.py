"""The three ways a Lambda function's code ships (aipipe.kinds.function.package), planned under mocks and
type-checked: a zip uploaded with the function, a zip over Lambda's 50 MB direct-upload limit through an S3
object named by its digest, and a container image built from the AWS Lambda Python base image and pushed to
an ECR repository of the function's own by pulumi-docker-build."""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile

import pytest

from aipipe.build.artifacts import build_functions
from aipipe.codegen.project import write_project
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec

from test_programs import pyright_report

SPEC = """
aipipe: 1
name: packages
cloud: aws
region: eu-west-1
resources:
  small:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
  large:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./large
    architecture: arm64
  boxed:
    type: function
    runtime: python3.13
    handler: app.handler
    code: ./app
    package: image
    architecture: arm64
"""
DIRECT_UPLOAD_LIMIT = 50 * 2**20


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packages")
    for code in ("app", "large"):
        (folder / code).mkdir()
        (folder / code / "app.py").write_text("def handler(event, context):\n    return event\n")
    # incompressible: the zip stays over the direct-upload limit (random bytes do not deflate)
    (folder / "large" / "model.bin").write_bytes(os.urandom(DIRECT_UPLOAD_LIMIT + 2**20))
    (folder / "aipipe.yaml").write_text(SPEC)
    result = load_spec(str(folder / "aipipe.yaml"), "dev")
    assert result.valid, result.diagnostics
    report = build_functions(result.spec)
    assert report.ok, report.diagnostics
    return folder, result.spec, report.artifacts


@pytest.fixture(scope="module")
def plan(project):
    _, spec, artifacts = project
    return plan_spec(spec, artifacts)


def _one(plan, token, name):
    [found] = [r for r in plan.resources if r.type == token and r.name == name]
    return found


def test_each_function_ships_the_way_its_artifact_says(project):
    _, _, artifacts = project
    assert {name: item.package for name, item in artifacts.items()} == {"small": "zip", "large": "s3", "boxed": "image"}
    assert artifacts["large"].zipped_bytes > DIRECT_UPLOAD_LIMIT
    assert "S3 object" in artifacts["large"].notes[0]


def test_a_small_zip_is_uploaded_with_the_function_as_built(project, plan):
    _, _, artifacts = project
    function = _one(plan, "aws:lambda/function:Function", "small")
    assert function.inputs["code"] == "FileArchive(../../build/dev/small.zip)"
    assert (function.inputs["runtime"], function.inputs["handler"]) == ("python3.12", "app.handler")
    assert function.inputs["architectures"] == ["x86_64"]
    with zipfile.ZipFile(artifacts["small"].path) as archive:
        assert archive.namelist() == ["app.py"]


def test_a_large_zip_goes_through_an_s3_object_named_by_its_digest(project, plan):
    _, _, artifacts = project
    code = _one(plan, "aws:s3/bucketObjectv2:BucketObjectv2", "large-code")
    assert code.inputs["key"] == f"large/{artifacts['large'].digest[:32]}.zip"
    assert code.inputs["source"] == "FileAsset(../../build/dev/large.zip)"
    bucket = _one(plan, "aws:s3/bucket:Bucket", "large-code-bucket")  # the function's own: in its region
    assert bucket.inputs["forceDestroy"] is True  # build outputs only
    block = _one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "large-code-bucket-private")
    assert all(block.inputs[key] for key in ("blockPublicAcls", "blockPublicPolicy", "restrictPublicBuckets"))
    function = _one(plan, "aws:lambda/function:Function", "large")
    assert (function.inputs["s3Bucket"], function.inputs["s3Key"]) == ("large-code-bucket", code.inputs["key"])
    assert "code" not in function.inputs and function.inputs["architectures"] == ["arm64"]


def test_only_large_zips_get_a_code_bucket(plan):
    buckets = [r.name for r in plan.resources if r.type == "aws:s3/bucket:Bucket"]
    assert buckets == ["large-code-bucket"]


def test_an_image_is_built_for_the_architecture_pushed_and_pinned_by_digest(project, plan):
    folder, _, artifacts = project
    repository = _one(plan, "aws:ecr/repository:Repository", "boxed-images")
    assert repository.inputs["name"] == "packages/dev/boxed"  # <project>/<stack>/<function>: one per stack
    image = _one(plan, "docker-build:index:Image", "boxed-image")
    assert image.inputs["context"] == {"location": "../../build/dev/boxed-image"}
    assert image.inputs["platforms"] == ["linux/arm64"] and image.inputs["push"] is True
    url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/packages/dev/boxed"  # the mocks' repositoryUrl
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    tag = f"{url}:{artifacts['boxed'].digest[:32]}"
    assert image.inputs["tags"] == [tag]
    [registry] = image.inputs["registries"]
    assert registry["address"] == url and registry["username"] == "AWS"
    function = _one(plan, "aws:lambda/function:Function", "boxed")
    assert function.inputs["packageType"] == "Image" and function.inputs["imageUri"].startswith(tag + "@sha256:")
    assert "runtime" not in function.inputs and "handler" not in function.inputs  # the image's CMD says
    assert function.inputs["architectures"] == ["arm64"]
    pull = _one(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy", "boxed-images-pull")
    assert pull.urn in function.options["depends_on"]  # Lambda checks it may pull when the function is made
    context = folder / ".aipipe" / "build" / "dev" / "boxed-image"
    dockerfile = (context / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.13\n" in dockerfile and 'CMD ["app.handler"]' in dockerfile
    with tarfile.open(context / "function.tar") as archive:
        assert archive.getnames() == ["app.py"]


def test_lambda_may_pull_from_the_repository_for_this_accounts_functions_only(plan):
    policy = json.loads(_one(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy", "boxed-images-pull").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Action"] == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert statement["Condition"] == {
        "StringLike": {"aws:sourceArn": "arn:aws:lambda:eu-west-1:123456789012:function:*"}
    }


def test_the_three_packagings_type_check_against_the_sdks(project, tmp_path):
    _, spec, artifacts = project
    write_project(spec, tmp_path / "program", artifacts=artifacts)
    source = (tmp_path / "program" / "__main__.py").read_text()
    assert "import pulumi_docker_build as docker_build\n" in source
    analyzed, errors = pyright_report(tmp_path)
    assert analyzed == 1 and errors == [], "\n".join(errors)


def test_a_program_without_images_does_not_import_docker_build(project, write_spec, tmp_path):
    spec = load_spec(str(write_spec(SPEC.split("  large:")[0])), "dev").spec
    write_project(spec, tmp_path / "program")
    assert "docker_build" not in (tmp_path / "program" / "__main__.py").read_text()


def test_the_image_tar_is_deterministic(project):
    folder, spec, artifacts = project
    first = (folder / ".aipipe" / "build" / "dev" / "boxed-image" / "function.tar").read_bytes()
    os.utime(folder / "app" / "app.py", (1, 1))  # a touched file changes nothing
    again = build_functions(spec, only="boxed").artifacts["boxed"]
    assert again.digest == artifacts["boxed"].digest
    with tarfile.open(fileobj=io.BytesIO(first)) as archive:
        [member] = archive.getmembers()
        assert (member.mtime, member.uid, member.gid, member.mode) == (0, 0, 0, 0o644)


def test_old_images_expire_the_newest_ten_stay(plan):
    kept = json.loads(_one(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "boxed-images-kept").inputs["policy"])
    [rule] = kept["rules"]
    assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}
    assert rule["action"] == {"type": "expire"}


def test_repository_names_take_ecrs_form_whatever_the_spec_names(tmp_path):
    from aipipe.kinds.function.package import repository_name

    assert repository_name("my-project", "dev", "a--b-").startswith("my-project/dev/a-b-")
    assert repository_name("p", "prod-eu", "fn") == "p/prod-eu/fn"


REGIONAL = (
    SPEC.replace("region: eu-west-1\n", "region: eu-west-1\n", 1)
    .replace("    package: image\n", "    package: image\n    region: us-east-1\n")
    .replace("    code: ./large\n", "    code: ./large\n    region: us-east-1\n")
)


def test_a_function_in_another_region_keeps_its_code_and_images_there(project, tmp_path):
    folder, _, _ = project
    (folder / "regional.yaml").write_text(REGIONAL)
    result = load_spec(str(folder / "regional.yaml"), "dev")
    assert result.valid, result.diagnostics
    planned = plan_spec(result.spec)
    provider = "aws-us-east-1"
    for token, name in [
        ("aws:s3/bucket:Bucket", "large-code-bucket"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "large-code"),
        ("aws:lambda/function:Function", "large"),
        ("aws:ecr/repository:Repository", "boxed-images"),
        ("docker-build:index:Image", "boxed-image"),
    ]:
        found = _one(planned, token, name)
        assert provider in found.provider or token.startswith("docker-build"), (name, found.provider)
    policy = json.loads(
        _one(planned, "aws:ecr/repositoryPolicy:RepositoryPolicy", "boxed-images-pull").inputs["policy"]
    )
    arn = policy["Statement"][0]["Condition"]["StringLike"]["aws:sourceArn"]
    assert arn == "arn:aws:lambda:us-east-1:123456789012:function:*"
    # ECR tokens are per registry, and a registry per region: the token is asked of the function's region
    write_project(result.spec, tmp_path / "program")
    source = (tmp_path / "program" / "__main__.py").read_text()
    assert "opts=pulumi.InvokeOptions(provider=aws_us_east_1)" in source
    analyzed, errors = pyright_report(tmp_path)
    assert analyzed == 1 and errors == [], "\n".join(errors)


def test_names_that_squeeze_alike_stay_two_repositories():
    from aipipe.kinds.function.package import repository_name

    names = {repository_name("p", "dev", name) for name in ("a-b", "a--b", "a-b-")}
    assert len(names) == 3 and "p/dev/a-b" in names
    assert all(
        part[0].isalnum() and part[-1].isalnum() and "--" not in part for name in names for part in name.split("/")
    )
