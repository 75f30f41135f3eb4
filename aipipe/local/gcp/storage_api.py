"""The few Cloud Storage JSON API calls aipipe itself makes to the emulator (create a bucket, upload an object),
through its HTTP API as any client would, so they take the same path as a handler's uploads."""

from __future__ import annotations

import json
import mimetypes
import urllib.request
import uuid
from urllib.parse import quote

OCTET_STREAM = "application/octet-stream"  # what Cloud Storage stores when an upload names no content type
TIMEOUT = 30
# the emulator is on 127.0.0.1: never through a proxy the environment names (HTTP_PROXY)
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _call(method: str, url: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    with _DIRECT.open(request, timeout=TIMEOUT) as response:
        text = response.read()
    return json.loads(text) if text else {}


def create_bucket(host: str, name: str, project: str) -> dict:
    """buckets.insert (cloud.google.com/storage/docs/json_api/v1/buckets/insert)."""
    body = json.dumps({"name": name}).encode()
    return _call("POST", f"{host}/storage/v1/b?project={quote(project)}", body, "application/json")


def content_type(key: str) -> str:
    """The content type a key's extension suggests, as `gcloud storage cp` guesses it; else octet-stream."""
    guessed, _ = mimetypes.guess_type(key)
    return guessed or OCTET_STREAM


def upload(host: str, bucket: str, key: str, data: bytes) -> dict:
    """A multipart upload, metadata and content in one request, as google-cloud-storage makes for small objects
    (cloud.google.com/storage/docs/json_api/v1/objects/insert, uploadType=multipart), which Cloud Storage
    finalizes at once; the object resource it answers. (The emulator reads a media upload's JSON content as
    metadata, so media uploads of .json files fail there.)"""
    boundary = "aipipe-" + uuid.uuid4().hex
    metadata = json.dumps({"name": key, "contentType": content_type(key)}).encode()
    body = b"".join(
        [
            f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
            metadata,
            f"\r\n--{boundary}\r\nContent-Type: {content_type(key)}\r\n\r\n".encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    url = f"{host}/upload/storage/v1/b/{quote(bucket, safe='')}/o?uploadType=multipart"
    return _call("POST", url, body, f"multipart/related; boundary={boundary}")
