"""AP508: a secret's value in a Lambda function's environment variables (aws)."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck, secret_values_in


class SecretInPlainEnvironment(PolicyCheck):
    code = "AP508"
    title = "a secret's value is in a Lambda environment variable"
    why = (
        "Lambda encrypts environment variables at rest, but returns them in plain text to anyone allowed "
        "lambda:GetFunctionConfiguration (docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption."
        "html), a permission read-only and audit roles commonly have. A secret in Secrets Manager is read only by "
        "the roles granted GetSecretValue on it."
    )
    fix = (
        "Pass the secret's ARN instead: `API_KEY_ARN: ${secret.API_KEY.arn}` stores the value in Secrets Manager, "
        "grants the function GetSecretValue on exactly that secret, and the handler reads it with "
        "`arn = os.environ['API_KEY_ARN']` and `boto3.client('secretsmanager', region_name=arn.split(':')[3])"
        ".get_secret_value(SecretId=arn)['SecretString']` (a client of the secret's region, which the ARN names)."
    )

    def findings(self, ctx):
        if ctx.cloud != "aws":
            return
        for name, resource in ctx.checkable().items():
            if resource.type != "function":
                continue
            for variable, text in resource.environment.items():
                plain = secret_values_in(ctx, text)
                if plain:
                    yield Finding(
                        name,
                        ctx.at(name, "environment", variable),
                        f"`{variable}` holds the value of secret `{plain[0]}`, readable by anyone allowed "
                        "lambda:GetFunctionConfiguration",
                    )


CHECK = SecretInPlainEnvironment()
