"""Which local cloud holds a spec's stack (the names they give resources: aipipe.local.naming)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from aipipe.local.contract import LocalCloud


class LocalCloudError(Exception):
    """The local cloud cannot be opened (its emulators are not installed); the message says how to fix it."""


# what each local cloud imports when it starts (the `local` extra); checked before, so a missing one is a clear
# error rather than an ImportError from deep inside an emulator
EMULATOR_MODULES = {"aws": ("moto", "flask", "werkzeug"), "gcp": ("gcp_storage_emulator", "functions_framework")}


def open_local_cloud(spec: Any, stack: str, data_dir: Path) -> LocalCloud:
    """The local cloud of the spec's stack (not started): moto's server on aws, gcp-storage-emulator and
    aipipe's own Pub/Sub delivery on gcp. Imported here, by cloud, so `--help` never loads an emulator; without
    the `local` extra, a LocalCloudError that says to install it."""
    for module in EMULATOR_MODULES[spec.cloud]:
        if not _importable(module):
            raise LocalCloudError(
                f"the local {spec.cloud} cloud needs `{module}`, which is not installed: "
                "pip install 'aipipe[local]' (from a checkout: pip install -e '.[local]')"
            )
    if spec.cloud == "aws":
        from aipipe.local.aws import AwsLocalCloud

        return AwsLocalCloud(spec, stack, data_dir)
    from aipipe.local.gcp import GcpLocalCloud

    return GcpLocalCloud(spec, stack, data_dir)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
        return False
