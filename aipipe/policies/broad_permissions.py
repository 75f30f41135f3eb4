"""AP510: an extra permission grants broadly (a wildcard action, a `*` resource, a GCP basic role)."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck
from aipipe.spec.permissions import is_broad


class BroadPermission(PolicyCheck):
    code = "AP510"
    title = "an extra permission grants more than named actions on named resources"
    why = (
        "`permissions:` are written by hand, outside the least-privilege access aipipe derives. A wildcard action "
        "(`s3:*`, `glue:Get*`) also allows actions added to the service later, a `*` resource every resource of "
        "the account, and a GCP basic role (owner, editor, viewer) every service of the project: a bug or a "
        "leaked credential in the function then reaches far beyond the pipeline."
    )
    fix = (
        "Name the actions (`s3:GetObject`) and resources (`${raw.arn}/in/*`), or a predefined GCP role of the one "
        "service. Some actions have no resource-level permissions (`textract:AnalyzeDocument`, "
        "`bedrock:ListFoundationModels`): there `*` is the only resource AWS accepts, so acknowledge it."
    )

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            for position, permission in enumerate(getattr(resource, "permissions", None) or ()):
                for path, why in is_broad(permission, ctx.cloud):
                    yield Finding(name, ctx.at(name, "permissions", position, *path), why)


CHECK = BroadPermission()
