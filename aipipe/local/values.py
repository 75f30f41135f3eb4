"""Spec values resolved to what they are in a local run: the symbols a kind's values hold
(aipipe.semantics.symbols) become the local resources' names, ARNs and URLs (asked of the LocalCloud), the
deployment's facts (stack, region, the local account or project), and secrets from the user's environment.

One honest choice for `${secret.NAME.arn}` (the ARN of the secret's copy in Secrets Manager): locally it is the
ARN that copy would have in the local account, `arn:aws:secretsmanager:<region>:123456789012:secret:<pipeline>-
<stack>-<NAME>`; a handler that calls GetSecretValue with it reaches the local cloud, which holds the secret only
if it created it (aipipe.local.aws decides), so an unset NAME stops the handler before it runs, as `${secret.NAME}`
does. `${secret.NAME}` is the environment variable NAME of the user running
aipipe, as for a deploy (aipipe.semantics.secrets)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aipipe.local.naming import LOCAL_ACCOUNT, local_project
from aipipe.semantics.secrets import missing_secrets
from aipipe.semantics.symbols import Attr, Concat, Deployment, Secret, StoredSecret
from aipipe.spec.references import symbolic
from aipipe.triggers.base import TriggerUse


class MissingSecret(Exception):
    """A `${secret.NAME}` whose environment variable is not set (or empty)."""

    def __init__(self, name: str):
        super().__init__(
            f"secret `{name}` is not set: export {name}=... in this shell (a local run reads secrets from the "
            "environment, like a deploy does)"
        )
        self.name = name


def deployment_fact(spec: Any, fact: str) -> str:
    """A fact of the local deployment (aipipe.semantics.symbols.DEPLOYMENT_FACTS)."""
    facts = {
        "stack": spec.stack,
        "project": spec.header.name,
        "region": spec.header.region,
        "aws_account_id": LOCAL_ACCOUNT,
        "aws_partition": "aws",
        "aws_dns_suffix": "amazonaws.com",
        "gcp_project_id": local_project(spec),
    }
    if fact not in facts:
        raise ValueError(f"`{fact}` has no local value")
    return facts[fact]


def resolve(value: Any, spec: Any, cloud: Any, environ: Mapping[str, str]) -> str:
    """A symbol (or a plain string) as its local text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Concat):
        return "".join(resolve(part, spec, cloud, environ) for part in value.parts)
    if isinstance(value, Attr):
        return cloud.attribute(value.resource, value.attribute)
    if isinstance(value, Deployment):
        return deployment_fact(spec, value.fact)
    if isinstance(value, Secret):
        if missing_secrets([value.name], environ):
            raise MissingSecret(value.name)
        return environ[value.name]
    if isinstance(value, StoredSecret):  # the local copy exists only when the secret is set: say so before it runs
        if missing_secrets([value.name], environ):
            raise MissingSecret(value.name)
        return cloud.secret_arn(value.name)
    raise ValueError(f"{value!r} has no local value")


def resolve_text(text: str, spec: Any, cloud: Any, environ: Mapping[str, str]) -> str:
    """A spec string with its `${...}` references resolved locally."""
    return resolve(symbolic(text), spec, cloud, environ)


# trigger fields the renderer resolves before the cloud matches keys with them (triggers/bucket.py renders
# `symbolic(prefix)`): `prefix: ${stack}/in/` is `dev/in/` in the dev stack's notification
_KEY_FIELDS = ("prefix", "suffix")


def resolved_use(use: TriggerUse, spec: Any, cloud: Any) -> TriggerUse:
    """The trigger use with references in its key filters resolved locally, as the deployed filter has them."""
    trigger = use.trigger
    update = {
        name: resolve_text(text, spec, cloud, os.environ)
        for name in _KEY_FIELDS
        if isinstance(text := getattr(trigger, name, None), str) and "${" in text
    }
    return replace(use, trigger=trigger.model_copy(update=update)) if update else use
