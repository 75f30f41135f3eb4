# Pulumi program for the aipipe spec 'gcp-common-fields', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_gcp as gcp
import pulumiverse_time as time

config = pulumi.Config()

# --- Project setup: the APIs this program uses (kept enabled on destroy) and the service agents it acts through
# Resource Manager first: the provider reads every enabled API back through it
project_api_resource_manager = gcp.projects.Service(
    'api-cloudresourcemanager', service='cloudresourcemanager.googleapis.com', disable_on_destroy=False
)
project_apis = [
    project_api_resource_manager,
    gcp.projects.Service(
        'api-artifactregistry',
        service='artifactregistry.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-bigquery',
        service='bigquery.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-cloudbuild',
        service='cloudbuild.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-cloudfunctions',
        service='cloudfunctions.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-cloudkms',
        service='cloudkms.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-compute',
        service='compute.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-dataflow',
        service='dataflow.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-iam',
        service='iam.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-logging',
        service='logging.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-pubsub',
        service='pubsub.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-run',
        service='run.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
    gcp.projects.Service(
        'api-storage',
        service='storage.googleapis.com',
        disable_on_destroy=False,
        opts=pulumi.ResourceOptions(depends_on=[project_api_resource_manager]),
    ),
]
project_ready = project_apis
# Dataflow staged files: workers fetch them whenever they start (autoscaling, restarts), so they never expire
# here, unlike a `temp` bucket with `expire_after`; build inputs only, so nothing here is kept on destroy.
dataflow_staged_files = gcp.storage.Bucket(
    'dataflow-staged-files',
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# Function source archives: build inputs only, so nothing here is worth keeping on destroy.
function_sources = gcp.storage.Bucket(
    'function-sources',
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# Cloud Build builds each function as this account, with only what a function build needs.
function_sources_builder = gcp.serviceaccount.Account(
    "function-builder",
    account_id='build-functions-e9398a',
    display_name="aipipe function builds",
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)
function_sources_build_logs = gcp.projects.IAMMember(
    'function-builder-logs',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/logging.logWriter',
    member=pulumi.Output.concat("serviceAccount:", function_sources_builder.email),
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)
function_sources_build_images = gcp.projects.IAMMember(
    'function-builder-images',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/artifactregistry.writer',
    member=pulumi.Output.concat("serviceAccount:", function_sources_builder.email),
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)
function_sources_build_sources = gcp.projects.IAMMember(
    'function-builder-sources',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/storage.objectViewer',
    member=pulumi.Output.concat("serviceAccount:", function_sources_builder.email),
    condition={'title': 'Cloud Functions source copies', 'expression': 'resource.name.startsWith("projects/_/buckets/gcf-v2-sources-")'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# --- 'notes': Pub/Sub topic
notes = pulumi.ComponentResource('aipipe:index:Topic', 'notes')
notes_topic = gcp.pubsub.Topic(
    'notes',
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'fanout', 'aipipe-resource': 'notes'},
    opts=pulumi.ResourceOptions(parent=notes, protect=True, depends_on=[*project_ready]),
)
notes.register_outputs({'id': notes_topic.id, 'name': notes_topic.name})

# --- 'data': Cloud Storage bucket
data = pulumi.ComponentResource('aipipe:index:Bucket', 'data')
data_bucket = gcp.storage.Bucket(
    'data',
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': True},
    lifecycle_rules=[{'action': {'type': 'Delete'}, 'condition': {'days_since_noncurrent_time': 1, 'matches_prefixes': ['temp/']}}],
    force_destroy=False,
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'aipipe-resource': 'data'},
    opts=pulumi.ResourceOptions(parent=data, retain_on_delete=True, depends_on=[*project_ready, notes]),
)
data.register_outputs({'name': data_bucket.name, 'url': data_bucket.url, 'id': data_bucket.id})

# --- 'notes-sub': Pub/Sub subscription to 'notes'
notes_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'notes-sub')
notes_sub_subscription = gcp.pubsub.Subscription(
    'notes-sub',
    topic=notes_topic.id,
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'queue', 'aipipe-resource': 'notes-sub'},
    opts=pulumi.ResourceOptions(parent=notes_sub, protect=True, depends_on=[*project_ready, notes]),
)
notes_sub.register_outputs({'id': notes_sub_subscription.id, 'name': notes_sub_subscription.name})

# --- 'vault': Cloud KMS key
vault = pulumi.ComponentResource('aipipe:index:Key', 'vault')
vault_ring = gcp.kms.KeyRing(
    'vault-ring',
    location='us-central1',
    opts=pulumi.ResourceOptions(parent=vault, protect=True, depends_on=[*project_ready, data]),
)
vault_key = gcp.kms.CryptoKey(
    'vault',
    key_ring=vault_ring.id,
    rotation_period='7776000s',
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'vault', 'aipipe-resource': 'vault'},
    opts=pulumi.ResourceOptions(parent=vault, protect=True, depends_on=[*project_ready, data]),
)
vault.register_outputs({'id': vault_key.id, 'name': vault_key.name})

# --- 'facts': BigQuery dataset
facts = pulumi.ComponentResource('aipipe:index:Table', 'facts')
facts_dataset = gcp.bigquery.Dataset(
    'facts',
    dataset_id='gcp_common_fields_dev_facts',
    location='us-central1',
    delete_contents_on_destroy=False,
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'facts', 'aipipe-resource': 'facts'},
    opts=pulumi.ResourceOptions(parent=facts, protect=True, retain_on_delete=True, depends_on=[*project_ready, data]),
)
facts.register_outputs({'name': facts_dataset.dataset_id, 'id': facts_dataset.id})

# --- 'worker': Cloud Function (2nd gen)
worker = pulumi.ComponentResource('aipipe:index:Function', 'worker')
worker_account = gcp.serviceaccount.Account(
    'worker-account',
    account_id='fn-worker-cca89f',
    display_name='aipipe function worker',
    opts=pulumi.ResourceOptions(parent=worker, protect=True, depends_on=[*project_ready, data]),
)
worker_source = gcp.storage.BucketObject(
    'worker-source',
    bucket=function_sources.name,
    name='worker/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/worker.zip'),
    opts=pulumi.ResourceOptions(parent=worker, protect=True, depends_on=[*project_ready, data]),
)
worker_grants_settled = time.Sleep(
    'worker-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=worker, depends_on=[*project_ready, data, function_sources_build_logs, function_sources_build_images, function_sources_build_sources]),
)
worker_function = gcp.cloudfunctionsv2.Function(
    'worker',
    location='us-central1',
    build_config={
        "runtime": 'python313',
        "entry_point": 'main',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": worker_source.name,
            "generation": worker_source.generation,
        }},
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "service_account_email": worker_account.email,
    },
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'worker', 'aipipe-resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker, protect=True, depends_on=[*project_ready, data, worker_grants_settled]),
)
worker.register_outputs({'name': worker_function.name, 'url': worker_function.url})

# --- 'job': Dataflow job from 'pubsub-to-avro'
job = pulumi.ComponentResource('aipipe:index:Dataflow', 'job')
job_account = gcp.serviceaccount.Account(
    'job-account',
    account_id='df-job-346010',
    display_name='aipipe dataflow worker job',
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
job_worker = gcp.projects.IAMMember(
    'job-worker',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', job_account.email),
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
job_objects_1 = gcp.storage.BucketIAMMember(
    'job-objects-data',
    bucket=data_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', job_account.email),
    condition={'title': 'objects under avro/, temp/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', data_bucket.name, '/objects/avro/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("avro/")', ' || resource.name.startsWith("projects/_/buckets/', data_bucket.name, '/objects/temp/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("temp/")')},
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
# The job's own subscription to the topic: it keeps what is published while no job runs, and never expires.
job_input = gcp.pubsub.Subscription(
    'job-input',
    topic=notes_topic.id,
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'job', 'aipipe-resource': 'job'},
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
job_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'job-subscriber',
    subscription=job_input.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', job_account.email),
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
job_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'job-viewer',
    subscription=job_input.name,
    role='roles/pubsub.viewer',
    member=pulumi.Output.concat('serviceAccount:', job_account.email),
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
# its staged files, in the program's staged-files bucket under the job's own prefix
job_staging = gcp.storage.BucketIAMMember(
    'job-staging',
    bucket=dataflow_staged_files.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', job_account.email),
    condition={'title': 'staged files of job', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', dataflow_staged_files.name, '/objects/job/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("job/")')},
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker]),
)
job_grants_settled = time.Sleep(
    'job-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(job_worker.id, job_objects_1.id, job_input.id, job_subscription_1.id, job_subscription_2.id, job_staging.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=job, depends_on=[*project_ready, worker, job_worker, job_objects_1, job_input, job_subscription_1, job_subscription_2, job_staging]),
)
job_job = gcp.dataflow.FlexTemplateJob(
    'job',
    container_spec_gcs_path='gs://dataflow-templates-us-central1/latest/flex/Cloud_PubSub_to_Avro_Flex',
    temp_location=pulumi.Output.concat(data_bucket.url, '/temp/'),
    staging_location=pulumi.Output.concat(dataflow_staged_files.url, '/job/'),
    parameters={'inputSubscription': job_input.id, 'outputDirectory': pulumi.Output.concat(data_bucket.url, '/avro/'), 'avroTempDirectory': pulumi.Output.concat(data_bucket.url, '/temp/')},
    region='us-central1',
    on_delete='drain',
    service_account_email=job_account.email,
    labels={'aipipe-project': 'gcp-common-fields', 'aipipe-stack': 'dev', 'role': 'job', 'aipipe-resource': 'job'},
    opts=pulumi.ResourceOptions(parent=job, protect=True, depends_on=[*project_ready, worker, job_grants_settled]),
)
job.register_outputs({'id': job_job.id, 'name': job_job.name, 'job_id': job_job.job_id})

