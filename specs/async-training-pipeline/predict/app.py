"""The `predict` step of the training pipeline: receives the state machine's input, returns its output."""

import json
import os


def handler(event, context):
    # Each step passes a small JSON document along; large data stays in S3 under DATASETS_BUCKET.
    print(json.dumps({"step": "predict", "input": event}))
    return {**event, "predict": {"status": "ok", "bucket": os.environ.get("DATASETS_BUCKET")}}
