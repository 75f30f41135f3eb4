"""AP509: a secret's value in a Dataflow job's template parameters (gcp)."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck, secret_values_in


class SecretInJobParameters(PolicyCheck):
    code = "AP509"
    title = "a secret's value is a Dataflow template parameter"
    why = (
        "A job's parameters are part of the job's description: `gcloud dataflow jobs describe` and the console "
        "show them to anyone allowed dataflow.jobs.get, which the Dataflow Viewer role and project viewers have "
        "(cloud.google.com/dataflow/docs/concepts/access-control). Pulumi keeps the value encrypted in its state, "
        "but Dataflow does not."
    )
    fix = (
        "Keep the secret out of the parameters: store it in Secret Manager and have the pipeline read it there "
        "(the worker account needs roles/secretmanager.secretAccessor on that secret), or pass a template "
        "parameter that names a Secret Manager secret where the template has one"
    )

    def findings(self, ctx):
        if ctx.cloud != "gcp":
            return
        for name, resource in ctx.checkable().items():
            if resource.type != "dataflow":
                continue
            for key, text in resource.parameters.items():
                secrets = secret_values_in(ctx, str(text))
                if secrets:
                    yield Finding(
                        name,
                        ctx.at(name, "parameters", key),
                        f"parameter `{key}` holds the value of secret `{secrets[0]}`, readable by anyone allowed "
                        "dataflow.jobs.get",
                    )


CHECK = SecretInJobParameters()
