"""`aipipe init`: start a project from one of the example specs, with its function code."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

PACKAGED_EXAMPLES = Path(__file__).resolve().parent / "examples"  # where the wheel puts them
REPOSITORY_EXAMPLES = Path(__file__).resolve().parent.parent / "specs"
MODELINE = "# yaml-language-server: $schema=../aipipe.schema.json"
LOCAL_MODELINE = "# yaml-language-server: $schema=./aipipe.schema.json"
DEFAULT_TEMPLATE = "event-driven-ingest"


class InitError(Exception):
    """The project cannot be created as asked (unknown template, files in the way)."""


@dataclass(frozen=True)
class Template:
    """An example spec folder that `init` can copy."""

    name: str
    folder: Path
    description: str
    cloud: str


def examples_folder() -> Path:
    return PACKAGED_EXAMPLES if PACKAGED_EXAMPLES.is_dir() else REPOSITORY_EXAMPLES


def templates() -> dict[str, Template]:
    """Every example with its description and cloud (read from the spec itself)."""
    import yaml

    found = {}
    for spec in sorted(examples_folder().glob("*/aipipe.yaml")):
        data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
        found[spec.parent.name] = Template(spec.parent.name, spec.parent, str(data.get("description", "")),
                                           str(data.get("cloud", "")))
    return found


def plan_copy(template: Template, target: Path) -> list[tuple[Path, Path]]:
    """(source, destination) of every file the project gets, including the schema for editors."""
    pairs = [(source, target / source.relative_to(template.folder)) for source in sorted(template.folder.rglob("*"))
             if source.is_file() and "__pycache__" not in source.parts and ".aipipe" not in source.parts]
    pairs.append((examples_folder() / "aipipe.schema.json", target / "aipipe.schema.json"))
    return pairs


def create_project(name: str, target: Path, force: bool = False) -> list[Path]:
    """Copy template `name` into `target`; refuses to overwrite any file unless `force`. Returns the files."""
    from aipipe.suggest import did_you_mean

    available = templates()
    if name not in available:
        raise InitError(f"unknown template `{name}`{did_you_mean(name, available)}; `aipipe init --list` shows them")
    pairs = plan_copy(available[name], target)
    existing = [destination for _, destination in pairs if destination.exists()]
    if existing and not force:
        shown = ", ".join(str(path) for path in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise InitError(f"{len(existing)} file(s) already exist: {shown}; nothing was written (use --force to "
                        "overwrite them)")
    written = []
    for source, destination in pairs:
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.name == "aipipe.yaml" and destination.parent == target:
            destination.write_text(source.read_text(encoding="utf-8").replace(MODELINE, LOCAL_MODELINE, 1),
                                   encoding="utf-8")
        else:
            shutil.copyfile(source, destination)
        written.append(destination)
    return written
