"""References inside strings: `${res.attr}`, `${secret.NAME}`, `${secret.NAME.arn}` (aws: the ARN of the
secret's copy in Secrets Manager), `${stack}`, `${project}`, and facts of the deployment: `${region}` (the
stack's region), `${account}` and `${partition}` (aws: the account id and the ARN partition), `${gcp_project}`
(gcp: the project id).

`$${` writes a literal `${`. A reference may stand alone or inside a longer string (`"${data.url}/temp/"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aipipe.core.locations import DataPath
from aipipe.core.suggest import did_you_mean
from aipipe.semantics.symbols import Attr, Concat, Deployment, Secret, StoredSecret

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_RESOURCE = re.compile(r"^([a-z][a-z0-9-]{0,39})\.([A-Za-z_][A-Za-z0-9_]*)$")
_SECRET = re.compile(r"^secret\.([A-Z_][A-Z0-9_]*)(?:\.(arn))?$")


# deploy-context references -> (the Deployment fact, the one cloud it exists on, or None for every cloud)
CONTEXT_FACTS: dict[str, tuple[str, str | None]] = {
    "region": ("region", None),
    "account": ("aws_account_id", "aws"),
    "partition": ("aws_partition", "aws"),
    "gcp_project": ("gcp_project_id", "gcp"),
}


@dataclass(frozen=True)
class Reference:
    """One `${...}` in a string. `form` is resource, secret, stack, project, context (`target` names the fact)
    or invalid (`problem` says why)."""

    form: str
    text: str
    target: str = ""
    attribute: str = ""
    problem: str = ""


def parse_references(value: str) -> list[Reference]:
    """Every reference in a string, malformed ones included (with `problem` set)."""
    return [part for part in split_text(value) if isinstance(part, Reference)]


def split_text(value: str) -> list[str | Reference]:
    """A string as its literal pieces (with `$${` already turned into `${`) and its references, in order."""
    found: list[str | Reference] = []
    literal, position = "", 0
    for match in _TOKEN.finditer(value):
        literal += value[position : match.start()]
        position = match.end()
        token = match.group(0)
        if token == "$${":
            literal += "${"
            continue
        if literal:
            found.append(literal)
            literal = ""
        if match.group(1) is None:
            found.append(
                Reference("invalid", token, problem="`${` is never closed with `}` (write `$${` for a literal `${`)")
            )
        else:
            found.append(_classify(match.group(1).strip(), token))
    literal += value[position:]
    if literal:
        found.append(literal)
    return found


def symbolic(value: str):
    """A validated spec string as a plain string, or the symbol (aipipe.semantics.symbols) it stands for:
    a single reference is its symbol, text mixing references and literals a Concat."""
    parts = [_symbol(part) if isinstance(part, Reference) else part for part in split_text(value)]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return Concat(*parts)


def symbolic_data(value):
    """Every string inside nested lists and mappings through `symbolic`; other values unchanged."""
    if isinstance(value, str):
        return symbolic(value)
    if isinstance(value, dict):
        return {key: symbolic_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [symbolic_data(item) for item in value]
    return value


def _symbol(reference: Reference):
    if reference.form == "secret":
        return StoredSecret(reference.target) if reference.attribute == "arn" else Secret(reference.target)
    if reference.form in ("stack", "project"):
        return Deployment(reference.form)
    if reference.form == "context":
        return Deployment(CONTEXT_FACTS[reference.target][0])
    if reference.form == "resource":
        return Attr(reference.target, reference.attribute)
    raise ValueError(f"{reference.text} is not a valid reference: {reference.problem}")


def _classify(inner: str, token: str) -> Reference:
    if inner in ("stack", "project"):
        return Reference(inner, token)
    if inner in CONTEXT_FACTS:
        return Reference("context", token, target=inner)
    secret = _SECRET.fullmatch(inner)
    if secret:
        return Reference("secret", token, target=secret.group(1), attribute=secret.group(2) or "")
    resource = _RESOURCE.fullmatch(inner)
    if resource and resource.group(1) != "secret":
        return Reference("resource", token, target=resource.group(1), attribute=resource.group(2))
    suggestion = did_you_mean(inner, ("stack", "project", *CONTEXT_FACTS))
    return Reference(
        "invalid",
        token,
        problem=f"`{token}` is not a reference{suggestion}; write `${{resource.attribute}}`, `${{secret.NAME}}`, "
        "`${stack}`, `${project}`, `${region}`, `${account}`, `${partition}` or `${gcp_project}` (or `$${` "
        "for a literal `${`)",
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


def stored_secrets(value: Any) -> list[str]:
    """The secrets a value reads from Secrets Manager (`${secret.NAME.arn}`), once each, in order."""
    found = [
        reference.target
        for _, text, is_key in strings_in(value, ())
        if not is_key
        for reference in parse_references(text)
        if reference.form == "secret" and reference.attribute == "arn"
    ]
    return list(dict.fromkeys(found))
