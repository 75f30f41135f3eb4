"""A bucket's seed objects: files of the project (or short inline text) uploaded under fixed keys when the bucket
is deployed, such as a settings file the pipeline's functions read. Part of the bucket kind (aipipe.kinds.bucket):
the model of one object, its rules, and the values the bucket templates render.

A seed file is read and uploaded from where the spec is deployed, so it follows the rule of a function's `code`
(aipipe.core.local_paths): a file of the repository that holds the spec (symlinks resolved), out of `.aipipe/`,
`.git/` and `.pulumi/`: a spec from a pull request must not be able to upload /etc/passwd or aipipe's state.
A monorepo's shared settings file (`config/settings.json` beside `infra/`) may be seeded from its place.

An object created in a bucket fires the bucket's triggers like any other, on the first deploy and whenever the
file changes: a seed key a trigger matches is a warning."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field

from aipipe.core.diagnostics import Severity
from aipipe.core.local_paths import ReadableArea
from aipipe.semantics.symbols import CodeFolder
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.references import symbolic
from aipipe.spec.values import Text
from aipipe.triggers.registry import trigger_kind

# An S3 key is "up to 1,024 bytes long" in UTF-8 (docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html);
# a Cloud Storage object name 1-1024 bytes of UTF-8, without carriage returns or line feeds, and not `.` or `..`
# (cloud.google.com/storage/docs/objects#naming)
MAX_KEY_BYTES = 1024
MAX_CONTENT = 65536  # inline text is for small settings: anything larger belongs in a file
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SeedObject(StrictModel):
    """One object the bucket is created with: a file of the project, or inline text."""

    key: str = Field(description="The object's key (name), such as `config/settings.json`; no leading `/`.")
    file: str | None = Field(
        None,
        description="The file to upload, relative to the spec file: any file of the git repository that holds the "
        "spec (the spec's folder when it is not in git), never under `.aipipe/`, `.git/` or `.pulumi/`.",
    )
    content: Annotated[Text, Field(max_length=MAX_CONTENT)] | None = Field(
        None, description="Inline text to upload instead of a file (at most 64 KiB; may hold references)."
    )


def check_seed(ctx: CheckContext, name: str, seed: list[SeedObject]) -> None:
    """Each seed object: a valid key, given once; exactly one of `file` and `content`; a file aipipe may read
    (aipipe.core.local_paths) that exists; and a warning when a trigger of the bucket fires for its key."""
    seen: set[str] = set()
    for position, item in enumerate(seed):
        _check_key(ctx, name, position, item.key, seen)
        if (item.file is None) == (item.content is None):
            ctx.report(
                "AP403",
                "a seed object takes `file` (a file of the project) or `content` (inline text), one of the two",
                ctx.at(name, "seed", position),
            )
        elif item.file is not None:
            seed_file(ctx, name, position, item.file)
        _check_triggers(ctx, name, position, item.key)


def _check_key(ctx: CheckContext, name: str, position: int, key: str, seen: set[str]) -> None:
    path = ctx.at(name, "seed", position, "key")
    problem = None
    if not key or key.startswith("/"):
        problem = "must not be empty or start with `/` (keys are relative to the bucket: `config/settings.json`)"
    elif len(key.encode("utf-8")) > MAX_KEY_BYTES:
        problem = f"is longer than the {MAX_KEY_BYTES} bytes (UTF-8) S3 and Cloud Storage take"
    elif _CONTROL.search(key) or key in (".", ".."):
        problem = "holds a control character (a line break, a tab) or is `.` or `..`, which Cloud Storage refuses"
    elif "${" in key:
        problem = "holds a reference: seed keys are written out in full"
    if problem:
        ctx.report("AP202", f"seed key `{key}` {problem}", path)
    elif key in seen:
        ctx.report("AP460", f"seed key `{key}` is listed twice: one object per key; remove one", path)
    seen.add(key)


def seed_file(ctx: CheckContext, name: str, position: int, file: str) -> Path | None:
    """The resolved seed file when aipipe may upload it: a regular file of the repository that holds the spec,
    under the same rule as a function's `code` (aipipe.core.local_paths); else AP460 and None."""
    found = ReadableArea.of(ctx.base_dir).resolve(file, "file", "./seed/settings.json")
    if isinstance(found, str):
        ctx.report("AP460", f"seed file `{file}` {found}", ctx.at(name, "seed", position, "file"))
        return None
    return found


def _check_triggers(ctx: CheckContext, name: str, position: int, key: str) -> None:
    """A seed key a created-trigger on the bucket matches (aipipe.semantics.keys, through the bucket trigger's
    own `matches`)."""
    for other, resource in ctx.checkable().items():
        for index, trigger in enumerate(getattr(resource, "triggers", ())):
            kind = trigger_kind(trigger)
            if kind.key == "bucket" and kind.source(trigger) == name and trigger.matches("created", key):
                ctx.report(
                    "AP461",
                    f"seed object `{key}` fires trigger {index + 1} of `{other}` when it is first deployed and each "
                    "time it changes; give it a key the trigger's prefix and suffix do not match, or handle "
                    "it in the handler",
                    ctx.at(name, "seed", position, "key"),
                    severity=Severity.WARNING,
                )


def seed_values(spec, seed: list[SeedObject]) -> list[dict]:
    """Each seed object as the templates render it: its child name (stable per key, so reordering the list
    replaces nothing), key, and file (relative to the program) or content."""
    found = []
    for item in seed:
        slug = re.sub(r"[^a-z0-9]+", "-", item.key.lower()).strip("-")[:40]
        digest = hashlib.sha256(item.key.encode("utf-8")).hexdigest()[:8]
        file = None
        if item.file is not None:
            # relative to the spec, `../` and all when the file is elsewhere in the repository
            file = CodeFolder(Path(os.path.relpath((spec.base_dir / item.file).resolve(), spec.base_dir)).as_posix())
        found.append(
            {
                "suffix": f"seed-{slug}-{digest}" if slug else f"seed-{digest}",
                "key": item.key,
                "file": file,
                "content": symbolic(item.content) if item.content is not None else None,
            }
        )
    return found
