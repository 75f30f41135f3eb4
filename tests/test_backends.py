"""State backend URLs: bucket and container names that can exist, schemes Pulumi opens, shared or local."""

from __future__ import annotations

import pytest

from aipipe.semantics.backends import backend_problem, is_local, is_pulumi_cloud


@pytest.mark.parametrize(
    "url",
    [
        "file://./state",
        "file:///srv/pulumi",
        "s3://my-state/aipipe",
        "s3://a.b-c",
        "s3://abc?region=eu-west-1&awssdk=v2",
        "gs://my_state/aipipe",
        "gs://" + "a" * 63,
        "gs://" + ".".join(["a" * 63] * 3),  # dotted names: each part 63 at most, 222 in all
        "azblob://state",
        "azblob://a-b-c/prefix",
        "https://api.pulumi.com",
        "https://pulumi.internal.example.com",
    ],
)
def test_backends_that_can_exist(url):
    assert backend_problem(url) is None


@pytest.mark.parametrize(
    "url, words",
    [
        ("file://", "needs a folder"),
        ("https://", "has no host"),
        ("ftp://x/y", "a state backend is"),
        ("s3://", "names no S3 bucket"),
        ("s3://ab", "not a valid S3 bucket name"),
        ("s3://" + "a" * 64, "not a valid S3 bucket name"),
        ("s3://Upper", "not a valid S3 bucket name"),
        ("s3://under_score", "not a valid S3 bucket name"),
        ("s3://a..b", "not a valid S3 bucket name"),
        ("s3://10.0.0.1", "not a valid S3 bucket name"),
        ("s3://-abc", "not a valid S3 bucket name"),
        ("s3://abc-", "not a valid S3 bucket name"),
        ("gs://" + "a" * 64, "not a valid GCS bucket name"),
        ("gs://" + "a" * 64 + ".b", "not a valid GCS bucket name"),
        ("gs://_abc", "not a valid GCS bucket name"),
        ("azblob://ab", "not a valid Azure Blob container name"),
        ("azblob://a--b", "not a valid Azure Blob container name"),
        ("azblob://abc-", "not a valid Azure Blob container name"),
        ("azblob://a_b", "not a valid Azure Blob container name"),
    ],
)
def test_backends_that_cannot_exist_say_why(url, words):
    assert words in (backend_problem(url) or "")


def test_local_and_pulumi_cloud():
    assert is_local("file://./s") and not is_local("s3://bucket")
    assert is_pulumi_cloud("https://api.pulumi.com") and not is_pulumi_cloud("gs://bucket")
