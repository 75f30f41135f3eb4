"""The `function` model: a Lambda function (aws) or a Cloud Function 2nd gen (gcp) from a local code folder."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aipipe.kinds.function.options import LayerArn, Vpc
from aipipe.spec.model import ResourceBase, StrictModel, cloud_only, empty_list
from aipipe.spec.permissions import Permission, permissions_field
from aipipe.spec.values import AccessTarget, Duration, EnvironmentName, MemorySize, Text, duration_between
from aipipe.triggers.registry import Trigger


class OnFailure(StrictModel):
    """What becomes of an event the function failed on (aws). Bucket, topic and schedule triggers invoke a
    Lambda function asynchronously: Lambda retries a failed event `retries` times, drops events older than
    `max_event_age`, then sends it to the on-failure destination (docs.aws.amazon.com/lambda/latest/dg/
    invocation-async-retain-records.html); without one the event is lost. Stream triggers send the record
    range of a batch they gave up on there too."""

    retries: Annotated[int, Field(ge=0, le=2)] = Field(
        2, description="Retries of a failed asynchronous invocation: 0-2 (Lambda's default 2)."
    )
    max_event_age: Annotated[Duration, duration_between(60, 21600)] = Field(
        21600, description="How long Lambda keeps retrying an asynchronous event: 1m-6h (default 6h)."
    )
    dead_letter: bool = Field(
        True,
        description="Keep events the function failed on in a generated SQS queue `<function>-failed` (14 days, "
        "encrypted); also the dead letter of its topic subscriptions. false: such events are dropped.",
    )


class Function(ResourceBase):
    """A Lambda function (aws) or Cloud Function 2nd gen (gcp) built from a local code directory."""

    type: Literal["function"]
    runtime: str = Field(description="`python3.12` style on both clouds; mapped per cloud.")
    handler: str = Field(description="aws: `module.function`; gcp: the entry-point function name.")
    code: str = Field(
        description="Directory with the function's code, relative to the spec file: any folder of the git "
        "repository that holds the spec (`../../services/ingest` in a monorepo; the spec's folder when it is not in "
        "git), never under `.aipipe/` or `.git/`, and not the spec's folder or one above it (they hold `.aipipe/`). "
        "Python dependencies are declared beside the code in `requirements.txt` or `pyproject.toml` (+ `uv.lock`)."
    )
    memory: MemorySize = Field(256, description="Memory in MB (aws 128-10240, gcp 128-32768).")
    timeout: Duration = Field(60, description="Maximum run time (aws up to 15m, gcp up to 60m / 9m for events).")
    environment: dict[EnvironmentName, Text] = Field(
        default_factory=dict, description="Environment variables; values may hold references and secrets."
    )
    reads: list[AccessTarget] = Field(
        default_factory=empty_list, description="Resources the function may read (least-privilege access is generated)."
    )
    writes: list[AccessTarget] = Field(
        default_factory=empty_list,
        description="Resources the function may write (least-privilege access is generated).",
    )
    deletes: list[AccessTarget] = Field(
        default_factory=empty_list,
        description="Buckets (optionally `bucket/prefix/`) whose objects the function may delete. On a versioned "
        "S3 bucket a delete leaves a delete marker: earlier versions stay (the function may not delete them).",
    )
    triggers: list[Trigger] = Field(default_factory=empty_list, max_length=50)
    permissions: list[Permission] = permissions_field()
    # Without a limit a 2nd gen function's Cloud Run service scales to 100 instances ("By default, Cloud Run
    # services have a maximum of 100 instances", cloud.google.com/run/docs/configuring/max-instances-limits),
    # each with its own connections to what it reads and writes. More than 1000 needs a raised regional quota
    # (same page: a baseline quota allows a maximum of 1000 instances), which validate warns about (AP402).
    # aws is left alone: Lambda's reserved_concurrent_executions also takes concurrency from the account's
    # shared pool, a different thing.
    max_instances: Annotated[int, Field(ge=1)] | None = cloud_only(
        "gcp", description="Most instances the function runs at once (at least 1; default: the cloud's, 100)."
    )
    # Cloud Run keeps this many instances warm, billed while idle (cloud.google.com/functions/docs/configuring/
    # min-instances); pulumi-gcp FunctionServiceConfig.min_instance_count
    min_instances: Annotated[int, Field(ge=0)] | None = cloud_only(
        "gcp", description="Instances kept running even without events (default 0; idle ones are billed)."
    )
    layers: list[LayerArn] = cloud_only(
        "aws",
        [],
        "Lambda layer version ARNs (`arn:aws:lambda:<region>:<account>:layer:<name>:<version>`, at most 5, in the "
        "function's region) added to the function; aipipe does not build layers.",
    )
    reserved_concurrency: Annotated[int, Field(ge=0)] | None = cloud_only(
        "aws",
        description="Concurrent executions reserved for the function, and its most (taken from the account's "
        "regional pool; 0 stops every invocation). Default: unreserved.",
    )
    vpc: Vpc | None = Field(
        None,
        description="Run the function attached to a network: aws `{subnets: [...], security_groups: [...]}`; gcp "
        "`{connector: <name or id>, egress: private_ranges | all}`.",
    )
    architecture: Literal["x86_64", "arm64"] | None = cloud_only(
        "aws",
        description="The CPU Lambda runs the function on, and the wheels its dependencies install for "
        "(default x86_64; arm64 is Graviton).",
    )
    package: Literal["zip", "image", "auto"] | None = cloud_only(
        "aws",
        description="How the code ships: `zip` (default; over 50 MB zipped through an S3 object, at most "
        "250 MB unzipped), `image` (a container image from the AWS Lambda Python base image, pushed to an ECR "
        "repository the program creates, up to 10 GB; needs Docker where you deploy), or `auto` (zip when it "
        "fits, image otherwise).",
    )
    on_failure: OnFailure | None = cloud_only(
        "aws", description="Retries and the dead-letter queue for events the function failed on."
    )
