"""A LocalCloud stand-in for tests of `aipipe invoke`, events and handlers: no emulator, the local names and
ARNs local-brief agrees on (`<pipeline>-<stack>-<resource>`, account 123456789012, project `local-<pipeline>`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aipipe.local.bucket_files import write_object
from aipipe.local.contract import Occurrence
from aipipe.local.naming import LOCAL_ACCOUNT, local_name, local_project

ENDPOINT = "http://127.0.0.1:9"  # nothing listens: a handler that calls its cloud fails fast


class FakeLocalCloud:
    """Resources named as the real local clouds name them; start/stop only recorded."""

    def __init__(self, spec, stack: str = "dev", data_dir=None):
        self.spec, self.stack = spec, stack
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="aipipe-fake-"))
        self.cloud = spec.cloud
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def attribute(self, resource: str, attribute: str) -> str:
        name = local_name(self.spec, resource)
        kind = self.spec.resources[resource].type
        region = getattr(self.spec.resources[resource], "region", None) or self.spec.header.region
        if self.cloud == "gcp":
            return {
                "name": name,
                "id": f"projects/{local_project(self.spec)}/topics/{name}" if kind == "topic" else name,
                "url": f"gs://{name}" if kind == "bucket" else f"http://127.0.0.1:8080/{name}",
            }.get(attribute, name)
        arns = {
            "bucket": f"arn:aws:s3:::{name}",
            "topic": f"arn:aws:sns:{region}:{LOCAL_ACCOUNT}:{name}",
            "queue": f"arn:aws:sqs:{region}:{LOCAL_ACCOUNT}:{name}",
            "subscription": f"arn:aws:sqs:{region}:{LOCAL_ACCOUNT}:{name}",  # its SQS queue
            "stream": f"arn:aws:kinesis:{region}:{LOCAL_ACCOUNT}:stream/{name}",
            "table": f"arn:aws:dynamodb:{region}:{LOCAL_ACCOUNT}:table/{name}",
            "function": f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{name}",
        }
        if attribute == "arn":
            return arns.get(kind, f"arn:aws:{kind}:{region}:{LOCAL_ACCOUNT}:{name}")
        if attribute == "stream_arn":
            return f"{arns['table']}/stream/2026-01-01T00:00:00.000"
        if attribute == "url":
            return f"s3://{name}" if kind == "bucket" else f"{ENDPOINT}/{LOCAL_ACCOUNT}/{name}"
        return name

    def secret_arn(self, name: str) -> str:
        region = self.spec.header.region
        return f"arn:aws:secretsmanager:{region}:{LOCAL_ACCOUNT}:secret:{local_name(self.spec, name.replace('_', '-'))}"

    def handler_environment(self) -> dict[str, str]:
        if self.cloud == "gcp":
            return {"STORAGE_EMULATOR_HOST": ENDPOINT, "GOOGLE_CLOUD_PROJECT": local_project(self.spec)}
        return {"AWS_ENDPOINT_URL": ENDPOINT, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        write_object(self.data_dir / bucket, key, data)

    def unmirrored(self) -> list[str]:
        return []

    def occurrences(self) -> list[Occurrence]:
        return []
