"""Secrets in a Cloud Function's environment (gcp).

A plain environment variable of a Cloud Function is readable by anyone allowed cloudfunctions.functions.get
or run.services.get on it. So on gcp aipipe stores each secret a function's environment reads in Secret
Manager (its value from the encrypted stack config, as every secret) and hands it to the function as a
secret environment variable (service_config.secret_environment_variables: key, project_id, secret, version;
cloud.google.com/functions/docs/configuring/secrets): the function still reads `os.environ["API_KEY"]`, and
only its runtime account is granted roles/secretmanager.secretAccessor, on that secret only. Secret Manager
delivers a secret's whole value, so a variable that mixes a secret with other text cannot be one (AP308)."""

from __future__ import annotations

from aipipe.kinds.function.model import Function
from aipipe.spec.context import CheckContext
from aipipe.spec.references import Reference, split_text


def _secret_parts(text: str) -> tuple[list[str | Reference], list[Reference]]:
    parts = split_text(text)
    return parts, [part for part in parts if isinstance(part, Reference) and part.form == "secret"]


def secret_variables(function: Function) -> dict[str, str]:
    """Environment variable -> secret name, for each variable whose whole value is one `${secret.NAME}`."""
    found = {}
    for variable, text in function.environment.items():
        parts, secrets = _secret_parts(text)
        if len(parts) == 1 and len(secrets) == 1 and not secrets[0].attribute:
            found[variable] = secrets[0].target
    return found


def check_secret_variables(ctx: CheckContext, name: str, function: Function) -> None:
    """A variable that holds a secret holds exactly `${secret.NAME}` (gcp)."""
    whole = secret_variables(function)
    for variable, text in function.environment.items():
        _, secrets = _secret_parts(text)
        if secrets and variable not in whole and all(not secret.attribute for secret in secrets):
            ctx.report(
                "AP308",
                f"on gcp a secret reaches a function from Secret Manager as a whole variable, so `{variable}` must "
                f"be exactly `${{secret.{secrets[0].target}}}`; put the rest of the text in another variable or "
                "in the code",
                ctx.at(name, "environment", variable),
            )
