"""Files aipipe ships beside its code: the program templates and the example specs.

In a checkout they are the repository's top-level `templates/` and `specs/`; an installed wheel carries them
inside the package (pyproject's hatch `sources` put them at `aipipe/templates` and `aipipe/examples`). This is
the one place that knows both layouts.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# folder in a checkout -> folder inside an installed wheel
_WHEEL_NAMES = {"templates": "templates", "specs": "examples"}


def bundled_folder(name: str) -> Path:
    """The folder of bundled files `name` (`templates` or `specs`), wherever this copy of aipipe keeps it."""
    packaged = _PACKAGE / _WHEEL_NAMES[name]
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
