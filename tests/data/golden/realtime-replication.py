# Pulumi program for the aipipe spec 'realtime-replication', stack 'dev', rendered by aipipe '0.1.0'.
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
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# --- 'training-data': Cloud Storage bucket
training_data = pulumi.ComponentResource('aipipe:index:Bucket', 'training-data')
training_data_bucket = gcp.storage.Bucket(
    'training-data',
    location='EU',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': True},
    lifecycle_rules=[{'action': {'type': 'SetStorageClass', 'storage_class': 'ARCHIVE'}, 'condition': {'age': 90}}],
    force_destroy=False,
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'streaming', 'aipipe-resource': 'training-data'},
    opts=pulumi.ResourceOptions(parent=training_data, retain_on_delete=True, depends_on=[*project_ready]),
)
training_data.register_outputs({'name': training_data_bucket.name, 'url': training_data_bucket.url, 'id': training_data_bucket.id})

# --- 'dataflow-staging': Cloud Storage bucket
dataflow_staging = pulumi.ComponentResource('aipipe:index:Bucket', 'dataflow-staging')
dataflow_staging_bucket = gcp.storage.Bucket(
    'dataflow-staging',
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': True},
    lifecycle_rules=[{'action': {'type': 'Delete'}, 'condition': {'age': 7}}, {'action': {'type': 'Delete'}, 'condition': {'days_since_noncurrent_time': 7}}, {'action': {'type': 'Delete'}, 'condition': {'days_since_noncurrent_time': 1, 'matches_prefixes': ['temp/']}}],
    force_destroy=True,
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'streaming', 'aipipe-resource': 'dataflow-staging'},
    opts=pulumi.ResourceOptions(parent=dataflow_staging, depends_on=[*project_ready]),
)
dataflow_staging.register_outputs({'name': dataflow_staging_bucket.name, 'url': dataflow_staging_bucket.url, 'id': dataflow_staging_bucket.id})

# --- 'record-updates': Pub/Sub topic
record_updates = pulumi.ComponentResource('aipipe:index:Topic', 'record-updates')
record_updates_topic = gcp.pubsub.Topic(
    'record-updates',
    message_retention_duration='604800s',
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'streaming', 'aipipe-resource': 'record-updates'},
    opts=pulumi.ResourceOptions(parent=record_updates, depends_on=[*project_ready]),
)
record_updates.register_outputs({'id': record_updates_topic.id, 'name': record_updates_topic.name})

# --- 'stream-to-gcs': Dataflow job from 'pubsub-to-gcs-text'
stream_to_gcs = pulumi.ComponentResource('aipipe:index:Dataflow', 'stream-to-gcs')
stream_to_gcs_account = gcp.serviceaccount.Account(
    'stream-to-gcs-account',
    account_id='df-stream-to-gcs-94c195',
    display_name='aipipe dataflow worker stream-to-gcs',
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_worker = gcp.projects.IAMMember(
    'stream-to-gcs-worker',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_objects_1 = gcp.storage.BucketIAMMember(
    'stream-to-gcs-objects-training-data',
    bucket=training_data_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    condition={'title': 'objects under stream/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', training_data_bucket.name, '/objects/stream/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("stream/")')},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_objects_2 = gcp.storage.BucketIAMMember(
    'stream-to-gcs-objects-dataflow-staging',
    bucket=dataflow_staging_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    condition={'title': 'objects under temp/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', dataflow_staging_bucket.name, '/objects/temp/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("temp/")')},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
# The job's own subscription to the topic: it keeps what is published while no job runs, and never expires.
stream_to_gcs_input = gcp.pubsub.Subscription(
    'stream-to-gcs-input',
    topic=record_updates_topic.id,
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'streaming', 'aipipe-resource': 'stream-to-gcs'},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'stream-to-gcs-subscriber',
    subscription=stream_to_gcs_input.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'stream-to-gcs-viewer',
    subscription=stream_to_gcs_input.name,
    role='roles/pubsub.viewer',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
# its staged files, in the program's staged-files bucket under the job's own prefix
stream_to_gcs_staging = gcp.storage.BucketIAMMember(
    'stream-to-gcs-staging',
    bucket=dataflow_staged_files.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', stream_to_gcs_account.email),
    condition={'title': 'staged files of stream-to-gcs', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', dataflow_staged_files.name, '/objects/stream-to-gcs/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("stream-to-gcs/")')},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready]),
)
stream_to_gcs_grants_settled = time.Sleep(
    'stream-to-gcs-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(stream_to_gcs_worker.id, stream_to_gcs_objects_1.id, stream_to_gcs_objects_2.id, stream_to_gcs_input.id, stream_to_gcs_subscription_1.id, stream_to_gcs_subscription_2.id, stream_to_gcs_staging.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready, stream_to_gcs_worker, stream_to_gcs_objects_1, stream_to_gcs_objects_2, stream_to_gcs_input, stream_to_gcs_subscription_1, stream_to_gcs_subscription_2, stream_to_gcs_staging]),
)
stream_to_gcs_job = gcp.dataflow.FlexTemplateJob(
    'stream-to-gcs',
    container_spec_gcs_path='gs://dataflow-templates-europe-west1/latest/flex/Cloud_PubSub_to_GCS_Text_Flex',
    temp_location=pulumi.Output.concat(dataflow_staging_bucket.url, '/temp/'),
    staging_location=pulumi.Output.concat(dataflow_staged_files.url, '/stream-to-gcs/'),
    parameters={'inputSubscription': stream_to_gcs_input.id, 'outputDirectory': pulumi.Output.concat(training_data_bucket.url, '/stream/'), 'userTempLocation': pulumi.Output.concat(dataflow_staging_bucket.url, '/temp/'), 'outputFilenamePrefix': 'output-'},
    region='europe-west1',
    max_workers=10,
    machine_type='n2-standard-2',
    on_delete='drain',
    service_account_email=stream_to_gcs_account.email,
    labels={'aipipe-project': 'realtime-replication', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'streaming', 'aipipe-resource': 'stream-to-gcs'},
    opts=pulumi.ResourceOptions(parent=stream_to_gcs, depends_on=[*project_ready, stream_to_gcs_grants_settled]),
)
stream_to_gcs.register_outputs({'id': stream_to_gcs_job.id, 'name': stream_to_gcs_job.name, 'job_id': stream_to_gcs_job.job_id})

pulumi.export('bucket_url', training_data_bucket.url)
pulumi.export('topic_id', record_updates_topic.id)
pulumi.export('job_id', stream_to_gcs_job.job_id)
