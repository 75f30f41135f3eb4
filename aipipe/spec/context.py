"""What the cross-field checks share: the merged data, its index, and a way to report at a path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aipipe.core.diagnostics import Diagnostic, Severity
from aipipe.core.locations import DataPath, LocationIndex, format_path
from aipipe.spec.document import spec_folder
from aipipe.spec.model import ResourceBase

MAX_DIAGNOSTICS = 500


class TooManyProblems(Exception):
    """Raised when a spec has more problems than anyone will read; the first ones are reported."""


@dataclass
class CheckContext:
    """Inputs of the checks. `types` knows every resource whose type is valid, even if its fields are not;
    `resources` holds only the resources that validated, so checks never see half-valid models."""

    file: str
    index: LocationIndex
    data: dict
    cloud: str | None
    stack: str
    # resources other stacks have (their `stacks:`), absent from this one
    absent: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    resources: dict[str, ResourceBase] = field(default_factory=dict)
    # Resources that failed validation, validated again without their failing fields (`dropped`):
    # checked for everything else, never part of a Spec.
    partial: dict[str, ResourceBase] = field(default_factory=dict)
    dropped: dict[str, set] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def declared_secrets(self) -> list[tuple[int, str]]:
        """(position, name) of each string under `secrets`, whatever else the list holds."""
        secrets = self.data.get("secrets")
        if not isinstance(secrets, list):
            return []
        return [(position, name) for position, name in enumerate(secrets) if isinstance(name, str)]

    def raw_resources(self) -> dict:
        """The `resources` mapping as written (after the stack merge), or {} when it is not a mapping."""
        resources = self.data.get("resources")
        return resources if isinstance(resources, dict) else {}

    def not_here(self, name: str) -> str:
        """Why resource `name` is missing when only other stacks have it (`` when that is not the reason)."""
        if name not in self.absent:
            return ""
        return (
            f"; `{name}` exists only in stack{'s' if len(self.absent[name]) > 1 else ''} "
            f"{', '.join(self.absent[name])}, not in `{self.stack}`: give what names it the same `stacks:`"
        )

    def checkable(self) -> dict[str, ResourceBase]:
        """Every resource the checks can look at: the valid ones and the partially valid ones."""
        return {**self.resources, **self.partial}

    def was_dropped(self, name: str, field_name: str) -> bool:
        """True when `field_name` of `name` was invalid (and so is absent from its partial model)."""
        return field_name in self.dropped.get(name, ())

    @property
    def base_dir(self) -> Path:
        return spec_folder(self.file)

    def report(
        self, code: str, message: str, path: DataPath, at_key: bool = False, severity: Severity = Severity.ERROR
    ) -> None:
        """Record a diagnostic at the location of `path` (or its nearest ancestor)."""
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:
            raise TooManyProblems
        location = self.index.locate(path, at_key=at_key)
        self.diagnostics.append(
            Diagnostic(code, message, self.file, location.line, location.column, format_path(path), severity)
        )

    def at(self, name: str, *relative) -> DataPath:
        """The absolute path of a field of resource `name`."""
        return ("resources", name, *relative)
