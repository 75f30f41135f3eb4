"""GCP facts. Sources: Google Cloud documentation pages named beside each fact, and the pulumi-gcp 9 SDK
docstrings (\"changing this forces a new resource\") for replacements."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from aipipe.clouds.base import Cloud, FunctionLimits, MockShape, PackageLimits, ResourceFacts, TagRules
from aipipe.clouds.runtimes import retired_on

# cloud.google.com/compute/docs/regions-zones: continent-area + number
REGION = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}")
# cloud.google.com/storage/docs/locations: a bucket is in a region (either case), a multi-region (`US`, `EU`,
# `ASIA`) or a predefined dual-region (`NAM4`, `EUR4`, `ASIA1`, ...): letters then at most two digits
BUCKET_LOCATION = re.compile(r"(?i:[a-z]+-[a-z]+[0-9]{1,2}|[a-z]{2,4}[0-9]{0,2})")
# cloud.google.com/resource-manager/docs/creating-managing-projects: 6-30 characters
PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
# cloud.google.com/resource-manager/docs/labels-overview#requirements
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")


def bucket_location_problem(location: str) -> str | None:
    """Why `location` is no Cloud Storage location, or None."""
    if BUCKET_LOCATION.fullmatch(location):
        return None
    return (
        "`location` must be a Cloud Storage location: a region (`europe-west1`), a multi-region (`EU`, `US`, "
        f"`ASIA`) or a dual-region (`EUR4`), got {location!r}"
    )


def _label_key_problem(key: str) -> str | None:
    if _LABEL_KEY.fullmatch(key):
        return None
    return (
        f"GCP label key `{key}` must start with a lowercase letter and hold only lowercase letters, digits, "
        "`_` and `-` (at most 63)"
    )


def _label_value_problem(value: str) -> str | None:
    if _LABEL_VALUE.fullmatch(value):
        return None
    return f"GCP label value {value!r} may hold only lowercase letters, digits, `_` and `-` (at most 63)"


_ENTRY_POINT = re.compile(r"[A-Za-z_$][\w$.]*")


def _handler_form(runtime: str) -> tuple[re.Pattern, str]:
    return _ENTRY_POINT, "a function name (e.g. `main`)"


def _topic_retains_messages(inputs: Mapping | None) -> bool:
    # A Pub/Sub topic keeps messages only with message retention (cloud.google.com/pubsub/docs/replay-overview);
    # without its inputs, assume it does.
    return inputs is None or bool(inputs.get("messageRetentionDuration"))


def _dataset_deletes_tables(inputs: Mapping | None) -> bool:
    return inputs is None or bool(inputs.get("deleteContentsOnDestroy"))


RESOURCES = {
    facts.token: facts
    for facts in (
        ResourceFacts(
            "gcp:storage/bucket:Bucket",
            holds_data=True,
            force_new=frozenset({"name", "location", "project"}),
            mock=MockShape(outputs={"url": "gs://{name}"}),
        ),
        # terraform-provider-google google/services/pubsub/resource_pubsub_topic.go (e03b762): ForceNew on name,
        # tags, project
        ResourceFacts(
            "gcp:pubsub/topic:Topic",
            holds_data=_topic_retains_messages,
            force_new=frozenset({"name", "project", "tags"}),
            mock=MockShape(identity="projects/{project}/topics/{name}"),
        ),
        # resource_pubsub_subscription.go (e03b762): ForceNew on name, topic, enable_message_ordering, filter
        # ("After creating the subscription, you can't modify the filter": a new filter is a new subscription,
        # and the backlog goes with the old one), tags, project
        ResourceFacts(
            "gcp:pubsub/subscription:Subscription",
            holds_data=True,
            force_new=frozenset({"name", "topic", "project", "enableMessageOrdering", "filter", "tags"}),
            mock=MockShape(identity="projects/{project}/subscriptions/{name}"),
        ),
        # pulumi-gcp bigquery.Dataset: location "Changing this forces a new resource"; bigquery.Table: dataset_id and
        # table_id do; the id forms are projects/{project}/datasets/{dataset_id}[/tables/{table_id}]. A table's rows
        # go with it (cloud.google.com/bigquery/docs/reference/rest/v2/tables/delete); a dataset takes its tables only
        # with delete_contents_on_destroy (pulumi-gcp bigquery/dataset.py: "otherwise, destroying the resource will
        # fail if tables are present")
        ResourceFacts(
            "gcp:bigquery/dataset:Dataset",
            holds_data=_dataset_deletes_tables,
            force_new=frozenset({"location"}),
            mock=MockShape(outputs={"project": "{project}"}, identity="projects/{project}/datasets/{datasetId}"),
        ),
        ResourceFacts(
            "gcp:bigquery/table:Table",
            holds_data=True,
            force_new=frozenset({"datasetId", "tableId"}),
            mock=MockShape(
                outputs={"project": "{project}"},
                identity="projects/{project}/datasets/{datasetId}/tables/{tableId}",
            ),
        ),
        ResourceFacts(
            "gcp:cloudfunctionsv2/function:Function",
            force_new=frozenset({"name", "location", "project"}),
            # serviceConfig.uri: the run.app address of the function's Cloud Run service
            mock=MockShape(
                outputs={
                    "url": "https://{name}-mock.a.run.app",
                    "serviceConfig.uri": "https://{name}-{digest}.a.run.app",
                }
            ),
        ),
        # Cloud KMS deletes neither a key ring nor a crypto key; destroying the key schedules its versions for
        # destruction, after which what it encrypted cannot be read (pulumi-gcp kms.CryptoKey): it holds that data.
        # Each is named by its id (pulumi-gcp imports `projects/{project}/locations/{location}/keyRings/{name}` and
        # `{key_ring}/cryptoKeys/{name}`): another name, ring or location is another resource.
        ResourceFacts(
            "gcp:kms/keyRing:KeyRing",
            force_new=frozenset({"name", "location", "project"}),
            mock=MockShape(identity="projects/{project}/locations/{location}/keyRings/{name}"),
        ),
        ResourceFacts(
            "gcp:kms/cryptoKey:CryptoKey",
            holds_data=True,
            force_new=frozenset({"name", "keyRing"}),
            mock=MockShape(identity="{keyRing}/cryptoKeys/{name}"),
        ),
        ResourceFacts(
            "gcp:serviceaccount/account:Account",
            force_new=frozenset({"accountId", "project"}),
            # id: projects/{project}/serviceAccounts/{email} (terraform-provider-google
            # resource_google_service_account.go: d.SetId of "projects/{{project}}/serviceAccounts/{{email}}")
            mock=MockShape(
                outputs={"email": "{accountId}@{project}.iam.gserviceaccount.com"},
                identity="projects/{project}/serviceAccounts/{email}",
            ),
        ),
        ResourceFacts(
            "gcp:secretmanager/secret:Secret",
            mock=MockShape(identity="projects/{project}/secrets/{secretId}"),
        ),
        ResourceFacts(
            "gcp:secretmanager/secretVersion:SecretVersion",
            mock=MockShape(outputs={"version": "1"}),
        ),
        ResourceFacts(
            "gcp:projects/serviceIdentity:ServiceIdentity",
            mock=MockShape(
                outputs={
                    # the form of agent emails (cloud.google.com/iam/docs/service-agents), project number mocked
                    "email": "service-123456789012@gcp-sa-{api}.iam.gserviceaccount.com",
                    "member": "serviceAccount:service-123456789012@gcp-sa-{api}.iam.gserviceaccount.com",
                }
            ),
        ),
        # google/services/dataflow/resource_dataflow_job.go (e03b762): ForceNew "for both stream and batch jobs" on
        # name, zone, region, max_workers, project; other changes of a streaming job launch a replacement job with
        # `update: true` in place of the old one (resourceDataflowJobUpdateByReplacement), which Pulumi shows as
        # an update (only batch jobs force new on every field, resourceDataflowJobTypeCustomizeDiff)
        ResourceFacts(
            "gcp:dataflow/job:Job",
            force_new=frozenset({"name", "zone", "region", "maxWorkers", "project"}),
            mock=MockShape(outputs={"jobId": "2026-01-01_00_00_00-{digest}", "state": "JOB_STATE_RUNNING"}),
        ),
        # terraform-provider-google-beta google-beta/services/dataflow/resource_dataflow_flex_template_job.go
        # (93c65b2): ForceNew on name, region, project, num_workers, max_workers, enable_streaming_engine; other
        # changes of a streaming job relaunch it with `Update: true` (resourceDataflowFlexTemplateJobUpdate)
        ResourceFacts(
            "gcp:dataflow/flexTemplateJob:FlexTemplateJob",
            force_new=frozenset({"name", "region", "project", "numWorkers", "maxWorkers", "enableStreamingEngine"}),
            mock=MockShape(outputs={"jobId": "2026-01-01_00_00_00-{digest}", "state": "JOB_STATE_RUNNING"}),
        ),
    )
}

# SDK module -> the APIs its resources are served by (a GCP program enables them: aipipe.codegen.gcp_project; the
# `pulumi` kind refuses a module missing here). Sources: each product's "enable the API" step; Cloud Functions
# (2nd gen) builds with Cloud Build into Artifact Registry and runs on Cloud Run
# (cloud.google.com/functions/docs/create-deploy-gcloud: "Enable the Cloud Functions, Cloud Build, Artifact
# Registry, Cloud Run, and Cloud Logging APIs"); Dataflow workers are Compute Engine VMs
# (cloud.google.com/dataflow/docs/quickstarts/create-pipeline-python: "Enable the Dataflow, Compute Engine,
# Cloud Logging, Cloud Storage, ... APIs"); project IAM policy is read and written through Resource Manager
# (cloud.google.com/resource-manager/reference/rest/v1/projects/setIamPolicy); service accounts through IAM.
APIS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "storage": ("storage.googleapis.com",),
    "pubsub": ("pubsub.googleapis.com",),
    "serviceaccount": ("iam.googleapis.com",),
    "projects": ("cloudresourcemanager.googleapis.com",),
    "cloudfunctionsv2": (
        "cloudfunctions.googleapis.com",
        "run.googleapis.com",
        "cloudbuild.googleapis.com",
        "artifactregistry.googleapis.com",
        "logging.googleapis.com",
    ),
    "cloudrun": ("run.googleapis.com",),
    "cloudrunv2": ("run.googleapis.com",),
    "cloudscheduler": ("cloudscheduler.googleapis.com",),
    "dataflow": ("dataflow.googleapis.com", "compute.googleapis.com", "logging.googleapis.com"),
    "secretmanager": ("secretmanager.googleapis.com",),
    "bigquery": ("bigquery.googleapis.com",),
    "kms": ("cloudkms.googleapis.com",),
    "eventarc": ("eventarc.googleapis.com",),
    "artifactregistry": ("artifactregistry.googleapis.com",),
    "cloudbuild": ("cloudbuild.googleapis.com",),
    # `type: pulumi` resources: pulumi-gcp firestore/document.py's example enables firestore.googleapis.com
    # (gcp.projects.Service) before it creates a gcp.firestore.Database
    "firestore": ("firestore.googleapis.com",),
    # data sources that read the provider's own configuration call no API
    "organizations": (),
}
# Roles granted beside the per-kind access roles (kinds declare those), by what they are for.
ROLES = {
    "invoke": "roles/run.invoker",  # call a Cloud Function (2nd gen) service
    "receive_events": "roles/eventarc.eventReceiver",  # an Eventarc trigger's service account
    "dataflow_worker": "roles/dataflow.worker",
    # a Dataflow job's output and temp prefixes: create, read, list, delete objects, nothing of IAM or the bucket
    # (cloud.google.com/storage/docs/access-control/iam-roles: Storage Object User vs Storage Object Admin)
    "dataflow_objects": "roles/storage.objectUser",
    # a Dataflow job writing a BigQuery table of a dataset (and creating its error-records table there):
    # tables.updateData and tables.create (cloud.google.com/bigquery/docs/access-control#bigquery.dataEditor)
    "dataflow_bigquery": "roles/bigquery.dataEditor",
    "publish": "roles/pubsub.publisher",
    # the Pub/Sub service agent minting a push subscription's OIDC tokens as its account (aipipe.triggers.subscription)
    "push_tokens": "roles/iam.serviceAccountTokenCreator",
    # a service agent encrypting with a customer-managed key: Cloud Storage's for a bucket's default key
    # (cloud.google.com/storage/docs/encryption/using-customer-managed-keys#prereqs), Pub/Sub's for a topic's
    # (pulumi-gcp pubsub.Topic kms_key_name)
    "use_key": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    "subscribe": "roles/pubsub.subscriber",
    "view_subscription": "roles/pubsub.viewer",
}


def _shared_binding(token: str, name: str) -> bool:
    """Bindings of Google's service agents that every workload of the project shares, kept on destroy: the
    Cloud Storage agent on a CMEK key and as storage-event publisher, the Eventarc and Pub/Sub agents' roles
    (templates/bucket/gcp.py.j2, triggers/bucket/gcp-publisher.py.j2, project/gcp-setup.py.j2)."""
    if token == "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
        return True
    return token == "gcp:projects/iAMMember:IAMMember" and (
        name == "storage-events-publisher" or name.endswith("-agent-role")
    )


def _provider_config(header, endpoint: str | None) -> dict:
    """The region, and the project when the spec names one (else the provider's own configuration)."""
    config = {"gcp:region": header.region}
    if header.project:
        config["gcp:project"] = header.project
    return config


GCP = Cloud(
    name="gcp",
    title="GCP",
    sdk_module="pulumi_gcp",
    sdk_alias="gcp",
    sdk_requirement="pulumi-gcp>=9.0,<11",
    region_pattern=REGION,
    region_example="europe-west1",
    tags=TagRules("GCP label", 64, "aipipe-", _label_key_problem, _label_value_problem),
    # cloud.google.com/run/docs/runtimes/function-runtimes (2026-11): python314 and nodejs24 are GA; nodejs20 was
    # decommissioned on 2026-10-30 (no new functions), so it is only in the retired table. The go entries were
    # not re-checked against that page (its Go table was not available here).
    runtimes={
        "python3.11": "python311",
        "python3.12": "python312",
        "python3.13": "python313",
        "python3.14": "python314",
        "nodejs22": "nodejs22",
        "nodejs24": "nodejs24",
        "java17": "java17",
        "java21": "java21",
        "go1.22": "go122",
        "go1.23": "go123",
    },
    retired_runtimes=retired_on({}),
    functions=FunctionLimits(
        # cloud.google.com/functions/docs/configuring/memory (up to 32 GiB) and /timeout (60 min for HTTP)
        memory_mb=(128, 32768),
        max_timeout_seconds=3600,
        # cloud.google.com/functions/docs/configuring/env-var#reserved_keys
        reserved_environment=frozenset(
            {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE"}
        ),
        reserved_environment_prefixes=("X_GOOGLE_",),
        handler_form=_handler_form,
        # cloud.google.com/functions/quotas, "Max deployment size": 100MB compressed for sources (500MB
        # uncompressed for sources plus modules, which Cloud Build installs: not known before it runs)
        package=PackageLimits(source_zip=100 * 2**20),
    ),
    resources=RESOURCES,
    default_mock=MockShape(outputs={"project": "{project}"}),
    provider_config=_provider_config,
    # a bucket's settings are fields of the bucket itself; its seed objects (aipipe.kinds.bucket_seed) are kept with
    # it; templates/table/gcp.py.j2 retains dataset and table
    kept_with_bucket=frozenset(
        {
            "gcp:storage/bucket:Bucket",
            "gcp:storage/bucketObject:BucketObject",
            "gcp:bigquery/dataset:Dataset",
            "gcp:bigquery/table:Table",
        }
    ),
    kept_always=_shared_binding,
    program_packages=("pulumiverse-time",),  # time.Sleep: service agents settle (aipipe.codegen.gcp_project)
)

# An event-triggered Cloud Function may run at most 9 minutes (cloud.google.com/functions/docs/configuring/timeout).
EVENT_FUNCTION_TIMEOUT = 540


def service_account_id(project: str, stack: str, resource: str, purpose: str) -> str:
    """A service account id for what `resource` does (`fn`, `df`): 6-30 characters
    (cloud.google.com/iam/docs/service-accounts-create#creating), unique per project, stack and resource."""
    digest = hashlib.sha256(f"{project}/{stack}/{resource}/{purpose}".encode()).hexdigest()[:6]
    return f"{purpose}-{resource[: 30 - len(purpose) - 8].rstrip('-')}-{digest}"
