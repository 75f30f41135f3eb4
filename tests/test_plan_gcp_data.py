"""GCP Pub/Sub and Dataflow specs planned offline under Pulumi mocks (issue 13): what a first `up` needs for the
deployed pipeline to work — subscriptions that do not expire, dead letters someone can read, Dataflow Flex jobs
reading a subscription aipipe manages with grants scoped to what they touch and waited for, temp files kept out
of the output and cleaned from versioned buckets — and what `aipipe diff` says when these resources change."""

from __future__ import annotations

import pytest

from aipipe.clouds.registry import force_new
from aipipe.offline.diff import compare
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec

HEADER = """\
aipipe: 1
name: data
cloud: gcp
region: europe-west1
project: ml-platform-123
resources:
"""
PIPELINE = """\
  data:
    type: bucket
  staging:
    type: bucket
    lifecycle: {expire_after: 7d}
    ignore: [AP507]
  events:
    type: topic
  work:
    type: subscription
    topic: events
    dead_letter: {max_attempts: 5}
  kept:
    type: subscription
    topic: events
    dead_letter: {max_attempts: 5}
    retention: 1d
    expire_after: 2d
  to-text:
    type: dataflow
    template: pubsub-to-gcs-text
    input: events
    output: ${data.url}/stream/
    temp: ${staging.url}/temp/
    max_workers: 3
  bq-input:
    type: subscription
    topic: events
    ignore: [AP502]
  to-bq:
    type: dataflow
    template: pubsub-to-bigquery
    input: bq-input
    output: analytics-prj:events_ds.events
    temp: ${data.url}/bq-temp/
    public_ips: false
outputs:
  dead: ${work.dead_letter_subscription}
"""
FLEX = "gcp:dataflow/flexTemplateJob:FlexTemplateJob"
SUBSCRIPTION = "gcp:pubsub/subscription:Subscription"


def planned(write_spec, text: str, name: str = "aipipe.yaml"):
    result = load_spec(str(write_spec(text, name)), "dev")
    assert result.valid, result.diagnostics
    return plan_spec(result.spec)


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    (folder / "aipipe.yaml").write_text(HEADER + PIPELINE)
    result = load_spec(str(folder / "aipipe.yaml"), "dev")
    assert result.valid, result.diagnostics
    return plan_spec(result.spec)


def one(plan, token: str, name: str):
    [resource] = [r for r in plan.resources if r.type == token and r.name == name]
    return resource


def of_type(plan, suffix: str):
    return [r for r in plan.resources if r.type.endswith(suffix)]


# --- subscriptions (items 9 and 10) ----------------------------------------------------------------------------


def test_subscriptions_never_expire_unless_the_spec_says(plan):
    """Without an expiration policy Pub/Sub deletes a subscription after 31 idle days, backlog and all."""
    assert one(plan, SUBSCRIPTION, "work").inputs["expirationPolicy"] == {"ttl": ""}
    assert one(plan, SUBSCRIPTION, "kept").inputs["expirationPolicy"] == {"ttl": "172800s"}
    assert one(plan, SUBSCRIPTION, "to-text-input").inputs["expirationPolicy"] == {"ttl": ""}
    assert all("expirationPolicy" in s.inputs for s in plan.resources if s.type == SUBSCRIPTION)


def test_dead_letters_are_kept_in_a_subscription_people_can_read(plan):
    """Messages published to a topic with no subscription are lost: the dead-letter topic gets one."""
    work = one(plan, SUBSCRIPTION, "work")
    [topic] = [r for r in plan.resources if r.type == "gcp:pubsub/topic:Topic" and r.name == "work-dead-letters"]
    inbox = one(plan, SUBSCRIPTION, "work-dead-letters")
    assert work.inputs["deadLetterPolicy"]["deadLetterTopic"] == "projects/ml-platform-123/topics/work-dead-letters"
    assert inbox.inputs["topic"] == "projects/ml-platform-123/topics/work-dead-letters"
    assert inbox.inputs["messageRetentionDuration"] == "2678400s"  # 31 days, Pub/Sub's longest
    assert inbox.inputs["expirationPolicy"] == {"ttl": ""}
    assert "pushConfig" not in inbox.inputs  # pull: read it with `gcloud pubsub subscriptions pull`
    assert topic.urn in inbox.dependencies
    assert plan.outputs["dead"] == "work-dead-letters"


# --- Dataflow: Flex templates, their subscription and grants (items 15, 16, 17, 22) ----------------------------


def test_catalogue_jobs_are_flex_jobs_reading_a_subscription(plan):
    text = one(plan, FLEX, "to-text")
    assert text.inputs["containerSpecGcsPath"] == (
        "gs://dataflow-templates-europe-west1/latest/flex/Cloud_PubSub_to_GCS_Text_Flex"
    )
    # a topic input: the job reads a subscription aipipe created for it, which outlives any one job
    assert text.inputs["parameters"]["inputSubscription"] == "projects/ml-platform-123/subscriptions/to-text-input"
    assert one(plan, SUBSCRIPTION, "to-text-input").inputs["topic"] == "projects/ml-platform-123/topics/events"
    bq = one(plan, FLEX, "to-bq")
    assert bq.inputs["containerSpecGcsPath"].endswith("/latest/flex/PubSub_to_BigQuery_Flex")
    assert bq.inputs["parameters"] == {
        "inputSubscription": "projects/ml-platform-123/subscriptions/bq-input",
        "outputTableSpec": "analytics-prj:events_ds.events",
    }
    assert not of_type(plan, "dataflow/job:Job")


def test_no_project_wide_pubsub_rights_only_the_jobs_subscription(plan):
    # (Google's own agents get their service-agent roles in the project setup: not the job's)
    project_roles = {
        r.inputs["role"] for r in of_type(plan, "projects/iAMMember:IAMMember") if not r.name.endswith("-agent-role")
    }
    assert project_roles == {"roles/dataflow.worker"}
    grants = {
        (r.name, r.inputs["subscription"], r.inputs["role"])
        for r in of_type(plan, "subscriptionIAMMember:SubscriptionIAMMember")
        if r.name.startswith(("to-text", "to-bq"))
    }
    assert grants == {
        ("to-text-subscriber", "to-text-input", "roles/pubsub.subscriber"),
        ("to-text-viewer", "to-text-input", "roles/pubsub.viewer"),
        ("to-bq-subscriber", "bq-input", "roles/pubsub.subscriber"),
        ("to-bq-viewer", "bq-input", "roles/pubsub.viewer"),
    }


def test_object_grants_are_narrowed_to_the_jobs_prefixes(plan):
    grants = {r.name: r.inputs for r in of_type(plan, "bucketIAMMember:BucketIAMMember")}
    assert {name: g["role"] for name, g in grants.items()} == {
        "to-text-objects-data": "roles/storage.objectUser",
        "to-text-objects-staging": "roles/storage.objectUser",
        "to-bq-objects-data": "roles/storage.objectUser",
        "to-text-staging": "roles/storage.objectUser",
        "to-bq-staging": "roles/storage.objectUser",
    }

    def under(bucket: str, prefix: str) -> str:
        listing = 'api.getAttribute("storage.googleapis.com/objectListPrefix", "")'
        objects = f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{prefix}")'
        return f'{objects} || {listing}.startsWith("{prefix}")'

    assert grants["to-text-objects-data"]["condition"]["expression"] == under("data", "stream/")
    assert grants["to-text-objects-staging"]["condition"]["expression"] == under("staging", "temp/")
    assert grants["to-bq-objects-data"]["condition"]["expression"] == under("data", "bq-temp/")
    # each job's staged files, under its own prefix of the program's staged-files bucket
    assert grants["to-text-staging"]["condition"]["expression"] == under("dataflow-staged-files", "to-text/")


def test_a_bigquery_job_may_edit_its_dataset_only(plan):
    [grant] = of_type(plan, "datasetIamMember:DatasetIamMember")
    assert (grant.inputs["project"], grant.inputs["datasetId"], grant.inputs["role"]) == (
        "analytics-prj",
        "events_ds",
        "roles/bigquery.dataEditor",
    )
    assert grant.inputs["member"] == one(plan, FLEX, "to-bq").inputs["serviceAccountEmail"].join(
        ("serviceAccount:", "")
    )


def test_each_job_waits_for_every_grant_and_its_subscription(plan):
    """Otherwise the job starts before its worker may read the subscription or write the bucket, and fails."""
    for job_name in ("to-text", "to-bq"):
        job = one(plan, FLEX, job_name)
        [settled] = [r for r in plan.resources if r.name == f"{job_name}-grants-settled"]
        needed = {
            r.urn
            for r in plan.resources
            if r.name.startswith(job_name + "-")
            and r.type not in ("gcp:serviceaccount/account:Account", "time:index/sleep:Sleep")
        }
        # the job starts a minute after its grants (IAM propagation), and after its subscription
        assert settled.urn in job.dependencies and settled.inputs["createDuration"] == "120s"
        assert needed and needed <= set(settled.dependencies), job_name


def test_worker_ips_are_public_unless_the_spec_turns_them_off(plan):
    assert "ipConfiguration" not in one(plan, FLEX, "to-text").inputs
    assert one(plan, FLEX, "to-bq").inputs["ipConfiguration"] == "WORKER_IP_PRIVATE"


# --- temporary files (item 18) -----------------------------------------------------------------------------


def test_temporary_files_go_to_the_temp_location_not_the_output(plan):
    text = one(plan, FLEX, "to-text")
    assert text.inputs["tempLocation"] == "gs://staging/temp/"
    assert text.inputs["stagingLocation"] == "gs://dataflow-staged-files/to-text/"  # never expired
    assert text.inputs["parameters"]["userTempLocation"] == "gs://staging/temp/"
    assert text.inputs["parameters"]["outputDirectory"] == "gs://data/stream/"


def test_versioned_buckets_drop_noncurrent_temp_files(plan):
    rules = {
        name: one(plan, "gcp:storage/bucket:Bucket", name).inputs.get("lifecycleRules", [])
        for name in ("data", "staging")
    }
    assert {
        "action": {"type": "Delete"},
        "condition": {"daysSinceNoncurrentTime": 1, "matchesPrefixes": ["bq-temp/"]},
    } in rules["data"]
    assert rules["staging"] == [
        {"action": {"type": "Delete"}, "condition": {"age": 7}},
        {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 7}},
        {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 1, "matchesPrefixes": ["temp/"]}},
    ]


# --- aipipe diff (force-new facts) --------------------------------------------------------------------------


def diff(write_spec, old: str, new: str):
    return {
        (cloud.name, cloud.type): cloud
        for change in compare(planned(write_spec, old, "old.yaml"), planned(write_spec, new, "new.yaml"))
        for cloud in change.changes
    }


def test_a_new_filter_replaces_the_subscription_and_loses_its_backlog(write_spec):
    old = HEADER + PIPELINE
    new = old.replace("    retention: 1d\n", '    retention: 1d\n    filter: attributes.kind = "image"\n')
    changes = diff(write_spec, old, new)
    change = changes[("kept", SUBSCRIPTION)]
    assert (change.op, change.because, change.data_loss) == ("replace", ["filter"], True)


def test_a_streaming_jobs_parameters_update_in_place_but_max_workers_replace_it(write_spec):
    old = HEADER + PIPELINE
    changed = diff(write_spec, old, old.replace("output: ${data.url}/stream/", "output: ${data.url}/stream2/"))
    assert changed[("to-text", FLEX)].op == "update"
    assert diff(write_spec, old, old.replace("max_workers: 3", "max_workers: 4"))[("to-text", FLEX)].op == "replace"


def test_force_new_facts_of_the_dataflow_and_pubsub_types():
    """From the providers' ForceNew (aipipe/clouds/gcp.py cites the files)."""
    assert force_new(FLEX) == {"name", "region", "project", "numWorkers", "maxWorkers", "enableStreamingEngine"}
    assert force_new("gcp:dataflow/job:Job") == {"name", "zone", "region", "maxWorkers", "project"}
    assert {"filter", "topic"} <= force_new(SUBSCRIPTION)
    assert "parameters" not in force_new("gcp:dataflow/job:Job")
