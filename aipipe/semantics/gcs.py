"""Cloud Storage IAM: the condition that narrows an object role on a bucket to key prefixes."""

from __future__ import annotations

import json
from typing import Any

from aipipe.semantics.symbols import Concat

# The list request's `prefix`, which IAM conditions on a bucket may read
# (cloud.google.com/iam/docs/conditions-attribute-reference#api-attributes: storage.googleapis.com/objectListPrefix)
_LIST_PREFIX = 'api.getAttribute("storage.googleapis.com/objectListPrefix", "")'


def object_condition(bucket_name: Any, prefixes: list[str]) -> dict | None:
    """An IAM condition narrowing an object role on the bucket named `bucket_name` (a symbol: a spec bucket's
    `Attr(name, "name")`, or a program bucket's) to objects under `prefixes` (None: the whole bucket;
    conditions need uniform bucket-level access, which aipipe's buckets have). Objects are matched by resource
    name; listing is a permission on the bucket, so it is admitted only for list requests whose `prefix` is under
    one of them: a reader of a prefix lists that prefix and no other (cloud.google.com/storage/docs/access-control/
    iam#conditions; resource names: cloud.google.com/iam/docs/conditions-resource-attributes#resource-name)."""
    if "" in prefixes:
        return None
    expression: list = []
    for prefix in prefixes:
        separator = " || " if expression else ""
        # a CEL string literal: JSON's escaping of `"` and `\` is CEL's
        expression += [f'{separator}resource.name.startsWith("projects/_/buckets/', bucket_name]
        expression += [
            f"/objects/{json.dumps(prefix, ensure_ascii=False)[1:]})",
            f" || {_LIST_PREFIX}.startsWith({json.dumps(prefix, ensure_ascii=False)})",
        ]
    return {"title": "objects under " + ", ".join(prefixes), "expression": Concat(*expression)}
