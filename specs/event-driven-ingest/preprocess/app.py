"""Clean one uploaded JSON-lines file into curated/processed/ and publish one event per record."""

import json
import os
import urllib.parse

import boto3

s3 = boto3.client("s3")
kinesis = boto3.client("kinesis")
_labelling_api_key = None


def labelling_api_key() -> str:
    """The labelling service's key, read once per container from Secrets Manager (the spec passes its ARN)."""
    global _labelling_api_key
    if _labelling_api_key is None:
        arn = os.environ["LABELLING_API_KEY_ARN"]
        client = boto3.client("secretsmanager", region_name=arn.split(":")[3])
        _labelling_api_key = client.get_secret_value(SecretId=arn)["SecretString"]
    return _labelling_api_key


def handler(event, context):
    written = 0
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        rows = [json.loads(line) for line in body.splitlines() if line.strip()]
        cleaned = [row for row in rows if row.get("text")]
        out_key = os.environ["OUTPUT_PREFIX"] + key.rsplit("/", 1)[-1]
        s3.put_object(
            Bucket=os.environ["OUTPUT_BUCKET"],
            Key=out_key,
            Body="\n".join(json.dumps(row) for row in cleaned).encode("utf-8"),
        )
        for row in cleaned:
            kinesis.put_record(
                StreamName=os.environ["EVENTS_STREAM"],
                Data=json.dumps({"key": out_key, "id": row.get("id")}).encode("utf-8"),
                PartitionKey=str(row.get("id", out_key)),
            )
        written += len(cleaned)
    return {"records": written}
