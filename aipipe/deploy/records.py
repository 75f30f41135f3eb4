"""What was deployed from a directory: `.aipipe/deployments.json` (stack, spec, backend, last update), so
`aipipe destroy` and friends work without naming the spec again."""

from __future__ import annotations

import json
import time
from pathlib import Path

from aipipe.core.state_folder import protect
from aipipe.deploy.settings import DeploySettings

RECORD_FILE = "deployments.json"


def record_deployment(settings: DeploySettings, resource_count: int | None = None) -> None:
    """Remember in .aipipe/deployments.json that this stack was deployed from this directory."""
    path = settings.folder / RECORD_FILE
    records = read_records(settings.folder)
    records[settings.stack_name] = {
        "project": settings.spec.header.name,
        "spec": Path(settings.spec.file).name,
        "backend": settings.backend_url,
        "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "resources": resource_count,
        "endpoint": settings.endpoint,  # an emulator's URL, or None for the real cloud
    }
    protect(settings.folder)
    path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def forget_deployment(settings: DeploySettings) -> None:
    """Remove a destroyed stack from the record."""
    records = read_records(settings.folder)
    if records.pop(settings.stack_name, None) is not None:
        (settings.folder / RECORD_FILE).write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")


def read_records(folder: Path) -> dict[str, dict]:
    """The stacks deployed from a directory's .aipipe/ (empty when there are none or the file is damaged)."""
    try:
        data = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
