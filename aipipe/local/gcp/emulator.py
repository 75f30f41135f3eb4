"""gcp-storage-emulator served from a thread of this process on 127.0.0.1, on a port the system picks, with a
storage that reports every completed write and every delete.

The emulator's `create_server` takes a fixed port and hides its storage, so this module builds the same two
pieces it is made of (its `Storage`, in memory, and its `RequestHandler` behind an `HTTPServer`, one request at a
time as the emulator serves them) with port 0 and an observing `Storage`. `Storage.create_file` is where every
upload ends (media, multipart, the last part of a resumable upload, XML PUT, copy, rewrite, compose, restore):
one report per finalized object, as Cloud Storage's `finalized` event; `delete_file` is where deletes end.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from http.server import HTTPServer
from typing import Any

HOST = "127.0.0.1"
# (event "created" | "deleted", bucket name, object name, the object resource as the JSON API returns it, content)
Report = Callable[[str, str, str, dict, bytes | None], None]
MISSING = "the local gcp cloud needs gcp-storage-emulator: pip install 'aipipe[local]'"


def _emulator() -> Any:
    try:
        from gcp_storage_emulator import server, storage
    except ImportError as error:
        raise RuntimeError(MISSING) from error
    return server, storage


def observed_storage(report: Report) -> Any:
    """An in-memory emulator storage calling `report` after each completed write and each delete."""
    _, storage = _emulator()

    class ObservedStorage(storage.Storage):
        """The emulator's storage, reporting what changes."""

        def create_file(self, bucket_name, file_name, content, file_obj, file_id=None):
            # Every write is a new generation, whose metageneration is 1 (python-storage docs/
            # generation_metageneration.rst: "its metageneration is reset to 1"); the emulator counts the
            # metadata an upload carries as a patch and says 2, which a finalized event never does.
            file_obj["metageneration"] = "1"
            super().create_file(bucket_name, file_name, content, file_obj, file_id)
            report("created", bucket_name, file_name, dict(file_obj), bytes(content))

        def delete_file(self, bucket_name, file_name):
            existing = self.objects.get(bucket_name, {}).get(file_name)
            super().delete_file(bucket_name, file_name)
            report("deleted", bucket_name, file_name, dict(existing or {}), None)

        def _write_config_to_file(self):
            # The emulator writes every bucket's and object's metadata out as JSON after each change, read back
            # only when a storage is made; in memory that is never, and it made each write as slow as the
            # number of objects (loading a data folder of n files took n^2).
            pass

    return ObservedStorage(use_memory_fs=True)


class StorageEmulator:
    """The emulator's HTTP API on 127.0.0.1 in a daemon thread; `url` is what STORAGE_EMULATOR_HOST takes."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port> (google-cloud-storage reads the scheme from STORAGE_EMULATOR_HOST)."""
        if self._httpd is None:
            raise RuntimeError("the storage emulator is not started")
        return f"http://{HOST}:{self._httpd.server_address[1]}"

    def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve."""
        server, _ = _emulator()
        # the emulator logs a warning per string response and an error per 404 (a client's exists() check):
        # noise in a run's trace; a failing request still fails for the client that made it
        for name in ("gcp_storage_emulator", "api.object", "api.bucket"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self._httpd = HTTPServer((HOST, 0), partial(server.RequestHandler, self.storage))
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="gcs-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None
