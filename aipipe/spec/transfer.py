"""Data-moving resource types: `replication` (S3 -> S3) and `dataflow` (Dataflow template jobs)."""


from typing import Annotated, Literal

from pydantic import Field

from aipipe.spec.common import ResourceBase
from aipipe.spec.values import ResourceName, ScheduleExpression, ServiceAccountEmail, Text


class Replication(ResourceBase):
    """Copy objects from one bucket to another: continuous S3 replication or scheduled DataSync (aws)."""

    attributes = {"aws": ("arn",)}

    type: Literal["replication"]
    source: ResourceName
    destination: ResourceName
    method: Literal["s3", "datasync"] = "s3"
    schedule: ScheduleExpression | None = Field(None, description="datasync only: when the copy runs.")
    overwrite: Literal["always", "never"] | None = Field(None, description="datasync only.")
    verify: Literal["point-in-time-consistent", "only-files-transferred", "none"] | None = Field(
        None, description="datasync only."
    )
    delete_removed: bool = Field(
        False, description="Remove from the destination what was deleted at the source (s3: delete markers)."
    )


class Dataflow(ResourceBase):
    """A Dataflow streaming job from a Google-provided template (gcp)."""

    attributes = {"gcp": ("id", "name", "job_id")}

    type: Literal["dataflow"]
    template: str = Field(description="A catalogue name such as `pubsub-to-gcs-text`, or a gs:// template path.")
    input: ResourceName | None = Field(None, description="The topic or subscription the job reads.")
    output: str | None = Field(None, description='Where results go, usually "${bucket.url}/output/".')
    temp: str = Field(description='A gs:// location for temporary files, usually "${bucket.url}/temp/".')
    parameters: dict[str, Text] = Field(default_factory=dict, description="Extra template parameters.")
    max_workers: Annotated[int, Field(ge=1, le=1000)] | None = None
    machine_type: str | None = None
    on_delete: Literal["drain", "cancel"] = "drain"
    service_account: ServiceAccountEmail | None = Field(
        None, description="Run as this service account instead of a generated least-privilege one."
    )
