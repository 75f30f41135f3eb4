"""What a pipeline check is: a stable code, a severity, and the text docs/checks.md is generated from, so the
documentation cannot drift from the code. A resource suppresses a check with `ignore: [CODE]`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aipipe.core.diagnostics import Severity
from aipipe.core.locations import DataPath
from aipipe.spec.context import CheckContext
from aipipe.spec.references import parse_references


@dataclass(frozen=True)
class Finding:
    """A policy finding: which resource (for `ignore`), where, and what to say."""

    resource: str
    path: DataPath
    message: str
    at_key: bool = False
    severity: Severity | None = None  # when a check's findings differ in severity


class PolicyCheck:
    """A check over a whole spec. Subclasses set the class attributes and implement `findings`."""

    code = ""
    severity = Severity.WARNING
    title = ""
    why = ""
    fix = ""

    def findings(self, ctx: CheckContext) -> Iterator[Finding]:
        raise NotImplementedError


def secret_values_in(ctx: CheckContext, text: str) -> list[str]:
    """The declared secrets whose value `text` holds (`${secret.NAME}`, not its `.arn`; an undeclared one is
    AP302's)."""
    return [
        r.target
        for r in parse_references(text)
        if r.form == "secret" and r.attribute != "arn" and r.target in ctx.secrets
    ]
