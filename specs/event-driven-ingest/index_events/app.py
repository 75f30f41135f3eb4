"""Append a batch of record events from Kinesis to a daily index file in curated/index/."""

import base64
import json
import os
import time

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    entries = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]
    key = f"index/{time.strftime('%Y-%m-%d')}/{context.aws_request_id}.jsonl"
    s3.put_object(
        Bucket=os.environ["INDEX_BUCKET"],
        Key=key,
        Body="\n".join(json.dumps(e) for e in entries).encode("utf-8"),
    )
    return {"indexed": len(entries)}
