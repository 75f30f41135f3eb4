"""The `replication` model: copy objects from one bucket to another (aws)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aipipe.spec.model import ResourceBase
from aipipe.spec.values import ResourceName, ScheduleExpression


class Replication(ResourceBase):
    """Copy objects from one bucket to another: continuous S3 replication or scheduled DataSync (aws)."""

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
