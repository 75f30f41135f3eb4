"""The pipeline checks, found by looking into aipipe.policies (every module that defines `CHECK`), ordered by
code; running them over a spec, and docs/checks.md generated from them."""

from __future__ import annotations

from aipipe import policies as _package
from aipipe.core.discovery import discover
from aipipe.policies.base import PolicyCheck
from aipipe.spec.context import CheckContext

CHECKS: tuple[PolicyCheck, ...] = tuple(
    sorted(discover(_package, "CHECK", PolicyCheck, frozenset({"base", "registry"})), key=lambda check: check.code)
)
POLICY_CODES = {check.code: check for check in CHECKS}


def run_policies(ctx: CheckContext) -> None:
    """Report every finding, except those the resource suppresses with `ignore: [CODE]`."""
    resources = ctx.checkable()
    for check in CHECKS:
        for finding in check.findings(ctx):
            resource = resources.get(finding.resource)
            if resource is not None and check.code in resource.ignore:
                continue
            ctx.report(
                check.code,
                f"{finding.message}. {check.fix} (or `ignore: [{check.code}]`)",
                finding.path,
                at_key=finding.at_key,
                severity=finding.severity or check.severity,
            )


def checks_markdown() -> str:
    """docs/checks.md: every policy check, generated from the check modules."""
    parts = [
        "# Pipeline checks\n\n",
        "`aipipe validate` runs these after the spec itself is valid. Errors fail validation; warnings fail it "
        "only with `--strict`. Suppress a check for one resource with `ignore: [CODE]` on that resource.\n",
        "Generated from the modules of `aipipe/policies/` (`python -m aipipe.offline.docs`).\n",
    ]
    for check in CHECKS:
        parts.append(
            f"\n## {check.code} — {check.title}\n\n*Severity:* {check.severity.value}\n\n"
            f"**Why it matters.** {check.why}\n\n**How to fix it.** {check.fix}\n\n"
            f"**How to suppress it.** On the resource: `ignore: [{check.code}]`.\n"
        )
    return "".join(parts)
