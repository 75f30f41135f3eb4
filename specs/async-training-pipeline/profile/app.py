"""The `profile` step of the training pipeline: summary statistics of the dataset's features with numpy.

numpy is not part of the Lambda runtime: requirements.txt beside this file asks for it, and `aipipe build`
installs its manylinux wheel for the function's target (python3.12 on x86_64) into the function's zip."""

import io
import json
import os

import boto3
import numpy as np

s3 = boto3.client("s3")


def load_features(event) -> np.ndarray:
    """The features as a 2-D array: a .npy object under `features_key`, or the `sample` rows of the input."""
    key = event.get("features_key")
    if key:
        body = s3.get_object(Bucket=os.environ["DATASETS_BUCKET"], Key=key)["Body"].read()
        return np.load(io.BytesIO(body), allow_pickle=False)
    return np.asarray(event.get("sample", [[0.0]]), dtype=np.float64)


def handler(event, context):
    features = np.atleast_2d(load_features(event))
    profile = {
        "rows": int(features.shape[0]),
        "columns": int(features.shape[1]),
        "mean": features.mean(axis=0).round(6).tolist(),
        "std": features.std(axis=0).round(6).tolist(),
        "missing": int(np.isnan(features).sum()),
    }
    print(json.dumps({"step": "profile", "profile": profile}))
    return {**event, "profile": profile}
