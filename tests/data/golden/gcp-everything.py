# Pulumi program for the aipipe spec 'gcp-everything', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_gcp as gcp

config = pulumi.Config()

# Function source archives: build inputs only, so nothing here is worth keeping on destroy.
function_sources = gcp.storage.Bucket(
    "function-sources",
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev'},
)
# Cloud Storage publishes object events through Pub/Sub as its own service agent.
gcp.projects.IAMMember(
    "storage-events-publisher",
    project=gcp.organizations.get_project_output().project_id,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat("serviceAccount:", gcp.storage.get_project_service_account_output().email_address),
)

# --- 'landing': Cloud Storage bucket
landing = pulumi.ComponentResource('aipipe:index:Bucket', 'landing')
landing_bucket = gcp.storage.Bucket(
    'landing',
    location='EU',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': False},
    encryption={'default_kms_key_name': 'projects/ml-platform-123/locations/europe/keyRings/ring/cryptoKeys/key'},
    lifecycle_rules=[{'action': {'type': 'SetStorageClass', 'storage_class': 'ARCHIVE'}, 'condition': {'age': 30}}, {'action': {'type': 'Delete'}, 'condition': {'age': 365}}],
    force_destroy=False,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'tier': 'raw', 'aipipe-resource': 'landing'},
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True),
)
landing.register_outputs({'name': landing_bucket.name, 'url': landing_bucket.url, 'id': landing_bucket.id})

# --- 'temp': Cloud Storage bucket
temp = pulumi.ComponentResource('aipipe:index:Bucket', 'temp')
temp_bucket = gcp.storage.Bucket(
    'temp',
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': True},
    lifecycle_rules=[{'action': {'type': 'Delete'}, 'condition': {'age': 1}}, {'action': {'type': 'Delete'}, 'condition': {'days_since_noncurrent_time': 1}}, {'action': {'type': 'Delete'}, 'condition': {'days_since_noncurrent_time': 1, 'matches_prefixes': ['dataflow/', 'custom/']}}],
    force_destroy=True,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'temp'},
    opts=pulumi.ResourceOptions(parent=temp),
)
temp.register_outputs({'name': temp_bucket.name, 'url': temp_bucket.url, 'id': temp_bucket.id})

# --- 'shared': Cloud Storage bucket
shared = pulumi.ComponentResource('aipipe:index:Bucket', 'shared')
shared_bucket = gcp.storage.Bucket.get('shared', 'shared-datasets-bucket', opts=pulumi.ResourceOptions(parent=shared))
shared.register_outputs({'name': 'shared-datasets-bucket', 'url': 'gs://shared-datasets-bucket', 'id': 'shared-datasets-bucket'})

# --- 'updates': Pub/Sub topic
updates = pulumi.ComponentResource('aipipe:index:Topic', 'updates')
updates_topic = gcp.pubsub.Topic(
    'updates',
    message_retention_duration='604800s',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates'},
    opts=pulumi.ResourceOptions(parent=updates, depends_on=[landing]),
)
updates.register_outputs({'id': updates_topic.id, 'name': updates_topic.name})

# --- 'updates-sub': Pub/Sub subscription to 'updates'
updates_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'updates-sub')
updates_sub_dead_letters = gcp.pubsub.Topic(
    'updates-sub-dead-letters',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates-sub'},
    opts=pulumi.ResourceOptions(parent=updates_sub),
)
updates_sub_subscription = gcp.pubsub.Subscription(
    'updates-sub',
    topic=updates_topic.id,
    ack_deadline_seconds=600,
    message_retention_duration='172800s',
    dead_letter_policy={'dead_letter_topic': updates_sub_dead_letters.id, 'max_delivery_attempts': 20},
    retry_policy={'minimum_backoff': '5s', 'maximum_backoff': '600s'},
    filter='attributes.kind = "image"',
    enable_exactly_once_delivery=True,
    expiration_policy={'ttl': '2592000s'},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates-sub'},
    opts=pulumi.ResourceOptions(parent=updates_sub),
)
# Messages published to a topic with no subscription are lost: the dead letters are kept here to inspect.
updates_sub_dead_letter_subscription = gcp.pubsub.Subscription(
    'updates-sub-dead-letters',
    topic=updates_sub_dead_letters.id,
    message_retention_duration='2678400s',
    expiration_policy={"ttl": ""},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates-sub'},
    opts=pulumi.ResourceOptions(parent=updates_sub),
)
gcp.pubsub.TopicIAMMember(
    'updates-sub-dead-letters-publisher',
    topic=updates_sub_dead_letters.name,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:service-', gcp.organizations.get_project_output().number, '@gcp-sa-pubsub.iam.gserviceaccount.com'),
    opts=pulumi.ResourceOptions(parent=updates_sub),
)
gcp.pubsub.SubscriptionIAMMember(
    'updates-sub-dead-letters-subscriber',
    subscription=updates_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:service-', gcp.organizations.get_project_output().number, '@gcp-sa-pubsub.iam.gserviceaccount.com'),
    opts=pulumi.ResourceOptions(parent=updates_sub),
)
updates_sub.register_outputs({'id': updates_sub_subscription.id, 'name': updates_sub_subscription.name, 'dead_letter_subscription': updates_sub_dead_letter_subscription.name})

# --- 'bq-sub': Pub/Sub subscription to 'updates'
bq_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'bq-sub')
bq_sub_subscription = gcp.pubsub.Subscription(
    'bq-sub',
    topic=updates_topic.id,
    message_retention_duration='86400s',
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'bq-sub'},
    opts=pulumi.ResourceOptions(parent=bq_sub),
)
bq_sub.register_outputs({'id': bq_sub_subscription.id, 'name': bq_sub_subscription.name})

# --- 'on-upload': Cloud Function (2nd gen)
on_upload = pulumi.ComponentResource('aipipe:index:Function', 'on-upload')
on_upload_account = gcp.serviceaccount.Account(
    'on-upload-account',
    account_id='fn-on-upload-5d386e',
    display_name='aipipe function on-upload',
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.storage.BucketIAMMember(
    'on-upload-reads-landing',
    bucket=landing_bucket.name,
    role='roles/storage.objectViewer',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'objects under incoming/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', landing_bucket.name, '/objects/incoming/")')},
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.pubsub.SubscriptionIAMMember(
    'on-upload-reads-updates-sub',
    subscription=updates_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.storage.BucketIAMMember(
    'on-upload-writes-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectCreator',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'objects under out/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/out/")')},
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.pubsub.TopicIAMMember(
    'on-upload-writes-updates',
    topic=updates_topic.name,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload),
)
on_upload_source = gcp.storage.BucketObject(
    'on-upload-source',
    bucket=function_sources.name,
    name='on-upload/source.zip',
    source=pulumi.AssetArchive({".": pulumi.FileArchive('../../../app')}),
    opts=pulumi.ResourceOptions(parent=on_upload),
)
on_upload_function = gcp.cloudfunctionsv2.Function(
    'on-upload',
    location='europe-west1',
    build_config={
        "runtime": 'python312',
        "entry_point": 'main',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": on_upload_source.name,
            "generation": on_upload_source.generation,
        }},
    },
    service_config={
        "available_memory": '2048M',
        "timeout_seconds": 540,
        "service_account_email": on_upload_account.email,
        "environment_variables": {'OUT': temp_bucket.name, 'TOKEN': config.require_secret('API_TOKEN')},
    },
    event_trigger={'event_type': 'google.cloud.storage.object.v1.finalized', 'event_filters': [{'attribute': 'bucket', 'value': landing_bucket.name}], 'retry_policy': 'RETRY_POLICY_RETRY', 'service_account_email': on_upload_account.email},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-upload'},
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.cloudrun.IamMember(
    'on-upload-invoker',
    service=on_upload_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.projects.IAMMember(
    'on-upload-event-receiver',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/eventarc.eventReceiver',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload),
)
gcp.cloudscheduler.Job(
    'on-upload-schedule-1',
    region='europe-west1',
    schedule='0 * * * *',
    time_zone="Etc/UTC",
    http_target={
        "uri": on_upload_function.url,
        "http_method": "POST",
        "oidc_token": {"service_account_email": on_upload_account.email},
    },
    opts=pulumi.ResourceOptions(parent=on_upload),
)
on_upload.register_outputs({'name': on_upload_function.name, 'url': on_upload_function.url})

# --- 'on-update': Cloud Function (2nd gen)
on_update = pulumi.ComponentResource('aipipe:index:Function', 'on-update')
on_update_account = gcp.serviceaccount.Account(
    'on-update-account',
    account_id='fn-on-update-2101ca',
    display_name='aipipe function on-update',
    opts=pulumi.ResourceOptions(parent=on_update),
)
on_update_source = gcp.storage.BucketObject(
    'on-update-source',
    bucket=function_sources.name,
    name='on-update/source.zip',
    source=pulumi.AssetArchive({".": pulumi.FileArchive('../../../app')}),
    opts=pulumi.ResourceOptions(parent=on_update),
)
on_update_function = gcp.cloudfunctionsv2.Function(
    'on-update',
    location='europe-west1',
    build_config={
        "runtime": 'nodejs22',
        "entry_point": 'onUpdate',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": on_update_source.name,
            "generation": on_update_source.generation,
        }},
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "service_account_email": on_update_account.email,
    },
    event_trigger={'event_type': 'google.cloud.pubsub.topic.v1.messagePublished', 'pubsub_topic': updates_topic.id, 'retry_policy': 'RETRY_POLICY_RETRY', 'service_account_email': on_update_account.email},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-update'},
    opts=pulumi.ResourceOptions(parent=on_update),
)
gcp.cloudrun.IamMember(
    'on-update-invoker',
    service=on_update_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', on_update_account.email),
    opts=pulumi.ResourceOptions(parent=on_update),
)
gcp.projects.IAMMember(
    'on-update-event-receiver',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/eventarc.eventReceiver',
    member=pulumi.Output.concat('serviceAccount:', on_update_account.email),
    opts=pulumi.ResourceOptions(parent=on_update),
)
on_update.register_outputs({'name': on_update_function.name, 'url': on_update_function.url})

# --- 'to-text': Dataflow job from 'pubsub-to-gcs-text'
to_text = pulumi.ComponentResource('aipipe:index:Dataflow', 'to-text')
to_text_worker = gcp.projects.IAMMember(
    'to-text-worker',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/dataflow.worker',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text),
)
to_text_objects_1 = gcp.storage.BucketIAMMember(
    'to-text-objects-landing',
    bucket=landing_bucket.name,
    role='roles/storage.objectUser',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    condition={'title': 'objects under stream/', 'expression': pulumi.Output.concat('resource.type == "storage.googleapis.com/Bucket"', ' || resource.name.startsWith("projects/_/buckets/', landing_bucket.name, '/objects/stream/")')},
    opts=pulumi.ResourceOptions(parent=to_text),
)
to_text_objects_2 = gcp.storage.BucketIAMMember(
    'to-text-objects-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectUser',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    condition={'title': 'objects under dataflow/', 'expression': pulumi.Output.concat('resource.type == "storage.googleapis.com/Bucket"', ' || resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/dataflow/")')},
    opts=pulumi.ResourceOptions(parent=to_text),
)
# The job's own subscription to the topic: it keeps what is published while no job runs, and never expires.
to_text_input = gcp.pubsub.Subscription(
    'to-text-input',
    topic=updates_topic.id,
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-text'},
    opts=pulumi.ResourceOptions(parent=to_text),
)
to_text_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'to-text-subscriber',
    subscription=to_text_input.name,
    role='roles/pubsub.subscriber',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text),
)
to_text_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'to-text-viewer',
    subscription=to_text_input.name,
    role='roles/pubsub.viewer',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text),
)
to_text_job = gcp.dataflow.FlexTemplateJob(
    'to-text',
    container_spec_gcs_path='gs://dataflow-templates-europe-west1/latest/flex/Cloud_PubSub_to_GCS_Text_Flex',
    temp_location=pulumi.Output.concat(temp_bucket.url, '/dataflow/'),
    staging_location=pulumi.Output.concat(temp_bucket.url, '/dataflow/'),
    parameters={'inputSubscription': to_text_input.id, 'outputDirectory': pulumi.Output.concat(landing_bucket.url, '/stream/'), 'userTempLocation': pulumi.Output.concat(temp_bucket.url, '/dataflow/'), 'outputFilenamePrefix': 'output-', 'windowDuration': '5m', 'numShards': '2', 'apiToken': config.require_secret('API_TOKEN')},
    region='europe-west1',
    max_workers=5,
    machine_type='n2-standard-2',
    ip_configuration='WORKER_IP_PRIVATE',
    on_delete='cancel',
    service_account_email='dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-text'},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[to_text_worker, to_text_objects_1, to_text_objects_2, to_text_input, to_text_subscription_1, to_text_subscription_2]),
)
to_text.register_outputs({'id': to_text_job.id, 'name': to_text_job.name, 'job_id': to_text_job.job_id})

# --- 'to-bq': Dataflow job from 'pubsub-to-bigquery'
to_bq = pulumi.ComponentResource('aipipe:index:Dataflow', 'to-bq')
to_bq_account = gcp.serviceaccount.Account(
    'to-bq-account',
    account_id='df-to-bq-7644d8',
    display_name='aipipe dataflow worker to-bq',
    opts=pulumi.ResourceOptions(parent=to_bq),
)
to_bq_worker = gcp.projects.IAMMember(
    'to-bq-worker',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq),
)
to_bq_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'to-bq-subscriber',
    subscription=bq_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq),
)
to_bq_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'to-bq-viewer',
    subscription=bq_sub_subscription.name,
    role='roles/pubsub.viewer',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq),
)
# The output table must exist already (the template never creates it); its error-records table is created.
to_bq_dataset = gcp.bigquery.DatasetIamMember(
    'to-bq-dataset',
    project='ml-platform-123',
    dataset_id='training',
    role='roles/bigquery.dataEditor',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq),
)
to_bq_job = gcp.dataflow.FlexTemplateJob(
    'to-bq',
    container_spec_gcs_path='gs://dataflow-templates-europe-west1/latest/flex/PubSub_to_BigQuery_Flex',
    temp_location='gs://fixed-temp-bucket/tmp/',
    staging_location='gs://fixed-temp-bucket/tmp/',
    parameters={'inputSubscription': bq_sub_subscription.id, 'outputTableSpec': 'ml-platform-123:training.events'},
    region='europe-west1',
    on_delete='drain',
    service_account_email=to_bq_account.email,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-bq'},
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[to_bq_worker, to_bq_subscription_1, to_bq_subscription_2, to_bq_dataset]),
)
to_bq.register_outputs({'id': to_bq_job.id, 'name': to_bq_job.name, 'job_id': to_bq_job.job_id})

# --- 'custom': Dataflow job from 'gs://my-templates/pipelines/custom-v2'
custom = pulumi.ComponentResource('aipipe:index:Dataflow', 'custom')
custom_account = gcp.serviceaccount.Account(
    'custom-account',
    account_id='df-custom-059908',
    display_name='aipipe dataflow worker custom',
    opts=pulumi.ResourceOptions(parent=custom),
)
custom_worker = gcp.projects.IAMMember(
    'custom-worker',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    opts=pulumi.ResourceOptions(parent=custom),
)
custom_objects_1 = gcp.storage.BucketIAMMember(
    'custom-objects-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    condition={'title': 'objects under custom/', 'expression': pulumi.Output.concat('resource.type == "storage.googleapis.com/Bucket"', ' || resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/custom/")')},
    opts=pulumi.ResourceOptions(parent=custom),
)
custom_job = gcp.dataflow.Job(
    'custom',
    template_gcs_path='gs://my-templates/pipelines/custom-v2',
    temp_gcs_location=pulumi.Output.concat(temp_bucket.url, '/custom/'),
    parameters={},
    region='europe-west1',
    on_delete='drain',
    service_account_email=custom_account.email,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'custom'},
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[custom_worker, custom_objects_1]),
)
custom.register_outputs({'id': custom_job.id, 'name': custom_job.name, 'job_id': custom_job.job_id})

pulumi.export('url', landing_bucket.url)
pulumi.export('topic', updates_topic.id)
pulumi.export('sub', updates_sub_subscription.name)
pulumi.export('dead_letters', updates_sub_dead_letter_subscription.name)
pulumi.export('fn', on_upload_function.url)
pulumi.export('job', to_text_job.job_id)
