"""The `dataflow` model: a Dataflow streaming job from a Google-provided template (gcp)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aipipe.spec.model import ResourceBase
from aipipe.spec.permissions import Permission, permissions_field
from aipipe.spec.values import ResourceName, ServiceAccountEmail, Text


class Dataflow(ResourceBase):
    """A Dataflow streaming job from a Google-provided template (gcp)."""

    type: Literal["dataflow"]
    template: str = Field(description="A catalogue name such as `pubsub-to-gcs-text`, or a gs:// template path.")
    input: ResourceName | None = Field(None, description="The topic or subscription the job reads.")
    output: str | None = Field(
        None,
        description='Where results go, usually "${bucket.url}/output/"; for a BigQuery template a table, '
        'PROJECT:DATASET.TABLE or a table of the spec as "${events.table_spec}".',
    )
    temp: str = Field(description='A gs:// location for temporary files, usually "${bucket.url}/temp/".')
    parameters: dict[str, Text] = Field(
        default_factory=dict,
        description="Extra template parameters: for a catalogue template, optional ones it defines, "
        "never those aipipe sets from `input`, `output` and `temp`.",
    )
    max_workers: Annotated[int, Field(ge=1, le=1000)] | None = None
    machine_type: str | None = None
    on_delete: Literal["drain", "cancel"] = "drain"
    public_ips: bool = Field(
        True,
        description="Workers get public IPs. `false` keeps them private, which needs Private Google Access on "
        "the subnetwork (the default network's subnets do not have it).",
    )
    permissions: list[Permission] = permissions_field()
    service_account: ServiceAccountEmail | None = Field(
        None, description="Run as this service account instead of a generated least-privilege one."
    )
