"""The `.aipipe/` folder beside a spec: local state, the generated passphrase, rendered programs, deployment
records. Specs are committed to git, this folder never is: whoever creates it also writes its `.gitignore`."""

from __future__ import annotations

from pathlib import Path

STATE_FOLDER = ".aipipe"
IGNORE_ALL = "# written by aipipe: state, passphrase and rendered programs stay out of git\n*\n"


def protect(folder: Path) -> Path:
    """Create `folder` (a `.aipipe/`) if needed, with a `.gitignore` that ignores everything in it."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(IGNORE_ALL, encoding="utf-8")
    return folder


def protect_above(path: Path) -> None:
    """Protect the `.aipipe/` folder that `path` lies in, if it lies in one."""
    for folder in (path, *path.parents):
        if folder.name == STATE_FOLDER:
            protect(folder)
            return


def ignore_in_project(target: Path) -> Path:
    """A new project's `.gitignore` lists `.aipipe/` (appended when the file exists without it)."""
    path = target / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not any(line.strip().rstrip("/") in (STATE_FOLDER, "/" + STATE_FOLDER) for line in text.splitlines()):
        separator = "" if not text or text.endswith("\n") else "\n"
        path.write_text(f"{text}{separator}{STATE_FOLDER}/\n", encoding="utf-8")
    return path
