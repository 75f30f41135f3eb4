"""Keeps the data folder in step with the emulator's buckets and reports each change as an occurrence: called by
the emulator's storage (in its thread) after each finalized upload and each delete."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from aipipe.local.bucket_files import object_path, remove_object, write_object
from aipipe.local.contract import Occurrence
from aipipe.local.gcp.occurrences import OccurrenceLog, object_detail


class BucketSync:
    """Mirror of the spec's buckets under `data_dir/<bucket resource>/`, and the source of "object" occurrences.
    Buckets that are not the spec's (a handler may create its own) are neither mirrored nor reported."""

    def __init__(self, data_dir: Path, resource_of: Mapping[str, str], log: OccurrenceLog) -> None:
        self.data_dir = data_dir
        self.resource_of = dict(resource_of)  # local bucket name -> spec resource
        self.problems: list[str] = []
        self._log = log
        self._quiet = threading.Event()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """While loading the data folder: objects written are neither reported nor written back."""
        self._quiet.set()
        try:
            yield
        finally:
            self._quiet.clear()

    def stored(self, resource: str, key: str) -> bytes | None:
        """The content of a bucket's object as its file holds it, or None."""
        path = object_path(self.data_dir / resource, key)
        return path.read_bytes() if path is not None and path.is_file() else None

    def observe(self, event: str, bucket: str, key: str, resource: dict, content: bytes | None) -> None:
        """An object of `bucket` was finalized ("created", with its content) or deleted."""
        spec_bucket = self.resource_of.get(bucket)
        if spec_bucket is None or self._quiet.is_set():
            return
        folder = self.data_dir / spec_bucket
        if event == "created":
            problem = write_object(folder, key, content or b"")
            if problem:
                self.problems.append(problem)
        else:
            remove_object(folder, key)
        self._log.add(Occurrence(spec_bucket, "object", object_detail(event, bucket, key, resource)))
