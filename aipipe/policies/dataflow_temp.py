"""AP506: a Dataflow job whose temp location is not in a bucket of the spec."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck
from aipipe.spec.references import parse_references


class DataflowTempOutsideSpec(PolicyCheck):
    code = "AP506"
    title = "a Dataflow job's temp location is not in a bucket of the spec"
    why = (
        "aipipe grants the job's worker account access only to buckets of the spec, and only those get "
        "lifecycle rules and cleanup; a temp location elsewhere needs grants you manage by hand."
    )
    fix = 'Point `temp` at a bucket of the spec: `temp: "${staging.url}/temp/"`.'

    def findings(self, ctx):
        for name, job in ctx.checkable().items():
            if job.type == "dataflow":
                references = [r for r in parse_references(job.temp) if r.form == "resource"]
                if not any(ctx.types.get(r.target) == "bucket" for r in references):
                    yield Finding(name, ctx.at(name, "temp"), f"`temp` of `{name}` is outside the spec's buckets")


CHECK = DataflowTempOutsideSpec()
