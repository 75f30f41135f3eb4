"""AP507: a bucket or table deleted with the stack and not protected."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck

# the kinds that hold data and say with `retain_on_destroy` whether `aipipe destroy` keeps it
DATA_HOLDERS = ("bucket", "table")


class StatefulNotRetained(PolicyCheck):
    code = "AP507"
    title = "a bucket or table is deleted with the stack and not protected"
    why = (
        "With `retain_on_destroy: false`, `aipipe destroy` deletes the bucket or table; with no `protect`, nothing "
        "stops it. Fine for scratch data, a disaster for a training set."
    )
    fix = "Keep the default `retain_on_destroy: true`, or set `protect: true` where the data matters."

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            if (
                resource.type in DATA_HOLDERS
                and not getattr(resource, "existing", None)
                and not resource.retain_on_destroy
                and not resource.protect
            ):
                yield Finding(
                    name,
                    ctx.at(name, "retain_on_destroy"),
                    f"{resource.type} `{name}` is deleted by `aipipe destroy` and not protected",
                    at_key=True,
                )


CHECK = StatefulNotRetained()
