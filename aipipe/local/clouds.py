"""Which local cloud holds a spec's stack, and the local facts every part agrees on (local-brief): a resource's
local physical name is `<pipeline name>-<stack>-<resource>` lower-cased, so two stacks never share local state;
the AWS account is moto's default, 123456789012; the GCP project is `local-<pipeline name>`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aipipe.local.contract import LocalCloud

# moto's default account (docs.getmoto.org/en/latest/docs/multi_account.html: "the default account ID
# 123456789012"); every local ARN names it
LOCAL_ACCOUNT = "123456789012"
DEFAULT_DATA_DIR = Path(".aipipe") / "local"


def local_name(spec: Any, resource: str) -> str:
    """The local physical name of a spec resource: `<pipeline>-<stack>-<resource>`, lower-cased."""
    return f"{spec.header.name}-{spec.stack}-{resource}".lower()


def local_project(spec: Any) -> str:
    """The GCP project of a local run: `local-<pipeline name>`."""
    return f"local-{spec.header.name}".lower()


def default_data_dir(spec: Any) -> Path:
    """Where local bucket contents live by default: `.aipipe/local/<stack>/` beside the spec."""
    return spec.base_dir / DEFAULT_DATA_DIR / spec.stack


def open_local_cloud(spec: Any, stack: str, data_dir: Path) -> LocalCloud:
    """The local cloud of the spec's stack (not started): moto's server on aws, gcp-storage-emulator and
    aipipe's own Pub/Sub delivery on gcp. Imported here, by cloud, so `--help` never loads an emulator."""
    if spec.cloud == "aws":
        from aipipe.local.aws import AwsLocalCloud

        return AwsLocalCloud(spec, stack, data_dir)
    if spec.cloud == "gcp":
        from aipipe.local.gcp import GcpLocalCloud

        return GcpLocalCloud(spec, stack, data_dir)
    raise ValueError(f"no local cloud for {spec.cloud!r}")
