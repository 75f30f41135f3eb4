"""`function`: a Lambda function (aws) or a Cloud Function 2nd gen (gcp) built from a local code folder, with
least-privilege access to what it reads and writes, and triggers of any trigger kind (aipipe.triggers)."""

from aipipe.kinds.base import CloudForm, GraphShape, Kind
from aipipe.kinds.function import aws, gcp
from aipipe.kinds.function.checks import check
from aipipe.kinds.function.links import links
from aipipe.kinds.function.model import Function

KIND = Kind(
    name="function",
    model=Function,
    clouds={
        "aws": CloudForm(
            "Lambda function", {"name": ("function", "name"), "arn": ("function", "arn")}, values=aws.values
        ),
        "gcp": CloudForm(
            "Cloud Function (2nd gen)", {"name": ("function", "name"), "url": ("function", "url")}, values=gcp.values
        ),
    },
    graph=GraphShape(('["', '"]'), "box"),
    links=links,
    check=check,
    parts=gcp.parts,
)
