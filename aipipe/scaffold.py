"""`aipipe init`: start a project from one of the example specs (`specs/`), with its function code."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from aipipe.bundled import bundled_folder
from aipipe.core.state_folder import ignore_in_project

MODELINE = "# yaml-language-server: $schema=../aipipe.schema.json"
LOCAL_MODELINE = "# yaml-language-server: $schema=./aipipe.schema.json"
DEFAULT_EXAMPLE = "event-driven-ingest"


class ScaffoldError(Exception):
    """The project cannot be created as asked (unknown example, files in the way)."""


@dataclass(frozen=True)
class Example:
    """An example spec folder that `init` can copy."""

    name: str
    folder: Path
    description: str
    cloud: str


def examples() -> dict[str, Example]:
    """Every example with its description and cloud (read from the spec itself)."""
    import yaml

    found = {}
    for spec in sorted(bundled_folder("specs").glob("*/aipipe.yaml")):
        data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
        found[spec.parent.name] = Example(
            spec.parent.name, spec.parent, str(data.get("description", "")), str(data.get("cloud", ""))
        )
    return found


def plan_copy(example: Example, target: Path) -> list[tuple[Path, Path]]:
    """(source, destination) of every file the project gets, including the schema for editors."""
    pairs = [
        (source, target / source.relative_to(example.folder))
        for source in sorted(example.folder.rglob("*"))
        if source.is_file() and "__pycache__" not in source.parts and ".aipipe" not in source.parts
    ]
    pairs.append((bundled_folder("specs") / "aipipe.schema.json", target / "aipipe.schema.json"))
    return pairs


def create_project(name: str, target: Path, force: bool = False) -> list[Path]:
    """Copy example `name` into `target`; refuses to overwrite any file unless `force`. Returns the files."""
    from aipipe.core.suggest import did_you_mean

    available = examples()
    if name not in available:
        raise ScaffoldError(f"unknown example `{name}`{did_you_mean(name, available)}; `aipipe init --list` shows them")
    pairs = plan_copy(available[name], target)
    existing = [destination for _, destination in pairs if destination.exists()]
    if existing and not force:
        shown = ", ".join(str(path) for path in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise ScaffoldError(
            f"{len(existing)} file(s) already exist: {shown}; nothing was written (use --force to overwrite them)"
        )
    written = []
    for source, destination in pairs:
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.name == "aipipe.yaml" and destination.parent == target:
            destination.write_text(
                source.read_text(encoding="utf-8").replace(MODELINE, LOCAL_MODELINE, 1), encoding="utf-8"
            )
        else:
            shutil.copyfile(source, destination)
        written.append(destination)
    written.append(ignore_in_project(target))
    return written
