"""Function options real pipelines need beside the code: Lambda layers, reserved concurrency, minimum instances
(gcp) and a VPC attachment (aws subnets and security groups; gcp a Serverless VPC Access connector). The models,
their rules, and the values the templates render. Layers are attached by ARN only: building a layer from a
local folder is not something aipipe does."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from aipipe.core.diagnostics import Severity
from aipipe.semantics.iam import statement
from aipipe.semantics.symbols import Concat, Deployment
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel, region_of

# docs.aws.amazon.com/lambda/latest/dg/adding-layers.html: "You can add up to five layers to a Lambda function"
# (pulumi-aws lambda_.Function.layers: "List of Lambda Layer Version ARNs (maximum of 5)")
MAX_LAYERS = 5
# LayerVersionArn (docs.aws.amazon.com/lambda/latest/api/API_LayersListItem.html, the LayerArn pattern with its
# `:<version>`): arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>
LAYER_ARN = re.compile(r"^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):layer:([A-Za-z0-9_-]{1,140}):([0-9]+)$")
# docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html: at most 16 subnets and 5 security groups; ids as
# Inspector's LambdaVpcConfig gives them, `subnet-` / `sg-` and 8 or 17 characters
# (docs.aws.amazon.com/inspector/v2/APIReference/API_LambdaVpcConfig.html)
MAX_SUBNETS, MAX_SECURITY_GROUPS = 16, 5
SUBNET_ID = re.compile(r"^subnet-([a-z0-9]{8}|[a-z0-9]{17})$")
SECURITY_GROUP_ID = re.compile(r"^sg-([a-z0-9]{8}|[a-z0-9]{17})$")
# A Serverless VPC Access connector: `projects/*/locations/*/connectors/*` (pulumi-gcp cloudfunctions.Function.
# vpc_connector), its name at most 25 characters (pulumi-gcp vpcaccess.Connector.name), lower-case letters,
# digits and `-` as Google Cloud resource names are
CONNECTOR_NAME = r"[a-z][a-z0-9-]{0,23}[a-z0-9]"
CONNECTOR_PARENT = r"projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/connectors/"
CONNECTOR = re.compile(rf"^({CONNECTOR_PARENT})?{CONNECTOR_NAME}$")
# pulumi-gcp cloudfunctionsv2 FunctionServiceConfig.vpc_connector_egress_settings: `PRIVATE_RANGES_ONLY` (the
# default: only RFC 1918 addresses go through the connector) or `ALL_TRAFFIC`
EGRESS = {"private_ranges": "PRIVATE_RANGES_ONLY", "all": "ALL_TRAFFIC"}
# The Lambda VPC permissions: the AWS managed policy AWSLambdaVPCAccessExecutionRole v3 (docs.aws.amazon.com/
# aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html) without its logs actions (the
# function's own policy grants logging on its own log group)
VPC_ACTIONS = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:UnassignPrivateIpAddresses",
]


class Vpc(StrictModel):
    """Where the function's network traffic goes: subnets and security groups of a VPC (aws), or a Serverless VPC
    Access connector (gcp)."""

    subnets: list[str] | None = Field(
        None, description="(aws) Subnet ids (`subnet-...`, 1-16) the function's network interfaces are in."
    )
    security_groups: list[str] | None = Field(
        None, description="(aws) Security group ids (`sg-...`, 1-5) of the function's network interfaces."
    )
    connector: str | None = Field(
        None,
        description="(gcp) The Serverless VPC Access connector: its name (in the spec's project and region) or "
        "`projects/<project>/locations/<region>/connectors/<name>`.",
    )
    egress: Literal["private_ranges", "all"] | None = Field(
        None,
        description="(gcp) What goes through the connector: `private_ranges` (default: private addresses only) or "
        "`all` traffic.",
    )


LayerArn = Annotated[str, Field(min_length=1, max_length=200)]
_CLOUD_FIELDS = {"aws": ("subnets", "security_groups"), "gcp": ("connector", "egress")}


def check_options(ctx: CheckContext, name: str, function) -> None:
    """Layers (form, region, count), reserved concurrency, minimum instances and the VPC attachment."""
    if ctx.cloud == "aws":
        _check_layers(ctx, name, function)
    if ctx.cloud == "aws" and function.reserved_concurrency == 0:
        # pulumi-aws lambda_.Function.reserved_concurrent_executions: "A value of `0` disables lambda from
        # being triggered": allowed, as the switch that stops a function without removing it
        ctx.report(
            "AP402",
            "`reserved_concurrency: 0` stops every invocation of the function (Lambda throttles all of them; "
            "events from buckets, topics and schedules are retried, then dropped or dead-lettered); use it only to "
            "switch the function off, otherwise remove it or set at least 1",
            ctx.at(name, "reserved_concurrency"),
            severity=Severity.WARNING,
        )
    low, high = function.min_instances, function.max_instances
    if low is not None and high is not None and low > high:
        ctx.report(
            "AP403",
            f"`min_instances` {low} is above `max_instances` {high}; lower it or raise `max_instances`",
            ctx.at(name, "min_instances"),
        )
    if function.vpc is not None and ctx.cloud in _CLOUD_FIELDS:
        _check_vpc(ctx, name, function.vpc)


def _check_layers(ctx: CheckContext, name: str, function) -> None:
    region = region_of(function, ctx.data.get("region"))
    if len(function.layers) > MAX_LAYERS:
        ctx.report(
            "AP402",
            f"a Lambda function takes at most {MAX_LAYERS} layers, got {len(function.layers)}; merge some",
            ctx.at(name, "layers"),
        )
    if function.layers and function.package in ("image", "auto"):
        # "Lambda container images does not support layers" (repost.aws/questions/QUBm0OxzDDRmKFkZId9yXxZQ,
        # accepted answer): an image carries its dependencies itself
        image = function.package == "image"
        ctx.report(
            "AP403",
            "a Lambda function shipped as a container image takes no layers"
            + ("" if image else ", and `package: auto` ships one when the zip is too large")
            + "; use `package: zip`, or put what the layers hold into the image's dependencies",
            ctx.at(name, "layers"),
            severity=Severity.ERROR if image else Severity.WARNING,
        )
    for position, arn in enumerate(function.layers):
        path = ctx.at(name, "layers", position)
        match = LAYER_ARN.fullmatch(arn)
        if match is None:
            ctx.report(
                "AP202",
                f"`{arn}` is not a layer version ARN: write "
                "`arn:aws:lambda:<region>:<account>:layer:<name>:<version>` (the version is required)",
                path,
            )
        elif isinstance(region, str) and match.group(2) != region:
            # "Lambda functions can only include Lambda layers that are located in the same region as the
            # function" (docs.datadoghq.com/serverless/guide/layer_not_authorized, "Regionality")
            ctx.report(
                "AP402",
                f"layer `{arn}` is in {match.group(2)} and the function in {region}: Lambda takes layers of the "
                f"function's region only; use the layer's {region} ARN (publishers list one per region)",
                path,
            )
        if arn in function.layers[:position]:
            ctx.report("AP403", f"layer `{arn}` is listed twice; remove one", path)


def _check_vpc(ctx: CheckContext, name: str, vpc: Vpc) -> None:
    other = "gcp" if ctx.cloud == "aws" else "aws"
    for field_name in _CLOUD_FIELDS[other]:
        if field_name in vpc.model_fields_set:
            ctx.report(
                "AP205",
                f"`vpc.{field_name}` is only available on {other}; remove it for {ctx.cloud}",
                ctx.at(name, "vpc", field_name),
                True,
            )
    if ctx.cloud == "aws":
        _check_ids(ctx, name, "subnets", vpc.subnets, SUBNET_ID, "subnet-0123456789abcdef0", MAX_SUBNETS)
        _check_ids(
            ctx,
            name,
            "security_groups",
            vpc.security_groups,
            SECURITY_GROUP_ID,
            "sg-0123456789abcdef0",
            MAX_SECURITY_GROUPS,
        )
    elif vpc.connector is None:
        ctx.report("AP403", "`vpc` on gcp needs `connector` (a Serverless VPC Access connector)", ctx.at(name, "vpc"))
    elif not CONNECTOR.fullmatch(vpc.connector):
        ctx.report(
            "AP202",
            f"`{vpc.connector}` is not a connector: write its name (lower-case letters, digits and `-`, at most "
            "25 characters) or `projects/<project>/locations/<region>/connectors/<name>`",
            ctx.at(name, "vpc", "connector"),
        )


def _check_ids(ctx: CheckContext, name: str, field_name: str, ids, form: re.Pattern, example: str, most: int) -> None:
    if not ids:
        ctx.report(
            "AP403",
            f"`vpc` on aws needs at least one entry in `{field_name}` (Lambda attaches the function through both "
            "subnets and security groups)",
            ctx.at(name, "vpc", field_name) if ids is not None else ctx.at(name, "vpc"),
        )
        return
    if len(ids) > most:
        path = ctx.at(name, "vpc", field_name)
        ctx.report("AP402", f"Lambda takes at most {most} `{field_name}`, got {len(ids)}", path)
    for position, value in enumerate(ids):
        if not form.fullmatch(value):
            path = ctx.at(name, "vpc", field_name, position)
            ctx.report("AP202", f"`{value}` is not an id of this kind, such as `{example}`", path)


def aws_option_values(function) -> dict:
    """The Lambda arguments of the options: layers, reserved concurrency, vpc_config (None when unset)."""
    vpc = function.vpc
    return {
        "layers": list(function.layers) or None,
        "reserved_concurrency": function.reserved_concurrency,
        "vpc_config": (
            {"subnet_ids": list(vpc.subnets or ()), "security_group_ids": list(vpc.security_groups or ())}
            if vpc
            else None
        ),
    }


def vpc_statements(function) -> list[dict]:
    """What a function in a VPC needs to manage its network interfaces. The resource is `*`: the Describe actions
    "only work if allowed on all resources" and Lambda names interfaces it has not created yet
    (docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html, execution role permissions; the managed policy
    grants exactly these on `*`)."""
    return [statement(VPC_ACTIONS, ["*"])] if function.vpc else []


def gcp_option_values(function, region: str) -> dict:
    """The service_config entries of the options: minimum instances, the connector and its egress."""
    vpc = function.vpc
    connector = None
    if vpc and vpc.connector:
        connector = vpc.connector
        if "/" not in connector:  # a name: the connector of the spec's project and the function's region
            connector = Concat("projects/", Deployment("gcp_project_id"), f"/locations/{region}/connectors/{connector}")
    return {
        "min_instances": function.min_instances,
        "vpc_connector": connector,
        "vpc_egress": EGRESS[vpc.egress] if vpc and vpc.egress else None,
    }
