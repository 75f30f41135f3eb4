"""Which spec resource a cloud resource of the rendered program belongs to, read back from Pulumi URNs.

The program parents every cloud resource of a spec resource to a component named after it (`aipipe:index:
Bucket raw`); the few resources outside any component are named after the spec resource they wire
(`raw-notifications`) or belong to the whole program (`function-sources`). `aipipe diff` (from a plan) and the
deploy commands (from engine events) both answer through here, so they attribute every change alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

COMPONENT_PREFIX = "aipipe:index:"


def name_of(urn: str) -> str:
    """The logical name at the end of a URN."""
    return urn.rsplit("::", 1)[-1]


def type_of(urn: str) -> str:
    """The type token of the resource a URN names (`urn:pulumi:dev::proj::parent$type::name` -> `type`)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def owner_of(urn: str, parent_of: Mapping[str, str], spec_resources: Iterable[str]) -> str:
    """The spec resource owning `urn`: the nearest aipipe component above it (parents as far as known), else
    the longest spec resource name its own name starts with (`raw-notifications` -> `raw`), else its name."""
    if type_of(urn).startswith(COMPONENT_PREFIX):
        return name_of(urn)
    seen: set[str] = set()
    current = parent_of.get(urn, "")
    while current and current not in seen:
        seen.add(current)
        if type_of(current).startswith(COMPONENT_PREFIX):
            return name_of(current)
        current = parent_of.get(current, "")
    name = name_of(urn)
    candidates = [owner for owner in spec_resources if name == owner or name.startswith(owner + "-")]
    return max(candidates, key=len) if candidates else name
