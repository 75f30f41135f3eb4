"""May aipipe read this local path for this spec: the one rule for every file or folder a spec makes aipipe
read on the machine that plans or deploys it (a function's `code`, a bucket's seed `file`, what a code folder's
`requirements.txt` reads).

Whatever a spec names is packaged, installed or uploaded, often on a CI runner checking out a pull request, so
a spec must not be able to reach /etc, $HOME or aipipe's state. The rule, symlinks resolved before comparing:

- inside the repository that holds the spec: its git work tree, the nearest folder at or above the spec's
  folder with a `.git` entry (a folder; a file in a git worktree or submodule), found without running git; the
  spec's own folder when no repository holds it. A monorepo keeps specs in `infra/` and code in `services/`;
- never inside a folder of state or credentials, at any depth: `.aipipe/` (aipipe's state and passphrase),
  `.git/` (`.git/config` keeps the token actions/checkout persists by default), `.pulumi/`;
- never the spec's folder or a folder above it: each holds the spec's `.aipipe/`, which packing or installing
  it would take along."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

from aipipe.core.state_folder import STATE_FOLDER

PRIVATE_FOLDERS = frozenset({STATE_FOLDER, ".git", ".pulumi"})


def repository_root(folder: Path) -> Path | None:
    """The work tree of the git repository holding `folder` (a resolved folder): the nearest folder at or above
    it with a `.git` entry, folder or file; None when there is none."""
    return next((candidate for candidate in (folder, *folder.parents) if os.path.lexists(candidate / ".git")), None)


@dataclass(frozen=True)
class ReadableArea:
    """What aipipe may read for one spec: the files under `root` (the repository holding the spec, or the
    spec's folder outside git), less the private folders and the folders holding the spec's `.aipipe/`."""

    spec_folder: Path
    root: Path
    in_repository: bool

    @classmethod
    def of(cls, spec_folder: Path) -> ReadableArea:
        """The area of the spec whose folder is `spec_folder`."""
        folder = spec_folder.resolve()
        root = repository_root(folder)
        return cls(folder, root or folder, root is not None)

    def refusal(self, resolved: Path) -> str | None:
        """Why aipipe may not read `resolved` (a path with its symlinks resolved), as the words that follow its
        name (`is outside ...`), with how to fix it; None when it may."""
        if not resolved.is_relative_to(self.root):
            if self.in_repository:
                return (
                    f"is outside the repository that holds the spec ({self.root}; symlinks are followed): aipipe "
                    "reads only files of the spec's own repository. Move it into the repository"
                )
            return (
                f"is outside the spec's folder ({self.spec_folder}; symlinks are followed), and no git repository "
                "holds the spec (no `.git` at or above its folder) that would allow more. Move it inside the "
                "spec's folder, or keep the spec in the git repository that holds it"
            )
        if resolved == self.spec_folder or resolved in self.spec_folder.parents:
            return (
                f"is the spec's folder or a folder above it ({resolved}), which contains the spec's `{STATE_FOLDER}/` "
                "(aipipe's state and passphrase). Name a folder of its own instead"
            )
        private = sorted(set(resolved.relative_to(self.root).parts) & PRIVATE_FOLDERS)
        if private:
            return (
                f"is inside `{private[0]}/`, which holds state and credentials (aipipe's, git's, Pulumi's), not "
                "code or data"
            )
        return None

    def resolve(self, written: str, want: Literal["folder", "file"], example: str) -> Path | str:
        """The existing `want` that `written` (relative to the spec's folder) names, resolved; or why aipipe may
        not read it, as the words that follow its name. `example` shows a relative path of the right kind."""
        if not written.strip():
            return f"is empty: name a {want} relative to the spec file, such as {example}"
        if PurePath(written).is_absolute():
            return f"must be relative to the spec file, such as {example} (an absolute path is not portable)"
        try:
            resolved = (self.spec_folder / written).resolve()
            refusal = self.refusal(resolved)
            exists, is_dir, is_file = resolved.exists(), resolved.is_dir(), resolved.is_file()
        except (OSError, RuntimeError) as error:  # too long, not permitted, symlink loop
            return f"cannot be read: {getattr(error, 'strerror', None) or error}"
        if refusal is not None:
            return refusal
        if want == "folder" and not is_dir:
            return f"{'is a file, not a folder' if exists else 'does not exist'} (resolved: {resolved})"
        if want == "file" and not is_file:
            return f"{'is not a regular file' if exists else 'does not exist'} (resolved: {resolved})"
        return resolved
