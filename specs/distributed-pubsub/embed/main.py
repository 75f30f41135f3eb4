"""Compute an embedding for one work item delivered by Pub/Sub (CloudEvent) and store it."""

import base64
import hashlib
import json
import os

import functions_framework
import numpy as np
from google.cloud import storage

client = storage.Client()


@functions_framework.cloud_event
def handle_message(cloud_event):
    item = json.loads(base64.b64decode(cloud_event.data["message"]["data"]))
    # Stand-in for a real model call: a deterministic vector from the text.
    digest = hashlib.sha256(item["text"].encode("utf-8")).digest()
    vector = np.frombuffer(digest[:16], dtype=np.uint8).astype(np.float32) / 255
    vector /= np.linalg.norm(vector) or 1.0  # unit length, as embeddings are compared by cosine
    vector = [round(float(value), 6) for value in vector]
    blob = client.bucket(os.environ["RESULTS_BUCKET"]).blob(f"vectors/{item['id']}.json")
    blob.upload_from_string(json.dumps({"id": item["id"], "vector": vector}), content_type="application/json")
