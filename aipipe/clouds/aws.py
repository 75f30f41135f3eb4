"""AWS facts. Sources: AWS documentation pages named beside each fact, and the pulumi-aws 7 SDK docstrings
(\"changing this forces a new resource\") for replacements."""

from __future__ import annotations

import re

from aipipe.clouds.base import Cloud, FunctionLimits, MockShape, PackageLimits, ResourceFacts, TagRules
from aipipe.clouds.runtimes import retired_on

# docs.aws.amazon.com/general/latest/gr/rande.html: partition-region-number, incl. GovCloud and ISO regions
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}")


def _tag_key_problem(key: str) -> str | None:
    # docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html: keys 1-128 characters, `aws:` is reserved
    if key.lower().startswith("aws:") or not 1 <= len(key) <= 128:
        return f"AWS tag key `{key}` must be 1-128 characters and not start with `aws:`"
    return None


def _tag_value_problem(value: str) -> str | None:
    return "AWS tag values are at most 256 characters" if len(value) > 256 else None


_MODULE_FUNCTION = re.compile(r"[A-Za-z_][\w/.-]*\.[A-Za-z_$][\w$]*")
_JAVA_HANDLER = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?")


def _handler_form(runtime: str) -> tuple[re.Pattern, str]:
    if runtime.startswith("java"):
        return _JAVA_HANDLER, "`package.Class::method` (e.g. `example.Handler::handleRequest`)"
    return _MODULE_FUNCTION, "`module.function` (e.g. `app.handler`)"


_ARN = "arn:aws:{service}:{region}:{account}:{kind}/{name}"  # the usual ARN shape
_ID_IS_ARN = MockShape(arn=_ARN, identity="{arn}")  # resources whose id is their ARN

# Resources that hold data, and the inputs whose change replaces them (pulumi-aws 7 docstrings).
RESOURCES = {
    facts.token: facts
    for facts in (
        ResourceFacts(
            "aws:s3/bucket:Bucket",
            holds_data=True,
            force_new=frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
            mock=MockShape(arn="arn:aws:s3:::{name}", outputs={"bucket": "{name}"}),
        ),
        ResourceFacts(
            "aws:sns/topic:Topic",
            force_new=frozenset({"name", "namePrefix", "fifoTopic"}),
            mock=_ID_IS_ARN,
        ),
        ResourceFacts(
            "aws:sqs/queue:Queue",
            holds_data=True,
            force_new=frozenset({"name", "namePrefix", "fifoQueue"}),
            mock=MockShape(
                arn=_ARN,
                outputs={"url": "https://sqs.{region}.amazonaws.com/{account}/{name}"},
                identity="{url}",
            ),
        ),
        ResourceFacts(
            "aws:kinesis/stream:Stream",
            holds_data=True,
            force_new=frozenset({"name"}),
            mock=_ID_IS_ARN,
        ),
        # a resource specs create with `type: pulumi` (aipipe.kinds.pulumi_resource): DeleteTable deletes the table
        # and all of its items (docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html); a
        # stream's ARN is the table's and `/stream/<label>` (API_streams_DescribeStream.html, example)
        ResourceFacts(
            "aws:dynamodb/table:Table",
            holds_data=True,
            mock=MockShape(arn=_ARN, outputs={"streamArn": _ARN + "/stream/2024-01-01T00:00:00.000"}),
        ),
        ResourceFacts(
            "aws:ecr/repository:Repository",
            force_new=frozenset({"name"}),
            # the registry URL of a private repository: docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
            mock=MockShape(
                arn="arn:aws:ecr:{region}:{account}:repository/{name}",
                outputs={"repositoryUrl": "{account}.dkr.ecr.{region}.amazonaws.com/{name}", "registryId": "{account}"},
            ),
        ),
        ResourceFacts(
            "aws:lambda/function:Function",
            force_new=frozenset({"name"}),
            mock=MockShape(
                arn="arn:aws:lambda:{region}:{account}:function:{name}",
                outputs={
                    "invokeArn": "arn:aws:apigateway:{region}:lambda:path/functions/"
                    "arn:aws:lambda:{region}:{account}:function:{name}/invocations"
                },
            ),
        ),
        ResourceFacts(
            "aws:iam/role:Role",
            force_new=frozenset({"name", "namePrefix", "path"}),
            mock=MockShape(arn="arn:aws:iam::{account}:role/{name}"),
        ),
        ResourceFacts(
            "aws:sfn/stateMachine:StateMachine",
            force_new=frozenset({"name", "namePrefix", "type"}),
            # docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html: stateMachine
            mock=MockShape(arn="arn:aws:states:{region}:{account}:stateMachine:{name}", identity="{arn}"),
        ),
        ResourceFacts(
            "aws:cloudwatch/logGroup:LogGroup",
            force_new=frozenset({"name", "namePrefix"}),
            mock=MockShape(arn="arn:aws:logs:{region}:{account}:log-group:{name}"),
        ),
        ResourceFacts(
            # docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources:
            # a secret's ARN ends in its name, a hyphen and six random characters; its id is that ARN
            "aws:secretsmanager/secret:Secret",
            force_new=frozenset({"name", "namePrefix"}),
            mock=MockShape(arn="arn:aws:secretsmanager:{region}:{account}:secret:{name}-a1B2c3", identity="{arn}"),
        ),
        ResourceFacts(
            "aws:lambda/permission:Permission",
            force_new=frozenset({"action", "function", "principal", "sourceArn", "sourceAccount", "statementId"}),
        ),
        ResourceFacts(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            force_new=frozenset({"eventSourceArn", "startingPosition"}),
        ),
        ResourceFacts(
            "aws:sns/topicSubscription:TopicSubscription", force_new=frozenset({"topic", "protocol", "endpoint"})
        ),
        ResourceFacts(
            "aws:datasync/s3Location:S3Location", force_new=frozenset({"s3BucketArn", "subdirectory", "s3Config"})
        ),
        ResourceFacts("aws:datasync/task:Task", force_new=frozenset({"sourceLocationArn", "destinationLocationArn"})),
        # terraform-provider-aws internal/service/events/rule.go and target.go (ForceNew), pipes/pipe.go
        ResourceFacts(
            "aws:cloudwatch/eventRule:EventRule",
            force_new=frozenset({"name", "namePrefix", "eventBusName"}),
            mock=MockShape(arn="arn:aws:events:{region}:{account}:rule/{name}"),
        ),
        ResourceFacts("aws:cloudwatch/eventTarget:EventTarget", force_new=frozenset({"rule", "targetId"})),
        ResourceFacts(
            "aws:pipes/pipe:Pipe",
            force_new=frozenset({"name", "namePrefix", "source"}),
            mock=MockShape(arn="arn:aws:pipes:{region}:{account}:pipe/{name}"),
        ),
    )
}

# AWS services aipipe's programs call, by their provider endpoint names (aws:endpoints / ProviderEndpointArgs):
# what an emulator such as LocalStack must serve.
EMULATED_SERVICES = (
    "s3",
    "iam",
    "sts",
    "lambda",
    "sns",
    "sqs",
    "kinesis",
    "sfn",
    "cloudwatchlogs",
    "cloudwatchevents",
    "datasync",
    "pipes",
    "secretsmanager",
)


def _provider_config(header, endpoint: str | None) -> dict:
    """The region; with an emulator endpoint (LocalStack) every service pointed at it, credential checks off,
    path-style S3 (the aws provider's configuration keys, pulumi-aws docs: Installation & Configuration)."""
    config: dict = {"aws:region": header.region}
    if endpoint:
        config.update(
            {
                "aws:endpoints": [dict.fromkeys(EMULATED_SERVICES, endpoint)],
                "aws:skipCredentialsValidation": True,
                "aws:skipRequestingAccountId": True,
                "aws:skipMetadataApiCheck": True,
                "aws:s3UsePathStyle": True,
                "aws:accessKey": "test",
                "aws:secretKey": "test",
            }
        )
    return config


AWS = Cloud(
    name="aws",
    title="AWS",
    sdk_module="pulumi_aws",
    sdk_alias="aws",
    sdk_requirement="pulumi-aws>=7.0,<8",
    region_pattern=REGION,
    region_example="us-east-1",
    # docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html: at most 50 tags per resource
    tags=TagRules("AWS tag", 50, "aipipe:", _tag_key_problem, _tag_value_problem),
    # docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (2026-11)
    runtimes={
        "python3.12": "python3.12",
        "python3.13": "python3.13",
        "python3.14": "python3.14",
        "nodejs22": "nodejs22.x",
        "nodejs24": "nodejs24.x",
        "java17": "java17",
        "java21": "java21",
        "java25": "java25",
    },
    # Lambda runtimes page: python3.11 was deprecated on 2026-06-30 (Cloud Functions still runs it)
    retired_runtimes=retired_on({"python3.11": "python3.12"}),
    functions=FunctionLimits(
        # docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: 128-10240 MB, 900 s
        memory_mb=(128, 10240),
        # same page: "New AWS accounts have reduced concurrency and memory quotas"; the reduced memory quota is
        # 3008 MB, the bound in CreateFunction's error on such accounts ("MemorySize ... less than or equal to
        # 3008", quoted by the audit in issue 12; the page gives no number) until the quota is raised
        new_account_memory_mb=3008,
        # same page, "Deployment package (.zip file archive) size": 50 MB zipped when uploaded through the
        # Lambda API ("upload larger files with Amazon S3"), 250 MB unzipped including layers (Lambda's error:
        # "Unzipped size must be smaller than 262144000 bytes"); "Container image code package size": 10 GB,
        # the maximum uncompressed image size including all layers
        package=PackageLimits(direct_zip=50 * 2**20, unzipped=262_144_000, image=10 * 2**30),
        max_timeout_seconds=900,
        # docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
        reserved_environment=frozenset(
            {
                "_HANDLER",
                "_X_AMZN_TRACE_ID",
                "LAMBDA_TASK_ROOT",
                "LAMBDA_RUNTIME_DIR",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_EXECUTION_ENV",
                "AWS_ACCESS_KEY",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_LAMBDA_RUNTIME_API",
            }
        ),
        reserved_environment_prefixes=("AWS_LAMBDA_",),
        handler_form=_handler_form,
    ),
    resources=RESOURCES,
    default_mock=MockShape(arn=_ARN),
    # pulumi-docker-build: container-image functions (aipipe.kinds.function.package); imported only when used
    program_packages=("pulumi-docker-build",),
    # service principals that assume roles or invoke functions
    principals={
        "lambda": "lambda.amazonaws.com",
        "states": "states.amazonaws.com",
        "s3": "s3.amazonaws.com",
        "sns": "sns.amazonaws.com",
        "events": "events.amazonaws.com",
        "datasync": "datasync.amazonaws.com",
        "pipes": "pipes.amazonaws.com",
    },
    provider_config=_provider_config,
    # templates/bucket/aws.py.j2 gives each of these the bucket's retain_on_delete
    kept_with_bucket=frozenset(
        {
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        }
    ),
)
