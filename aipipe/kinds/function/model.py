"""The `function` model: a Lambda function (aws) or a Cloud Function 2nd gen (gcp) from a local code folder."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aipipe.spec.model import ResourceBase
from aipipe.spec.values import AccessTarget, Duration, EnvironmentName, MemorySize, Text
from aipipe.triggers.registry import Trigger


class Function(ResourceBase):
    """A Lambda function (aws) or Cloud Function 2nd gen (gcp) built from a local code directory."""

    type: Literal["function"]
    runtime: str = Field(description="`python3.12` style on both clouds; mapped per cloud.")
    handler: str = Field(description="aws: `module.function`; gcp: the entry-point function name.")
    code: str = Field(description="Directory with the function's code, relative to the spec file.")
    memory: MemorySize = Field(256, description="Memory in MB (aws 128-10240, gcp 128-32768).")
    timeout: Duration = Field(60, description="Maximum run time (aws up to 15m, gcp up to 60m / 9m for events).")
    environment: dict[EnvironmentName, Text] = Field(
        default_factory=dict, description="Environment variables; values may hold references and secrets."
    )
    reads: list[AccessTarget] = Field(
        default_factory=list, description="Resources the function may read (least-privilege access is generated)."
    )
    writes: list[AccessTarget] = Field(
        default_factory=list, description="Resources the function may write (least-privilege access is generated)."
    )
    triggers: list[Trigger] = Field(default_factory=list, max_length=50)
