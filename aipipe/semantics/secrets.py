"""Secrets: where `${secret.NAME}` may stand, the stack config key that holds each value (encrypted), reading
values from the environment, and masking them in anything aipipe prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Resource fields whose values Pulumi keeps as secret outputs, never as plain configuration.
SECRET_FIELDS = frozenset({"environment", "parameters"})
SECRET_PLACEHOLDER = "[secret]"


def config_key(project: str, name: str) -> str:
    """The stack config key of secret `name`, as the program reads it (`config.require_secret(name)`)."""
    return f"{project}:{name}"


def missing_secrets(names: Iterable[str], environ: Mapping[str, str]) -> list[str]:
    """The secrets not set in the environment. An empty value counts as missing: a deployed pipeline with an
    empty API key fails later and less clearly."""
    return [name for name in names if not environ.get(name)]


def mask_secrets(text: str, values: Iterable[str]) -> str:
    """`text` with every (non-empty) secret value replaced by [secret]."""
    for value in values:
        if value:
            text = text.replace(value, SECRET_PLACEHOLDER)
    return text
