"""References inside strings: `${res.attr}`, `${secret.NAME}`, `${stack}`, `${project}`.

`$${` writes a literal `${`. A reference may stand alone or inside a longer string (`"${data.url}/temp/"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aipipe.core.locations import DataPath

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_RESOURCE = re.compile(r"^([a-z][a-z0-9-]{0,39})\.([A-Za-z_][A-Za-z0-9_]*)$")
_SECRET = re.compile(r"^secret\.([A-Z_][A-Z0-9_]*)$")


@dataclass(frozen=True)
class Reference:
    """One `${...}` in a string. `kind` is resource, secret, stack or project; `problem` is set when malformed."""

    kind: str
    text: str
    target: str = ""
    attribute: str = ""
    problem: str = ""


def parse_references(value: str) -> list[Reference]:
    """Every reference in a string, malformed ones included (with `problem` set)."""
    found = []
    for match in _TOKEN.finditer(value):
        token = match.group(0)
        if token == "$${":
            continue
        if match.group(1) is None:
            found.append(Reference("invalid", token, problem="`${` is never closed with `}` (write `$${` for a literal `${`)"))
            continue
        inner = match.group(1).strip()
        found.append(_classify(inner, token))
    return found


def _classify(inner: str, token: str) -> Reference:
    if inner in ("stack", "project"):
        return Reference(inner, token)
    secret = _SECRET.fullmatch(inner)
    if secret:
        return Reference("secret", token, target=secret.group(1))
    resource = _RESOURCE.fullmatch(inner)
    if resource and resource.group(1) != "secret":
        return Reference("resource", token, target=resource.group(1), attribute=resource.group(2))
    return Reference(
        "invalid",
        token,
        problem=f"`{token}` is not a reference; write `${{resource.attribute}}`, `${{secret.NAME}}`, "
        "`${stack}` or `${project}` (or `$${` for a literal `${`)",
    )


def strings_in(value: Any, path: DataPath) -> Iterator[tuple[DataPath, str, bool]]:
    """Every string in a nested structure, mapping keys included: (path, text, is_key)."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, dict):
        for key, child in value.items():
            yield path + (key,), key, True
            yield from strings_in(child, path + (key,))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from strings_in(child, path + (position,))
