"""The objects a spec's buckets are deployed with (`seed:`), with their content as the local cloud uploads it:
a file of the project, or inline text whose `${resource.attribute}` references take local values and whose
`${secret.NAME}` the environment variable NAME (as deploy reads secrets)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any

REFERENCE = re.compile(r"\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}")


def _text(content: str, attribute: Callable[[str, str], str]) -> bytes:
    def value(match: re.Match) -> str:
        if match[1] == "secret":
            return os.environ.get(match[2], match[0])
        return attribute(match[1], match[2])

    return REFERENCE.sub(value, content).encode("utf-8")


def seed_objects(spec: Any, attribute: Callable[[str, str], str]) -> Iterator[tuple[str, str, bytes]]:
    """(bucket resource, key, content) of every seed object of the spec's buckets (validation keeps seed files
    inside the spec's folder)."""
    for name, resource in spec.resources.items():
        for item in getattr(resource, "seed", None) or []:
            if item.file is not None:
                yield name, item.key, (spec.base_dir / item.file).read_bytes()
            else:
                yield name, item.key, _text(item.content or "", attribute)
