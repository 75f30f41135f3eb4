"""Real public serverless pipelines rewritten as aipipe specs (tests/data/realworld/<name>/): each validates with
only the warnings it acknowledges, plans under mocks to the resources that stand for the original's parts (listed
by hand in the `expected.yaml` beside it), is wired as the original is, and renders a program pyright accepts.
docs/realworld.md tallies the same parts; a test keeps its counts equal to the `expected.yaml` files."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from aipipe.codegen.project import write_project
from aipipe.core.diagnostics import Severity
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec

from conftest import DATA, ROOT
from test_programs import pyright_report

REALWORLD = DATA / "realworld"
SPECS = sorted(REALWORLD.glob("*/aipipe.yaml"))
NAMES = [path.parent.name for path in SPECS]
STATUSES = ("exact", "approx", "missing")


def expected(name: str) -> dict:
    return yaml.safe_load((REALWORLD / name / "expected.yaml").read_text())


def spec_of(name: str):
    result = load_spec(str(REALWORLD / name / "aipipe.yaml"), "dev")
    assert result.valid, [d.to_json() for d in result.diagnostics]
    return result.spec


@pytest.fixture(scope="module")
def plans():
    return {name: plan_spec(spec_of(name)) for name in NAMES}


def find(plan, type_token, name=None):
    return [r for r in plan.resources if r.type == type_token and (name is None or r.name == name)]


def one(plan, type_token, name):
    [resource] = find(plan, type_token, name)
    return resource


def test_the_corpus_holds_at_least_four_pipelines_on_both_clouds():
    clouds = Counter(yaml.safe_load(path.read_text())["cloud"] for path in SPECS)
    assert len(SPECS) >= 4
    assert clouds["aws"] >= 1 and clouds["gcp"] >= 1


@pytest.mark.parametrize("name", NAMES)
def test_spec_cites_its_original_and_the_commit_read(name):
    header = []
    for line in (REALWORLD / name / "aipipe.yaml").read_text().splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    text = "\n".join(header)
    assert re.search(r"# Original: https://github\.com/[\w.-]+/[\w.-]+", text)
    assert re.search(r"\b[0-9a-f]{40}\b", text), "the commit hash read"
    assert "Files read:" in text


@pytest.mark.parametrize("name", NAMES)
def test_spec_validates_with_only_the_warnings_it_acknowledges(name):
    result = load_spec(str(REALWORLD / name / "aipipe.yaml"), None)  # every stack
    errors = [d.to_json() for d in result.diagnostics if d.severity is Severity.ERROR]
    assert result.valid and errors == []
    warnings = sorted({d.code for d in result.diagnostics if d.severity is Severity.WARNING})
    assert warnings == sorted(expected(name)["warnings"])


@pytest.mark.parametrize("name", NAMES)
def test_expected_parts_are_well_formed(name):
    for part in expected(name)["parts"]:
        assert part["status"] in STATUSES, part
        assert set(part) <= {"part", "status", "how", "plan"}, part
        # what is missing has nothing in the plan; what is approximate says how
        assert bool(part.get("plan")) == (part["status"] != "missing"), part
        assert part["status"] == "exact" or part.get("how"), part


@pytest.mark.parametrize("name", NAMES)
def test_plan_holds_the_resources_standing_for_the_originals_parts(name, plans):
    plan = plans[name]
    absent = []
    for part in expected(name)["parts"]:
        for entry in part.get("plan", []):
            type_token, _, resource_name = entry.partition(" ")
            if not find(plan, type_token, resource_name or None):
                absent.append(f"{part['part']}: {entry}")
    assert absent == []


def _statement_actions(plan, policy_name):
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy", policy_name).inputs["policy"])
    return {action for statement in policy["Statement"] for action in _as_list(statement["Action"])}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_sfn_glue_etl_is_wired_as_the_original(plans):
    plan = plans["sfn-glue-etl"]
    machine = one(plan, "aws:sfn/stateMachine:StateMachine", "etl")
    definition = json.loads(machine.inputs["definition"])
    states = definition["States"]
    job = one(plan, "aws:glue/job:Job", "etl-job")
    assert definition["StartAt"] == "ValidateInput"
    assert states["RunGlueJob"]["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert states["RunGlueJob"]["Parameters"]["JobName"] == job.inputs["name"] == "sfn-glue-etl-job"
    assert states["RawCrawlerWait"] == {"Type": "Wait", "Seconds": 30, "Next": "RawCrawlerStatus"}
    assert states["Fail"]["Type"] == "Fail" and states["Fail"]["Error"] == "ValidationError"
    assert "Default" not in states["ValidationSuccess"]  # as the original (AP454 acknowledged)
    assert states["SuccessNotification"]["Resource"] == "arn:aws:states:::sns:publish"
    # the Glue job runs the seeded script; the state machine may run that job only
    assert job.inputs["command"]["scriptLocation"] == "s3://data/glue/gluejob.py"
    [seed] = find(plan, "aws:s3/bucketObjectv2:BucketObjectv2")
    assert seed.inputs["key"] == "glue/gluejob.py"
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy", "etl-policy").inputs["policy"])
    [glue] = [s for s in policy["Statement"] if "glue:StartJobRun" in s["Action"]]
    assert glue["Resource"] == ["arn:aws:glue:us-east-1:123456789012:job/sfn-glue-etl-job"]
    # the bucket starts the workflow on source/*.csv
    [rule] = find(plan, "aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["object"]["key"] == [{"wildcard": "source/*.csv"}]
    validate = one(plan, "aws:lambda/function:Function", "validate")
    assert validate.inputs["reservedConcurrentExecutions"] == 10
    assert validate.inputs["layers"] == ["arn:aws:lambda:us-east-1:336392948345:layer:AWSSDKPandas-Python313:1"]
    assert _statement_actions(plan, "start-crawler-permissions") == {"glue:StartCrawler", "glue:GetCrawler"}


def test_textract_pipeline_is_wired_as_the_original(plans):
    plan = plans["textract-pipeline"]
    notification = one(plan, "aws:s3/bucketNotification:BucketNotification", "documents-notifications")
    suffixes = sorted(f["filterSuffix"] for f in notification.inputs["lambdaFunctions"])
    assert suffixes == [".jpeg", ".jpg", ".pdf", ".png"]
    stream = one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", "task-processor-from-documents-table")
    assert stream.inputs["startingPosition"] == "TRIM_HORIZON"
    assert "/stream/" in stream.inputs["eventSourceArn"]
    for mapping_name in ("sync-processor-from-sync-jobs", "job-result-processor-from-job-results"):
        assert one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", mapping_name).inputs["batchSize"] == 1
    redrive = json.loads(one(plan, "aws:sqs/queue:Queue", "job-results").inputs["redrivePolicy"])
    assert redrive["maxReceiveCount"] == 50 and redrive["deadLetterTargetArn"].endswith("dlq")
    subscription = one(plan, "aws:sns/topicSubscription:TopicSubscription", "job-results-subscription")
    assert subscription.inputs["protocol"] == "sqs"
    endpoint = subscription.inputs["endpoint"]
    assert endpoint.startswith("arn:aws:sqs:") and endpoint.endswith("job-results")
    table = one(plan, "aws:dynamodb/table:Table", "documents-table")
    assert table.inputs["streamViewType"] == "NEW_IMAGE"
    results_processor = one(plan, "aws:lambda/function:Function", "job-result-processor")
    assert results_processor.inputs["reservedConcurrentExecutions"] == 50
    assert "iam:PassRole" in _statement_actions(plan, "async-processor-permissions")


def _event_trigger(plan, function_name):
    return one(plan, "gcp:cloudfunctionsv2/function:Function", function_name).inputs["eventTrigger"]


def test_gcf_ocr_is_wired_as_the_original(plans):
    plan = plans["gcf-ocr"]
    extract = _event_trigger(plan, "ocr-extract")
    assert extract["eventType"] == "google.cloud.storage.object.v1.finalized"
    assert {f["attribute"]: f["value"] for f in extract["eventFilters"]}["bucket"] == "images"
    assert _event_trigger(plan, "ocr-translate")["pubsubTopic"].endswith("translate")
    assert _event_trigger(plan, "ocr-save")["pubsubTopic"].endswith("results")
    entry = one(plan, "gcp:cloudfunctionsv2/function:Function", "ocr-save").inputs["buildConfig"]["entryPoint"]
    assert entry == "save_result"


def test_gcs_bq_streaming_is_wired_as_the_original(plans):
    plan = plans["gcs-bq-streaming"]
    source = _event_trigger(plan, "streaming")
    assert {f["attribute"]: f["value"] for f in source["eventFilters"]}["bucket"] == "files-source"
    assert _event_trigger(plan, "streaming-error")["pubsubTopic"].endswith("streaming-error-topic")
    assert _event_trigger(plan, "streaming-success")["pubsubTopic"].endswith("streaming-success-topic")
    table = one(plan, "gcp:bigquery/table:Table", "mytable")
    assert table.inputs["datasetId"] == "mydataset"
    schema = json.loads(table.inputs["schema"])
    assert [c["name"] for c in schema] == ["id", "first_name", "last_name", "dob", "addresses"]
    grant = one(plan, "gcp:bigquery/datasetIamMember:DatasetIamMember", "streaming-writes-mydataset")
    assert grant.inputs["role"] == "roles/bigquery.dataEditor"


def test_s3_sqs_resizer_is_wired_as_the_original(plans):
    plan = plans["s3-sqs-resizer"]
    notification = one(plan, "aws:s3/bucketNotification:BucketNotification", "source-notifications")
    [queue_config] = notification.inputs["queues"]
    assert queue_config["events"] == ["s3:ObjectCreated:*"] and queue_config["filterSuffix"] == ".jpg"
    assert queue_config["queueArn"].endswith("resizer-queue")
    [statement] = json.loads(one(plan, "aws:sqs/queuePolicy:QueuePolicy", "resizer-queue-policy").inputs["policy"])[
        "Statement"
    ]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    mapping = one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", "resizer-from-resizer-queue")
    assert mapping.inputs["batchSize"] == 10 and "functionResponseTypes" not in mapping.inputs
    resizer = one(plan, "aws:lambda/function:Function", "resizer")
    assert resizer.inputs["layers"] == ["arn:aws:lambda:us-east-1:175033217214:layer:graphicsmagick:2"]
    assert resizer.inputs["memorySize"] == 2048


def test_kinesis_datakey_caching_is_wired_as_the_original(plans):
    plan = plans["kinesis-datakey-caching"]
    stream = one(plan, "aws:kinesis/stream:Stream", "input-stream")
    assert stream.inputs["shardCount"] == 2 and stream.inputs["encryptionType"] == "NONE"
    assert one(plan, "aws:kms/key:Key", "region-kinesis-cmk").inputs["enableKeyRotation"] is False
    for consumer in ("python-consumer", "java-consumer"):
        mapping = one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", f"{consumer}-from-input-stream")
        assert (mapping.inputs["batchSize"], mapping.inputs["startingPosition"]) == (1, "TRIM_HORIZON")
        assert mapping.inputs["bisectBatchOnFunctionError"] is False
        assert _statement_actions(plan, f"{consumer}-permissions") == {"kms:Decrypt"}
    java = one(plan, "aws:lambda/function:Function", "java-consumer")
    assert java.inputs["environment"]["variables"]["CMK_ARN"].startswith("arn:aws:kms:us-west-2:")


def _tally(name: str) -> Counter:
    return Counter(part["status"] for part in expected(name)["parts"])


def test_docs_realworld_counts_match_the_expected_files():
    text = (ROOT / "docs" / "realworld.md").read_text()
    total = Counter()
    for name in NAMES:
        counts = _tally(name)
        total += counts
        row = f"| `{name}` | {counts['exact']} | {counts['approx']} | {counts['missing']} |"
        assert row in text, row
        for part in expected(name)["parts"]:  # each part has its row, ending with its status
            rows = [line for line in text.splitlines() if line.startswith(f"| {part['part']} |")]
            assert [row.endswith(f"| {part['status']} |") for row in rows] == [True], part["part"]
    assert f"| **all** | **{total['exact']}** | **{total['approx']}** | **{total['missing']}** |" in text


@pytest.mark.skipif(
    shutil.which("pyright") is None and not (Path(sys.executable).parent / "pyright").exists(),
    reason="pyright is not installed (pip install '.[test]')",
)
def test_every_realworld_program_type_checks_with_pyright(tmp_path):
    for name in NAMES:
        write_project(spec_of(name), tmp_path / name.replace("-", "_"))
    analyzed, errors = pyright_report(tmp_path)
    assert analyzed == len(NAMES)
    assert errors == [], "\n".join(errors)
