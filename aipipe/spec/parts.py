"""Program parts: pieces of the rendered program that belong to no single resource's template, such as the
one bucket notification configuration that collects every function a bucket triggers, or the bucket that
holds every function's source archive. Kinds and trigger kinds contribute them; the code generator renders
each with its template, before or after the resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProgramPart:
    """`template` rendered with `values` (symbolic, like a resource's) `before` or after the resources."""

    template: str
    values: dict[str, Any] = field(default_factory=dict)
    before: bool = False
