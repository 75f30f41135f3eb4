"""The local gcp cloud (`aipipe run` / `aipipe invoke` on a gcp spec): Cloud Storage on gcp-storage-emulator in a
thread of this process, bucket contents mirrored as files under the data folder, Pub/Sub topics held by aipipe
(the engine delivers to subscriptions with the spec's filter, ack deadline, retries and dead letters).

Handlers reach the emulator through STORAGE_EMULATOR_HOST and publish through PUBSUB_EMULATOR_HOST (a gRPC server
of Pub/Sub's Publish call alone), which google-cloud-storage and google-cloud-pubsub honour with anonymous
credentials; they get no credentials of any kind (`handler_environment`). What the cloud would do but the local
cloud does not is listed by `not_run_locally`, never faked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aipipe.local.bucket_files import stored_objects
from aipipe.local.contract import Invoker, Occurrence, WorkflowRun
from aipipe.local.gcp.emulator import StorageEmulator, observed_storage
from aipipe.local.gcp.names import bucket_name, local_attribute, local_name, local_project, topic_path
from aipipe.local.gcp.not_run import not_run_locally
from aipipe.local.gcp.occurrences import OccurrenceLog, message_detail
from aipipe.local.gcp.publish_server import EMPTY, PublishServer
from aipipe.local.gcp.seeds import seed_objects
from aipipe.local.gcp.storage_api import create_bucket, upload
from aipipe.local.gcp.sync import BucketSync

# google.auth.default() reads GOOGLE_APPLICATION_CREDENTIALS first and, when the file it names is missing, raises
# rather than falling back to a user's gcloud login or a metadata server (google-auth google/auth/_default.py,
# _get_explicit_environ_credentials -> load_credentials_from_file: "File ... was not found"; tested): a handler's
# client that is not pointed at an emulator fails here rather than reaching a real project
NO_CREDENTIALS = "aipipe-local-runs-have-no-google-credentials.json"


class GcpLocalCloud:
    """The resources of one gcp stack, held locally (aipipe.local.contract.LocalCloud)."""

    cloud = "gcp"

    def __init__(self, spec: Any, stack: str, data_dir: Path) -> None:
        self.spec, self.stack, self.data_dir = spec, stack, Path(data_dir)
        self.project = local_project(spec)
        self._log = OccurrenceLog()
        resources = spec.resources.items()
        self._buckets = {name: bucket_name(spec, stack, name) for name, model in resources if model.type == "bucket"}
        self._topics = {
            name: topic_path(spec, local_name(spec, stack, name)) for name, model in resources if model.type == "topic"
        }
        self._sync = BucketSync(self.data_dir, {local: name for name, local in self._buckets.items()}, self._log)
        self._topic_of = {topic_id: name for name, topic_id in self._topics.items()}
        self._emulator: StorageEmulator | None = None
        self._publisher = PublishServer(self._handler_publish)
        self.start_seconds: float | None = None  # how long `start` took, for `aipipe run` and benchmarks

    def unmirrored(self) -> list[str]:
        """The objects kept in the emulator only, as sentences (`problems`)."""
        return list(self._sync.problems)

    @property
    def problems(self) -> list[str]:
        """Objects that could not be mirrored as files (a key such as `a//b`, or both `a` and `a/b`)."""
        return self._sync.problems

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve Cloud Storage and Pub/Sub's Publish on 127.0.0.1, create the stack's buckets with the files of the
        data folder (not reported: they were there before the run), then upload the buckets' `seed` objects the
        folder lacks or holds otherwise (reported, as the first deploy's uploads fire the bucket's triggers)."""
        began = time.perf_counter()
        self._emulator = StorageEmulator(observed_storage(self._sync.observe))
        try:
            self._emulator.start()
            if self._topics:
                self._publisher.start()
            self._create_buckets(self._emulator.url)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - began

    def _create_buckets(self, host: str) -> None:
        with self._sync.quiet():
            for resource, name in self._buckets.items():
                create_bucket(host, name, self.project)
                for key, path in stored_objects(self.data_dir / resource):
                    upload(host, name, key, path.read_bytes())
        for resource, key, content in seed_objects(self.spec, self.attribute):
            if self._sync.stored(resource, key) != content:
                upload(host, self._buckets[resource], key, content)

    def stop(self) -> None:
        """Stop the emulators; the bucket contents stay as files under the data folder."""
        self._publisher.stop()
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None

    def __enter__(self) -> GcpLocalCloud:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what handlers see -------------------------------------------------------------------------------------

    def attribute(self, resource: str, attribute: str) -> str:
        """`${resource.attribute}` with the local names (aipipe.local.gcp.names)."""
        return local_attribute(self.spec, self.stack, resource, attribute)

    def secret_arn(self, name: str) -> str:
        """No stored secrets on gcp (`${secret.NAME.arn}` is an aws form)."""
        raise LookupError(f"`${{secret.{name}.arn}}` is an aws reference; gcp specs take `${{secret.{name}}}`")

    def handler_environment(self) -> dict[str, str]:
        """STORAGE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST (google-cloud-storage and google-cloud-pubsub then use
        anonymous credentials), the local project, and a credentials file that does not exist, so any other Google
        client fails instead of finding real credentials; 127.0.0.1 is never reached through a proxy."""
        if self._emulator is None:
            raise RuntimeError("start the local cloud first: the emulators' ports are chosen when they start")
        publish = {"PUBSUB_EMULATOR_HOST": self._publisher.address} if self._publisher.address else {}
        return {
            "STORAGE_EMULATOR_HOST": self._emulator.url,
            **publish,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "GCLOUD_PROJECT": self.project,  # the name older Google libraries read
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.data_dir.resolve() / NO_CREDENTIALS),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    # --- inputs ------------------------------------------------------------------------------------------------

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        """Upload an object into a spec bucket through the emulator's API (`--put`): reported like any write."""
        if bucket not in self._buckets:
            raise KeyError(f"`{bucket}` is no bucket of stack `{self.stack}` (buckets: {', '.join(self._buckets)})")
        if self._emulator is None:
            raise RuntimeError("start the local cloud first")
        upload(self._emulator.url, self._buckets[bucket], key, data)

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> str:
        """Publish a message to a spec topic (`--publish`); reported as a "message" occurrence. Its message id."""
        if topic not in self._topics:
            raise KeyError(f"`{topic}` is no topic of stack `{self.stack}` (topics: {', '.join(self._topics)})")
        attributes = dict(attributes or {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
            raise TypeError("Pub/Sub message attributes are strings (keys and values)")
        if not data and not attributes:
            raise ValueError(EMPTY)
        return self._record(topic, bytes(data), attributes, "")

    def _handler_publish(self, topic_id: str, data: bytes, attributes: Mapping[str, str], key: str) -> str | None:
        """A handler's publish through the Publish server; None for a topic that is not the spec's."""
        topic = self._topic_of.get(topic_id)
        return None if topic is None else self._record(topic, data, attributes, key)

    def _record(self, topic: str, data: bytes, attributes: Mapping[str, str], ordering_key: str) -> str:
        message_id = self._log.next_message_id()
        detail = message_detail(self._topics[topic], message_id, data, attributes, ordering_key)
        self._log.add(Occurrence(topic, "message", detail))
        return message_id

    def start_workflow(self, workflow: str, input: Any, invoke: Invoker) -> WorkflowRun:
        """There are no workflows on gcp: always an error."""
        raise ValueError(f"`{workflow}`: gcp has no workflow kind, so there is no workflow to start locally")

    # --- reports -----------------------------------------------------------------------------------------------

    def occurrences(self) -> list[Occurrence]:
        """Objects finalized and deleted (by anyone: inputs, seeds, handlers) and messages published, in order."""
        return self._log.drain()

    def not_run_locally(self) -> list[tuple[str, str]]:
        """(resource, what the cloud would do) for what the local cloud does not run."""
        return not_run_locally(self.spec)


__all__ = ["GcpLocalCloud"]
