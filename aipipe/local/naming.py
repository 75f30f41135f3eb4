"""The local facts every part of the local runner agrees on (local-brief): a resource's local physical name is
`<pipeline name>-<stack>-<resource>` lower-cased, so two stacks never share local state; the AWS account is
moto's default, 123456789012; the GCP project is `local-<pipeline name>`; local buckets live under
`.aipipe/local/<stack>/`. A module of its own so that the clouds' modules can use it (aipipe.local.clouds, which
opens them, imports them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# moto's default account (docs.getmoto.org/en/latest/docs/multi_account.html: "the default account ID
# 123456789012"); every local ARN names it
LOCAL_ACCOUNT = "123456789012"
DEFAULT_DATA_DIR = Path(".aipipe") / "local"


def physical_name(pipeline: str, stack: str, resource: str) -> str:
    """`<pipeline>-<stack>-<resource>`, lower-cased: the one naming rule of every local resource (each cloud may
    cut a name to its service's limit)."""
    return f"{pipeline}-{stack}-{resource}".lower()


def local_name(spec: Any, resource: str) -> str:
    """The local physical name of a spec resource in the spec's stack."""
    return physical_name(spec.header.name, spec.stack, resource)


def local_project(spec: Any) -> str:
    """The GCP project of a local run: `local-<pipeline name>`."""
    return f"local-{spec.header.name}".lower()


def default_data_dir(spec: Any) -> Path:
    """Where local bucket contents live by default: `.aipipe/local/<stack>/` beside the spec."""
    return spec.base_dir / DEFAULT_DATA_DIR / spec.stack
