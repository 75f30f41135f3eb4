"""AP505: a bucket that holds temporary or output data but has no lifecycle rule."""

from __future__ import annotations

from aipipe.kinds.registry import links_of
from aipipe.policies.base import Finding, PolicyCheck
from aipipe.spec.references import parse_references

SCRATCH_PREFIXES = {"tmp", "temp", "scratch", "staging", "output", "outputs"}


class ScratchWithoutLifecycle(PolicyCheck):
    code = "AP505"
    title = "a bucket holds temporary or output data but has no lifecycle rule"
    why = (
        "Temporary files, staging data and job outputs pile up: without an expiry rule the bucket grows, and "
        "bills, forever."
    )
    fix = "Add `lifecycle: {expire_after: 7d}` (or `archive_after` for outputs you keep)."

    def findings(self, ctx):
        scratch: dict[str, str] = {}
        for resource in ctx.checkable().values():
            for link in links_of(resource):
                head = link.prefix.partition("/")[0]
                if link.role == "writes" and head in SCRATCH_PREFIXES:
                    scratch.setdefault(link.target, head + "/")
            if resource.type == "dataflow":
                for text in filter(None, (resource.temp, resource.output)):
                    for reference in parse_references(text):
                        after = text.partition(reference.text)[2].lstrip("/").partition("/")[0]
                        if reference.form == "resource" and after in SCRATCH_PREFIXES:
                            scratch.setdefault(reference.target, after + "/")
        for bucket, prefix in scratch.items():
            resource = ctx.checkable().get(bucket)
            if (
                resource is not None
                and resource.type == "bucket"
                and resource.lifecycle is None
                and not resource.existing
            ):
                yield Finding(
                    bucket,
                    ctx.at(bucket),
                    f"bucket `{bucket}` holds `{prefix}` data but has no lifecycle rule",
                    at_key=True,
                )


CHECK = ScratchWithoutLifecycle()
