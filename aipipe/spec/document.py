"""The top level of a spec, stack overrides, and `Spec`: the validated result everything else consumes."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from aipipe.spec.model import ResourceBase, StrictModel, Tags, cloud_only, empty_list
from aipipe.spec.values import BackendUrl, OutputName, ProjectName, ResourceName, SecretName, StackName, Text

DEFAULT_STACK = "dev"
# Bounds that keep validation fast on hostile input; real specs stay far below them.
MAX_RESOURCES = 1000
MAX_STACKS = 20


class StackOverride(StrictModel):
    """What a stack may change: region, project, tags, and fields of existing resources (deep-merged)."""

    region: str | None = None
    project: str | None = None
    tags: Tags | None = None
    resources: dict[ResourceName, dict[str, Any]] = Field(default_factory=dict)


def _exact_integer(value: Any) -> Any:
    # Literal[1] alone also takes `true` and `1.0`, which compare equal to 1.
    if isinstance(value, (bool, float)):
        raise ValueError(f"must be the integer 1, got {value!r}")
    return value


class SpecHeader(StrictModel):
    """Every top-level key. Resources are kept raw here and validated one by one against their type."""

    aipipe: Annotated[Literal[1], BeforeValidator(_exact_integer)] = Field(description="Format version; only 1 exists.")
    name: ProjectName = Field(description="Project name; becomes the Pulumi project name.")
    description: str | None = None
    cloud: Literal["aws", "gcp"]
    region: str = Field(description="Default region of every resource.")
    project: str | None = cloud_only("gcp", description="GCP project id; default: the provider's configuration.")
    tags: Tags = Field(default_factory=dict, description="Tags (aws) or labels (gcp) on every resource.")
    backend: BackendUrl | None = Field(None, description="State backend URL; default: local files under .aipipe/.")
    secrets: list[SecretName] = Field(
        default_factory=empty_list, description="Secret names, read from environment variables of the same name."
    )
    resources: dict[ResourceName, dict[str, Any]] = Field(min_length=1, max_length=MAX_RESOURCES)
    outputs: dict[OutputName, Text] = Field(default_factory=dict)
    stacks: dict[StackName, StackOverride] = Field(default_factory=dict, max_length=MAX_STACKS)


def spec_folder(file: str) -> Path:
    """The directory of a spec file, against which `code` paths resolve."""
    return Path(file).resolve().parent


@dataclass(frozen=True)
class Spec:
    """A validated spec for one stack: stack overrides applied, every resource validated against its type."""

    file: str
    stack: str
    header: SpecHeader
    resources: dict[str, ResourceBase]
    stack_names: tuple[str, ...] = field(default=(DEFAULT_STACK,))
    resource_lines: dict[str, int] = field(default_factory=dict)  # where each resource is defined
    # resource -> the resources it refers to (fields naming them, ${...} references, depends_on)
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # data path -> where its value is written, for problems found after validation (a function's build)
    locations: Any = field(default=None, compare=False, repr=False)

    def locate(self, *path: str | int) -> tuple[int, int]:
        """Line and column of a data path of the spec (`"resources", "train", "code"`), or of its nearest
        written ancestor; (1, 1) when the spec carries no locations."""
        if self.locations is None:
            return 1, 1
        location = self.locations.locate(path)
        return location.line, location.column

    @property
    def base_dir(self) -> Path:
        """The directory of the spec file, against which `code` paths resolve."""
        return spec_folder(self.file)

    @property
    def cloud(self) -> str:
        return self.header.cloud

    def tags_for(self, name: str) -> dict[str, str]:
        """The top-level tags merged with a resource's own tags."""
        return {**self.header.tags, **self.resources[name].tags}
