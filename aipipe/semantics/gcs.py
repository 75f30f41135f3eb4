"""Cloud Storage IAM: the condition that narrows an object role on a bucket to key prefixes."""

from __future__ import annotations

from aipipe.semantics.symbols import Attr, Concat


def object_condition(bucket: str, prefixes: list[str]) -> dict | None:
    """An IAM condition narrowing an object role on `bucket` to objects under `prefixes` (None: the whole bucket;
    conditions need uniform bucket-level access, which aipipe's buckets have). Listing is a permission on the
    bucket itself, whose resource name is the bucket's, so the condition also admits the bucket: without it a
    reader of a prefix could not list it (cloud.google.com/storage/docs/access-control/iam#conditions; resource
    names for storage.objects.list: cloud.google.com/iam/docs/conditions-resource-attributes#resource-name)."""
    if "" in prefixes:
        return None
    expression: list = ['resource.type == "storage.googleapis.com/Bucket"']
    for prefix in prefixes:
        start = ' || resource.name.startsWith("projects/_/buckets/'
        expression += [start, Attr(bucket, "name"), f'/objects/{prefix}")']
    return {"title": "objects under " + ", ".join(prefixes), "expression": Concat(*expression)}
