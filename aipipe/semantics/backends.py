"""State backend URLs: which ones Pulumi accepts, whether their bucket or container names can exist, and which
are shared (a CI runner and a teammate see the same state) rather than files on one machine.

Pulumi's DIY backends are opened through gocloud.dev blob URLs (pulumi/pulumi pkg/backend/diy/backend.go:
`file://`, `s3://bucket[/prefix][?region=…]`, `gs://bucket[/prefix]`, `azblob://container[/prefix]`); any `https://`
URL is a Pulumi Cloud (or self-hosted service) endpoint.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# the shape `aipipe validate` checks first (spec.values.BackendUrl); backend_problem looks closer
URL_PATTERN = r"^(file://|s3://|gs://|azblob://|https://)\S+$"
SHARED_SCHEMES = {"s3": "S3 bucket", "gs": "GCS bucket", "azblob": "Azure Blob container"}
EXAMPLES = "`backend: s3://my-state-bucket/aipipe`, `gs://my-state-bucket/aipipe`, `azblob://state` or Pulumi Cloud"

# docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: 3-63 characters, lowercase letters,
# digits, dots and hyphens, beginning and ending with a letter or digit, no two adjacent dots, not an IP address
_S3 = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# cloud.google.com/storage/docs/buckets#naming: 3-63 characters (up to 222 with dots, 63 per dot-separated part),
# lowercase letters, digits, `-`, `_` and `.`, beginning and ending with a letter or digit
_GCS = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
# learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata: 3-63
# characters, lowercase letters, digits and single hyphens, beginning with a letter or digit
_AZURE = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){2,62}")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")


def is_local(url: str) -> bool:
    """State in files on this machine (`file://`)."""
    return url.startswith("file://")


def is_pulumi_cloud(url: str) -> bool:
    """Pulumi Cloud or a self-hosted Pulumi service: it encrypts secrets itself."""
    return url.startswith("https://")


def backend_problem(url: str) -> str | None:
    """What is wrong with a backend URL (None when nothing is): unknown scheme, missing or impossible bucket or
    container name, missing host or path."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return None if url.removeprefix("file://") else "`file://` needs a folder: `file://./state` or `file:///srv/x`"
    if parts.scheme == "https":
        return None if parts.hostname else f"`{url}` has no host: Pulumi Cloud is `https://api.pulumi.com`"
    if parts.scheme not in SHARED_SCHEMES:
        return f"a state backend is `file://`, `s3://`, `gs://`, `azblob://` or `https://` (Pulumi Cloud), got {url!r}"
    name = parts.netloc
    what = SHARED_SCHEMES[parts.scheme]
    if not name:
        return f"`{url}` names no {what}: `{parts.scheme}://NAME/prefix`"
    shape = {"s3": _S3, "gs": _GCS, "azblob": _AZURE}[parts.scheme]
    invalid = not shape.fullmatch(name) or ".." in name or _IP.fullmatch(name) or name.endswith("-")
    if parts.scheme == "gs" and not invalid:
        invalid = any(len(part) > 63 for part in name.split(".")) or ("." not in name and len(name) > 63)
    if invalid:
        return (
            f"`{name}` is not a valid {what} name: 3-63 lowercase letters, digits"
            + {"s3": ", `.` and `-`", "gs": ", `-`, `_` and `.`", "azblob": " and single `-`"}[parts.scheme]
            + ", beginning and ending with a letter or digit"
        )
    return None
