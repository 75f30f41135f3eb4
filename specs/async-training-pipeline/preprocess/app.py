"""The `preprocess` step of the training pipeline: receives the state machine's input, returns its output.

An execution starts when a dataset's manifest lands (raw/<dataset>/manifest.json): its input is S3's EventBridge
event, whose detail names the bucket and the manifest's key."""

import json
import os


def handler(event, context):
    # Each step passes a small JSON document along; large data stays in S3 under DATASETS_BUCKET.
    print(json.dumps({"step": "preprocess", "input": event}))
    manifest = event.get("detail", {}).get("object", {}).get("key", "")
    dataset = manifest.rsplit("/", 1)[0] + "/" if "/" in manifest else None
    return {
        **event,
        "preprocess": {"status": "ok", "bucket": os.environ.get("DATASETS_BUCKET"), "dataset": dataset},
    }
