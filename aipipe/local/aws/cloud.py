"""`AwsLocalCloud`: a stack's AWS resources on moto's server in this process (aipipe.local.contract.LocalCloud).

moto keeps its state in process-wide backends, so one AwsLocalCloud runs at a time in a process: `start`
resets moto and refuses while another is running. Every client here carries dummy credentials and the local
endpoint, so neither this process's own AWS credentials nor any request can reach a real account.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from aipipe.local.aws.names import ACCOUNT, PARTITION, LocalNames
from aipipe.local.aws.observe import Watcher
from aipipe.local.aws.resources import create_resources, create_state_machines, dead_letter_key, not_run_locally
from aipipe.local.aws.server import MotoServer, client_environment, emulator_session
from aipipe.local.aws.symbols import Resolver
from aipipe.local.aws.workflows import LambdaDispatch, run_execution
from aipipe.local.bucket_files import stored_objects, write_object
from aipipe.local.contract import Invoker, Occurrence, WorkflowRun
from aipipe.spec.references import symbolic


class AwsLocalCloud:
    """The spec's AWS resources of one stack, held by moto (see the module docstring)."""

    cloud = "aws"
    _running: ClassVar[AwsLocalCloud | None] = None
    _running_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, spec: Any, stack: str, data_dir: Path):
        self.spec = spec
        self.stack = stack
        self.data_dir = Path(data_dir)
        self.names = LocalNames(spec, stack)
        self.resolver = Resolver(self.names)
        self.watcher = Watcher(self.names, self.data_dir)
        self.server = MotoServer(self.watcher.observe)
        functions = [name for name, model in spec.resources.items() if model.type == "function"]
        self.dispatch = LambdaDispatch({self.names.name(name): name for name in functions})
        self._clients: dict[tuple[str, str], Any] = {}
        self._clients_lock = threading.Lock()
        self._machines_created = False
        self._saved_port: str | None = None
        self._workflow_lock = threading.Lock()

    # --- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start moto on 127.0.0.1, create every resource that exists locally, load the data folder."""
        with AwsLocalCloud._running_lock:
            if AwsLocalCloud._running is not None:
                raise RuntimeError("another local AWS cloud runs in this process: moto's state is process-wide")
            AwsLocalCloud._running = self
        try:
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()  # nothing left from an earlier cloud (or test) of this process
            self.server.start()
            # moto's Step Functions interpreter calls the other services at localhost:$MOTO_PORT (moto settings)
            self._saved_port = os.environ.get("MOTO_PORT")
            os.environ["MOTO_PORT"] = str(self.server.port)
            regions = {self.names.region(name) for name in self.spec.resources} | {self.names.home}
            self.dispatch.install(regions)
            create_resources(self.client, self.names, self.resolver)
            self._load_buckets()
            self.watcher.baseline()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop moto (bucket contents stay under the data folder) and undo what start changed in the process;
        nothing for a cloud that is not running."""
        with AwsLocalCloud._running_lock:
            if AwsLocalCloud._running is not self:
                return
        self.watcher.active = False
        self.server.stop()
        self.dispatch.remove()
        if self._saved_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._saved_port
        self._clients.clear()
        with AwsLocalCloud._running_lock:
            if AwsLocalCloud._running is self:
                AwsLocalCloud._running = None

    def __enter__(self) -> AwsLocalCloud:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what handlers and the engine read ----------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The emulator's endpoint URL."""
        return self.server.endpoint

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client of the emulator: its endpoint and dummy credentials, never the environment's."""
        from botocore.config import Config

        place = region or self.names.home
        with self._clients_lock:  # a boto3 session is not thread-safe while it creates clients (its clients are)
            if (service, place) in self._clients:
                return self._clients[(service, place)]
            config = Config(retries={"max_attempts": 1}, read_timeout=900)  # a Lambda runs up to 15 minutes
            client = emulator_session().client(service, region_name=place, endpoint_url=self.endpoint, config=config)
            self._clients[(service, place)] = client
            return client

    def attribute(self, resource: str, attribute: str) -> str:
        """`${resource.attribute}` as the local resources have it (names, ARNs, URLs)."""
        return self.names.attribute(resource, attribute)

    def secret_arn(self, name: str) -> str:
        """The ARN of secret `name`'s copy in the local Secrets Manager (made at start when it is set)."""
        return self.resolver.secret_arn(name)

    def resolve(self, value: Any) -> Any:
        """A value of the renderer (symbols inside, or spec text with `${...}` references) with local values."""
        return self.resolver.value(symbolic(value) if isinstance(value, str) else value)

    def handler_environment(self) -> dict[str, str]:
        """AWS_ENDPOINT_URL, dummy credentials and the stack's region (see server.client_environment)."""
        return client_environment(self.endpoint, self.names.home)

    def not_run_locally(self) -> list[tuple[str, str]]:
        """The stack's resources that do not exist locally, each with what the cloud would do."""
        return not_run_locally(self.names)

    def dead_letter_queue_url(self, subscription: str) -> str | None:
        """The local URL of an aws subscription's own dead-letter queue (None without `dead_letter`)."""
        return self.names.urls.get(dead_letter_key(subscription))

    @property
    def retry_waits(self) -> list[float]:
        """Every retry interval workflows waited (recorded, not slept), in order."""
        return list(self.dispatch.waits)

    @property
    def unwritten_objects(self) -> list[tuple[str, str]]:
        """(bucket, key) of objects whose key cannot be a file under the data folder (`..`, `a//b`, ...)."""
        return list(self.watcher.unwritten)

    def unmirrored(self) -> list[str]:
        """The objects of `unwritten_objects`, as sentences."""
        return [
            f"object `{key}` of bucket `{bucket}` has no file form under the data folder: it is in the emulator only"
            for bucket, key in self.watcher.unwritten
        ]

    # --- inputs -------------------------------------------------------------------------------------------

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        """Write an object into a spec bucket; it is reported like any other write."""
        self.client("s3", self.names.region(bucket)).put_object(Bucket=self.names.name(bucket), Key=key, Body=data)

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> None:
        """Publish a message to a spec topic; it is reported like any other publish."""
        message_attributes = {name: {"DataType": "String", "StringValue": value} for name, value in
                              (attributes or {}).items()}  # fmt: skip
        self.client("sns", self.names.region(topic)).publish(
            TopicArn=self.names.attribute(topic, "arn"),
            Message=data.decode("utf-8"),
            MessageAttributes=message_attributes,
        )

    def send_message(self, queue: str, data: bytes, attributes: Mapping[str, str] | None = None) -> None:
        """Send a message to a spec queue or subscription's queue (what SNS or S3 would put there); it is
        reported, and drained, like any other send. A FIFO queue's messages go to group `aipipe`."""
        message_attributes = {name: {"DataType": "String", "StringValue": value} for name, value in
                              (attributes or {}).items()}  # fmt: skip
        arguments: dict[str, Any] = {"QueueUrl": self.attribute(queue, "url"), "MessageBody": data.decode("utf-8")}
        if message_attributes:
            arguments["MessageAttributes"] = message_attributes
        if self.names.name(queue).endswith(".fifo"):
            arguments["MessageGroupId"] = "aipipe"
            arguments["MessageDeduplicationId"] = hashlib.sha256(data).hexdigest()
        self.client("sqs", self.names.region(queue)).send_message(**arguments)

    def start_workflow(self, workflow: str, input: Any, invoke: Invoker) -> WorkflowRun:
        """Run a spec workflow to its end in moto's interpreter, its function tasks dispatched to `invoke`."""
        model = self.spec.resources.get(workflow)
        if model is None or model.type != "workflow":
            raise LookupError(f"`{workflow}` is not a workflow of stack {self.stack}")
        with self._workflow_lock:
            self.create_state_machines()
            self.dispatch.invoker = invoke
            try:
                machine = self.attribute(workflow, "arn")
                return run_execution(self.client("stepfunctions", self.names.region(workflow)), machine, input)
            finally:
                self.dispatch.invoker = None

    def create_state_machines(self) -> None:
        """Create every workflow's state machine, once (start leaves them to the first workflow run)."""
        if not self._machines_created:
            create_state_machines(self.client, self.names, self.resolver)
            self._machines_created = True

    def occurrences(self) -> list[Occurrence]:
        """Everything that happened to the stack's resources since the last call, in order."""
        return self.watcher.take()

    # --- the data folder ----------------------------------------------------------------------------------

    def _load_buckets(self) -> None:
        """Each bucket's files under the data folder; then its seed objects that are not among them, which the
        cloud uploads at deploy, written to the data folder too. Neither is reported: they were there first."""
        from moto.s3.models import s3_backends

        # straight into moto's backend: through its HTTP API each file cost ~10 ms, a minute for 5,000 files
        backend = s3_backends[ACCOUNT][PARTITION]
        for name, model in self.spec.resources.items():
            if model.type != "bucket":
                continue
            s3, bucket = self.client("s3", self.names.region(name)), self.names.name(name)
            loaded = set()
            for key, path in stored_objects(self.data_dir / name):
                backend.put_object(bucket, key, path.read_bytes(), disable_notification=True)
                loaded.add(key)
            for seed in getattr(model, "seed", None) or []:
                if seed.key in loaded:
                    continue
                if seed.file is not None:
                    body = (self.spec.base_dir / seed.file).read_bytes()
                else:
                    body = str(self.resolve(seed.content)).encode("utf-8")
                s3.put_object(Bucket=bucket, Key=seed.key, Body=body)
                write_object(self.data_dir / name, seed.key, body)
