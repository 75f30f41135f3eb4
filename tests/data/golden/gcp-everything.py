# Pulumi program for the aipipe spec 'gcp-everything', stack 'dev', rendered by aipipe '0.1.0'.
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
        'api-cloudscheduler',
        service='cloudscheduler.googleapis.com',
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
        'api-eventarc',
        service='eventarc.googleapis.com',
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
        'api-secretmanager',
        service='secretmanager.googleapis.com',
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
service_agent_eventarc = gcp.projects.ServiceIdentity(
    'eventarc-agent',
    service='eventarc.googleapis.com',
    opts=pulumi.ResourceOptions(depends_on=project_apis),
)
# the agent's role, as Google grants it, in case it has not yet (kept on destroy: the agent serves the project)
service_agent_eventarc_role = gcp.projects.IAMMember(
    'eventarc-agent-role',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/eventarc.serviceAgent',
    member=service_agent_eventarc.member,
    opts=pulumi.ResourceOptions(retain_on_delete=True, depends_on=project_apis),
)
service_agent_pubsub = gcp.projects.ServiceIdentity(
    'pubsub-agent',
    service='pubsub.googleapis.com',
    opts=pulumi.ResourceOptions(depends_on=project_apis),
)
# the agent's role, as Google grants it, in case it has not yet (kept on destroy: the agent serves the project)
service_agent_pubsub_role = gcp.projects.IAMMember(
    'pubsub-agent-role',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/pubsub.serviceAgent',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(retain_on_delete=True, depends_on=project_apis),
)
# Service agents' roles take minutes to propagate
# (terraform-provider-google#25294: "it may take a few minutes"), so nothing uses them before this wait.
service_agents_settled = time.Sleep(
    "service-agents-settled",
    create_duration='120s',
    opts=pulumi.ResourceOptions(depends_on=[service_agent_eventarc_role, service_agent_pubsub_role]),
)
project_ready = [*project_apis, service_agents_settled]
# Dataflow staged files: workers fetch them whenever they start (autoscaling, restarts), so they never expire
# here, unlike a `temp` bucket with `expire_after`; build inputs only, so nothing here is kept on destroy.
dataflow_staged_files = gcp.storage.Bucket(
    'dataflow-staged-files',
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# Function source archives: build inputs only, so nothing here is worth keeping on destroy.
function_sources = gcp.storage.Bucket(
    'function-sources',
    location='europe-west1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# Cloud Build builds each function as this account, with only what a function build needs.
function_sources_builder = gcp.serviceaccount.Account(
    "function-builder",
    account_id='build-functions-fd297f',
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
# Cloud Storage publishes object events through Pub/Sub as its own service agent. Kept on destroy: the binding is
# the project's, and other stacks' bucket triggers need it too.
storage_events_publisher = gcp.projects.IAMMember(
    "storage-events-publisher",
    project=gcp.organizations.get_client_config_output().project,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:', gcp.storage.get_project_service_account_output().email_address),
    opts=pulumi.ResourceOptions(retain_on_delete=True, depends_on=project_ready),
)

# --- 'data-key': Cloud KMS key
data_key = pulumi.ComponentResource('aipipe:index:Key', 'data-key')
data_key_ring = gcp.kms.KeyRing(
    'data-key-ring',
    location='europe',
    opts=pulumi.ResourceOptions(parent=data_key, depends_on=[*project_ready]),
)
data_key_key = gcp.kms.CryptoKey(
    'data-key',
    key_ring=data_key_ring.id,
    rotation_period='2592000s',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'data-key'},
    opts=pulumi.ResourceOptions(parent=data_key, retain_on_delete=True, depends_on=[*project_ready]),
)
data_key.register_outputs({'id': data_key_key.id, 'name': data_key_key.name})

# --- 'landing': Cloud Storage bucket
landing = pulumi.ComponentResource('aipipe:index:Bucket', 'landing')
# always kept on destroy: a retained bucket's objects cannot be read without it, and the binding (this
# project's Cloud Storage agent on the key) is shared with every other bucket of the project on that key
landing_key_grant = gcp.kms.CryptoKeyIAMMember(
    'landing-key-grant',
    crypto_key_id=data_key_key.id,
    role='roles/cloudkms.cryptoKeyEncrypterDecrypter',
    member=pulumi.Output.concat('serviceAccount:', gcp.storage.get_project_service_account_output().email_address),
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[*project_ready]),
)
landing_grants_settled = time.Sleep(
    'landing-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(landing_key_grant.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=landing, depends_on=[*project_ready, landing_key_grant]),
)
landing_bucket = gcp.storage.Bucket(
    'landing',
    location='EU',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': False},
    encryption={'default_kms_key_name': data_key_key.id},
    lifecycle_rules=[{'action': {'type': 'SetStorageClass', 'storage_class': 'ARCHIVE'}, 'condition': {'age': 30}}, {'action': {'type': 'Delete'}, 'condition': {'age': 365}}],
    force_destroy=False,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'tier': 'raw', 'aipipe-resource': 'landing'},
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[*project_ready, landing_grants_settled]),
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
    opts=pulumi.ResourceOptions(parent=temp, depends_on=[*project_ready]),
)
gcp.storage.BucketObject(
    'temp-seed-config-settings-json-980db14c',
    bucket=temp_bucket.name,
    name='config/settings.json',
    source=pulumi.FileAsset('../../../seed/settings.json'),
    opts=pulumi.ResourceOptions(parent=temp, depends_on=[*project_ready]),
)
temp.register_outputs({'name': temp_bucket.name, 'url': temp_bucket.url, 'id': temp_bucket.id})

# --- 'shared': Cloud Storage bucket
shared = pulumi.ComponentResource('aipipe:index:Bucket', 'shared')
shared_bucket = gcp.storage.Bucket.get('shared', 'shared-datasets-bucket', opts=pulumi.ResourceOptions(parent=shared, depends_on=[*project_ready]))
shared.register_outputs({'name': 'shared-datasets-bucket', 'url': 'gs://shared-datasets-bucket', 'id': 'shared-datasets-bucket'})

# --- 'updates': Pub/Sub topic
updates = pulumi.ComponentResource('aipipe:index:Topic', 'updates')
# always kept on destroy: the binding (this project's Pub/Sub agent on the key) is shared with every other topic
# of the project on that key
updates_key_grant = gcp.kms.CryptoKeyIAMMember(
    'updates-key-grant',
    crypto_key_id='projects/ml-platform-123/locations/europe-west1/keyRings/ring/cryptoKeys/key',
    role='roles/cloudkms.cryptoKeyEncrypterDecrypter',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=updates, retain_on_delete=True, depends_on=[*project_ready, landing]),
)
updates_grants_settled = time.Sleep(
    'updates-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(updates_key_grant.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=updates, depends_on=[*project_ready, landing, updates_key_grant]),
)
updates_topic = gcp.pubsub.Topic(
    'updates',
    message_retention_duration='604800s',
    kms_key_name='projects/ml-platform-123/locations/europe-west1/keyRings/ring/cryptoKeys/key',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates'},
    opts=pulumi.ResourceOptions(parent=updates, depends_on=[*project_ready, landing, updates_grants_settled]),
)
updates.register_outputs({'id': updates_topic.id, 'name': updates_topic.name})

# --- 'updates-sub': Pub/Sub subscription to 'updates'
updates_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'updates-sub')
updates_sub_dead_letters = gcp.pubsub.Topic(
    'updates-sub-dead-letters',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates-sub'},
    opts=pulumi.ResourceOptions(parent=updates_sub, depends_on=[*project_ready]),
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
    opts=pulumi.ResourceOptions(parent=updates_sub, depends_on=[*project_ready]),
)
# Messages published to a topic with no subscription are lost: the dead letters are kept here to inspect.
updates_sub_dead_letter_subscription = gcp.pubsub.Subscription(
    'updates-sub-dead-letters',
    topic=updates_sub_dead_letters.id,
    message_retention_duration='2678400s',
    expiration_policy={"ttl": ""},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'updates-sub'},
    opts=pulumi.ResourceOptions(parent=updates_sub, depends_on=[*project_ready]),
)
gcp.pubsub.TopicIAMMember(
    'updates-sub-dead-letters-publisher',
    topic=updates_sub_dead_letters.name,
    role='roles/pubsub.publisher',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=updates_sub, depends_on=[*project_ready]),
)
gcp.pubsub.SubscriptionIAMMember(
    'updates-sub-dead-letters-subscriber',
    subscription=updates_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=updates_sub, depends_on=[*project_ready]),
)
updates_sub.register_outputs({'id': updates_sub_subscription.id, 'name': updates_sub_subscription.name, 'dead_letter_subscription': updates_sub_dead_letter_subscription.name})

# --- 'on-work': Cloud Function (2nd gen)
on_work = pulumi.ComponentResource('aipipe:index:Function', 'on-work')
on_work_account = gcp.serviceaccount.Account(
    'on-work-account',
    account_id='fn-on-work-b2edff',
    display_name='aipipe function on-work',
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready]),
)
on_work_caller = gcp.serviceaccount.Account(
    'on-work-caller',
    account_id='call-on-work-9449a9',
    display_name='aipipe triggers of on-work',
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready]),
)
on_work_source = gcp.storage.BucketObject(
    'on-work-source',
    bucket=function_sources.name,
    name='on-work/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/on-work.zip'),
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready]),
)
on_work_grants_settled = time.Sleep(
    'on-work-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources]),
)
on_work_function = gcp.cloudfunctionsv2.Function(
    'on-work',
    location='europe-west1',
    build_config={
        "runtime": 'python312',
        "entry_point": 'main',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": on_work_source.name,
            "generation": on_work_source.generation,
        }},
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "ingress_settings": 'ALLOW_INTERNAL_ONLY',
        "service_account_email": on_work_account.email,
    },
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-work'},
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready, on_work_grants_settled]),
)
on_work_invoker = gcp.cloudrun.IamMember(
    'on-work-invoker',
    service=on_work_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', on_work_caller.email),
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready]),
)
on_work_push_tokens = gcp.serviceaccount.IAMMember(
    'on-work-push-tokens',
    service_account_id=on_work_caller.name,
    role='roles/iam.serviceAccountTokenCreator',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=on_work, depends_on=[*project_ready]),
)
on_work.register_outputs({'name': on_work_function.name, 'url': on_work_function.url})

# --- 'work-sub': Pub/Sub subscription to 'updates'
work_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'work-sub')
work_sub_dead_letters = gcp.pubsub.Topic(
    'work-sub-dead-letters',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'work-sub'},
    opts=pulumi.ResourceOptions(parent=work_sub, depends_on=[*project_ready]),
)
work_sub_subscription = gcp.pubsub.Subscription(
    'work-sub',
    topic=updates_topic.id,
    ack_deadline_seconds=60,
    dead_letter_policy={'dead_letter_topic': work_sub_dead_letters.id, 'max_delivery_attempts': 5},
    push_config={'push_endpoint': on_work_function.service_config.uri, 'oidc_token': {'service_account_email': on_work_caller.email}},
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'work-sub'},
    opts=pulumi.ResourceOptions(parent=work_sub, depends_on=[*project_ready, on_work_invoker, on_work_push_tokens]),
)
# Messages published to a topic with no subscription are lost: the dead letters are kept here to inspect.
work_sub_dead_letter_subscription = gcp.pubsub.Subscription(
    'work-sub-dead-letters',
    topic=work_sub_dead_letters.id,
    message_retention_duration='2678400s',
    expiration_policy={"ttl": ""},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'work-sub'},
    opts=pulumi.ResourceOptions(parent=work_sub, depends_on=[*project_ready]),
)
gcp.pubsub.TopicIAMMember(
    'work-sub-dead-letters-publisher',
    topic=work_sub_dead_letters.name,
    role='roles/pubsub.publisher',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=work_sub, depends_on=[*project_ready]),
)
gcp.pubsub.SubscriptionIAMMember(
    'work-sub-dead-letters-subscriber',
    subscription=work_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=work_sub, depends_on=[*project_ready]),
)
work_sub.register_outputs({'id': work_sub_subscription.id, 'name': work_sub_subscription.name, 'dead_letter_subscription': work_sub_dead_letter_subscription.name})

# --- 'bq-sub': Pub/Sub subscription to 'updates'
bq_sub = pulumi.ComponentResource('aipipe:index:Subscription', 'bq-sub')
bq_sub_subscription = gcp.pubsub.Subscription(
    'bq-sub',
    topic=updates_topic.id,
    message_retention_duration='86400s',
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'bq-sub'},
    opts=pulumi.ResourceOptions(parent=bq_sub, depends_on=[*project_ready]),
)
bq_sub.register_outputs({'id': bq_sub_subscription.id, 'name': bq_sub_subscription.name})

# --- 'events-bq': BigQuery dataset
events_bq = pulumi.ComponentResource('aipipe:index:Table', 'events-bq')
events_bq_dataset = gcp.bigquery.Dataset(
    'events-bq',
    dataset_id='analytics_events',
    location='EU',
    default_table_expiration_ms=7776000000,
    delete_contents_on_destroy=False,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'events-bq'},
    opts=pulumi.ResourceOptions(parent=events_bq, retain_on_delete=True, depends_on=[*project_ready]),
)
events_bq_table = gcp.bigquery.Table(
    'events-bq-table',
    dataset_id=events_bq_dataset.dataset_id,
    table_id='events_bq',
    schema='[{"name":"id","type":"STRING","mode":"REQUIRED"},{"name":"at","type":"TIMESTAMP","mode":"NULLABLE"},{"name":"tags","type":"STRING","mode":"REPEATED"}]',
    time_partitioning={'type': 'DAY', 'field': 'at'},
    deletion_protection=True,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'events-bq'},
    opts=pulumi.ResourceOptions(parent=events_bq, retain_on_delete=True, depends_on=[*project_ready]),
)
events_bq.register_outputs({'name': events_bq_dataset.dataset_id, 'id': events_bq_dataset.id, 'table_spec': pulumi.Output.concat(events_bq_table.project, ':', events_bq_table.dataset_id, '.', 'events_bq')})

# --- 'scratch-bq': BigQuery dataset
scratch_bq = pulumi.ComponentResource('aipipe:index:Table', 'scratch-bq')
scratch_bq_dataset = gcp.bigquery.Dataset(
    'scratch-bq',
    dataset_id='gcp_everything_dev_scratch_bq',
    location='europe-west1',
    delete_contents_on_destroy=False,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'scratch-bq'},
    opts=pulumi.ResourceOptions(parent=scratch_bq, depends_on=[*project_ready]),
)
scratch_bq.register_outputs({'name': scratch_bq_dataset.dataset_id, 'id': scratch_bq_dataset.id})

# --- 'report': Cloud Function (2nd gen)
report = pulumi.ComponentResource('aipipe:index:Function', 'report')
report_account = gcp.serviceaccount.Account(
    'report-account',
    account_id='fn-report-7342a0',
    display_name='aipipe function report',
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready]),
)
report_data_grant_1 = gcp.bigquery.DatasetIamMember(
    'report-reads-events-bq',
    dataset_id=events_bq_dataset.dataset_id,
    role='roles/bigquery.dataViewer',
    member=pulumi.Output.concat('serviceAccount:', report_account.email),
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready]),
)
report_data_grant_2 = gcp.projects.IAMMember(
    'report-bigquery-jobs',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/bigquery.jobUser',
    member=pulumi.Output.concat('serviceAccount:', report_account.email),
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready]),
)
report_data_grant_3 = gcp.bigquery.DatasetIamMember(
    'report-writes-scratch-bq',
    dataset_id=scratch_bq_dataset.dataset_id,
    role='roles/bigquery.dataEditor',
    member=pulumi.Output.concat('serviceAccount:', report_account.email),
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready]),
)
report_source = gcp.storage.BucketObject(
    'report-source',
    bucket=function_sources.name,
    name='report/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/report.zip'),
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready]),
)
report_grants_settled = time.Sleep(
    'report-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id, report_data_grant_1.id, report_data_grant_2.id, report_data_grant_3.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources, report_data_grant_1, report_data_grant_2, report_data_grant_3]),
)
report_function = gcp.cloudfunctionsv2.Function(
    'report',
    location='europe-west1',
    build_config={
        "runtime": 'python312',
        "entry_point": 'main',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": report_source.name,
            "generation": report_source.generation,
        }},
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "service_account_email": report_account.email,
    },
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'report'},
    opts=pulumi.ResourceOptions(parent=report, depends_on=[*project_ready, report_grants_settled]),
)
report.register_outputs({'name': report_function.name, 'url': report_function.url})

# --- 'on-upload': Cloud Function (2nd gen)
on_upload = pulumi.ComponentResource('aipipe:index:Function', 'on-upload')
on_upload_account = gcp.serviceaccount.Account(
    'on-upload-account',
    account_id='fn-on-upload-5d386e',
    display_name='aipipe function on-upload',
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_data_grant_1 = gcp.storage.BucketIAMMember(
    'on-upload-reads-landing',
    bucket=landing_bucket.name,
    role='roles/storage.objectViewer',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'objects under incoming/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', landing_bucket.name, '/objects/incoming/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("incoming/")')},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_data_grant_2 = gcp.pubsub.SubscriptionIAMMember(
    'on-upload-reads-updates-sub',
    subscription=updates_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_data_grant_3 = gcp.storage.BucketIAMMember(
    'on-upload-writes-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'objects under out/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/out/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("out/")')},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_data_grant_4 = gcp.pubsub.TopicIAMMember(
    'on-upload-writes-updates',
    topic=updates_topic.name,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_data_grant_5 = gcp.storage.BucketIAMMember(
    'on-upload-deletes-landing',
    bucket=landing_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'objects under incoming/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', landing_bucket.name, '/objects/incoming/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("incoming/")')},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_permission_0 = gcp.projects.IAMMember(
    'on-upload-permission-0',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/aiplatform.user',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_permission_1 = gcp.storage.BucketIAMMember(
    'on-upload-permission-1',
    bucket='shared-datasets-bucket',
    role='roles/storage.legacyBucketReader',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    condition={'title': 'until 2027', 'expression': 'request.time < timestamp("2027-01-01T00:00:00Z")', 'description': 'temporary, for the backfill'},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_permission_2 = gcp.pubsub.SubscriptionIAMMember(
    'on-upload-permission-2',
    subscription=updates_sub_subscription.name,
    role='roles/pubsub.viewer',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_secret_0 = gcp.secretmanager.Secret(
    'on-upload-secret-api-token',
    secret_id='gcp-everything-dev-on-upload-API_TOKEN',
    replication={"auto": {}},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-upload'},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_secret_0_value = gcp.secretmanager.SecretVersion(
    'on-upload-secret-api-token-value',
    secret=on_upload_secret_0.id,
    secret_data=config.require_secret('API_TOKEN'),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_secret_0_access = gcp.secretmanager.SecretIamMember(
    'on-upload-secret-api-token-access',
    secret_id=on_upload_secret_0.id,
    role='roles/secretmanager.secretAccessor',
    member=pulumi.Output.concat('serviceAccount:', on_upload_account.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_caller = gcp.serviceaccount.Account(
    'on-upload-caller',
    account_id='call-on-upload-1cbaa8',
    display_name='aipipe triggers of on-upload',
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_event_receiver = gcp.projects.IAMMember(
    'on-upload-event-receiver',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/eventarc.eventReceiver',
    member=pulumi.Output.concat('serviceAccount:', on_upload_caller.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_source = gcp.storage.BucketObject(
    'on-upload-source',
    bucket=function_sources.name,
    name='on-upload/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/on-upload.zip'),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload_grants_settled = time.Sleep(
    'on-upload-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id, on_upload_data_grant_1.id, on_upload_data_grant_2.id, on_upload_data_grant_3.id, on_upload_data_grant_4.id, on_upload_data_grant_5.id, on_upload_permission_0.id, on_upload_permission_1.id, on_upload_permission_2.id, on_upload_secret_0_value.id, on_upload_secret_0_access.id, on_upload_event_receiver.id, storage_events_publisher.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources, on_upload_data_grant_1, on_upload_data_grant_2, on_upload_data_grant_3, on_upload_data_grant_4, on_upload_data_grant_5, on_upload_permission_0, on_upload_permission_1, on_upload_permission_2, on_upload_secret_0_value, on_upload_secret_0_access, on_upload_event_receiver, storage_events_publisher]),
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
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '2048M',
        "timeout_seconds": 540,
        "max_instance_count": 20,
        "min_instance_count": 1,
        "vpc_connector": pulumi.Output.concat('projects/', gcp.organizations.get_client_config_output().project, '/locations/europe-west1/connectors/shared-connector'),
        "vpc_connector_egress_settings": 'ALL_TRAFFIC',
        "ingress_settings": 'ALLOW_INTERNAL_ONLY',
        "service_account_email": on_upload_account.email,
        "environment_variables": {'OUT': temp_bucket.name},
        "secret_environment_variables": [
            {"key": 'TOKEN', "project_id": on_upload_secret_0.project, "secret": on_upload_secret_0.secret_id, "version": on_upload_secret_0_value.version},
        ],
    },
    event_trigger={'event_type': 'google.cloud.storage.object.v1.finalized', 'event_filters': [{'attribute': 'bucket', 'value': landing_bucket.name}], 'trigger_region': 'eu', 'retry_policy': 'RETRY_POLICY_RETRY', 'service_account_email': on_upload_caller.email},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-upload'},
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready, on_upload_grants_settled]),
)
on_upload_invoker = gcp.cloudrun.IamMember(
    'on-upload-invoker',
    service=on_upload_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', on_upload_caller.email),
    opts=pulumi.ResourceOptions(parent=on_upload, depends_on=[*project_ready]),
)
on_upload.register_outputs({'name': on_upload_function.name, 'url': on_upload_function.url})

# --- 'hourly': Cloud Function (2nd gen)
hourly = pulumi.ComponentResource('aipipe:index:Function', 'hourly')
hourly_account = gcp.serviceaccount.Account(
    'hourly-account',
    account_id='fn-hourly-d37386',
    display_name='aipipe function hourly',
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready]),
)
hourly_caller = gcp.serviceaccount.Account(
    'hourly-caller',
    account_id='call-hourly-ecbd0a',
    display_name='aipipe triggers of hourly',
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready]),
)
hourly_source = gcp.storage.BucketObject(
    'hourly-source',
    bucket=function_sources.name,
    name='hourly/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/hourly.zip'),
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready]),
)
hourly_grants_settled = time.Sleep(
    'hourly-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources]),
)
hourly_function = gcp.cloudfunctionsv2.Function(
    'hourly',
    location='europe-west1',
    build_config={
        "runtime": 'python312',
        "entry_point": 'main',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": hourly_source.name,
            "generation": hourly_source.generation,
        }},
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "vpc_connector": 'projects/ml-platform-123/locations/europe-west1/connectors/shared',
        "ingress_settings": 'ALLOW_INTERNAL_ONLY',
        "service_account_email": hourly_account.email,
    },
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'hourly'},
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready, hourly_grants_settled]),
)
hourly_invoker = gcp.cloudrun.IamMember(
    'hourly-invoker',
    service=hourly_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', hourly_caller.email),
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready]),
)
gcp.cloudscheduler.Job(
    'hourly-schedule-0',
    region='europe-west1',
    schedule='0 * * * *',
    time_zone="Etc/UTC",
    http_target={
        "uri": hourly_function.service_config.uri,
        "http_method": "POST",
        "oidc_token": {"service_account_email": hourly_caller.email},
    },
    opts=pulumi.ResourceOptions(parent=hourly, depends_on=[*project_ready, hourly_invoker]),
)
hourly.register_outputs({'name': hourly_function.name, 'url': hourly_function.url})

# --- 'on-update': Cloud Function (2nd gen)
on_update = pulumi.ComponentResource('aipipe:index:Function', 'on-update')
on_update_account = gcp.serviceaccount.Account(
    'on-update-account',
    account_id='fn-on-update-2101ca',
    display_name='aipipe function on-update',
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready]),
)
on_update_caller = gcp.serviceaccount.Account(
    'on-update-caller',
    account_id='call-on-update-d4537a',
    display_name='aipipe triggers of on-update',
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready]),
)
on_update_source = gcp.storage.BucketObject(
    'on-update-source',
    bucket=function_sources.name,
    name='on-update/source-752c59a1f260b561.zip',
    source=pulumi.FileAsset('../../build/dev/on-update.zip'),
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready]),
)
on_update_grants_settled = time.Sleep(
    'on-update-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources]),
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
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '256M',
        "timeout_seconds": 60,
        "ingress_settings": 'ALLOW_INTERNAL_ONLY',
        "service_account_email": on_update_account.email,
    },
    event_trigger={'event_type': 'google.cloud.pubsub.topic.v1.messagePublished', 'pubsub_topic': updates_topic.id, 'retry_policy': 'RETRY_POLICY_RETRY', 'service_account_email': on_update_caller.email},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'on-update'},
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready, on_update_grants_settled]),
)
on_update_invoker = gcp.cloudrun.IamMember(
    'on-update-invoker',
    service=on_update_function.name,
    location='europe-west1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', on_update_caller.email),
    opts=pulumi.ResourceOptions(parent=on_update, depends_on=[*project_ready]),
)
on_update.register_outputs({'name': on_update_function.name, 'url': on_update_function.url})

# --- 'to-text': Dataflow job from 'pubsub-to-gcs-text'
to_text = pulumi.ComponentResource('aipipe:index:Dataflow', 'to-text')
to_text_worker = gcp.projects.IAMMember(
    'to-text-worker',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/dataflow.worker',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
to_text_objects_1 = gcp.storage.BucketIAMMember(
    'to-text-objects-landing',
    bucket=landing_bucket.name,
    role='roles/storage.objectUser',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    condition={'title': 'objects under stream/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', landing_bucket.name, '/objects/stream/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("stream/")')},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
to_text_objects_2 = gcp.storage.BucketIAMMember(
    'to-text-objects-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectUser',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    condition={'title': 'objects under dataflow/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/dataflow/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("dataflow/")')},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
# The job's own subscription to the topic: it keeps what is published while no job runs, and never expires.
to_text_input = gcp.pubsub.Subscription(
    'to-text-input',
    topic=updates_topic.id,
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-text'},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
to_text_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'to-text-subscriber',
    subscription=to_text_input.name,
    role='roles/pubsub.subscriber',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
to_text_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'to-text-viewer',
    subscription=to_text_input.name,
    role='roles/pubsub.viewer',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
# its staged files, in the program's staged-files bucket under the job's own prefix
to_text_staging = gcp.storage.BucketIAMMember(
    'to-text-staging',
    bucket=dataflow_staged_files.name,
    role='roles/storage.objectUser',
    member='serviceAccount:dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    condition={'title': 'staged files of to-text', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', dataflow_staged_files.name, '/objects/to-text/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("to-text/")')},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready]),
)
to_text_grants_settled = time.Sleep(
    'to-text-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(to_text_worker.id, to_text_objects_1.id, to_text_objects_2.id, to_text_input.id, to_text_subscription_1.id, to_text_subscription_2.id, to_text_staging.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready, to_text_worker, to_text_objects_1, to_text_objects_2, to_text_input, to_text_subscription_1, to_text_subscription_2, to_text_staging]),
)
to_text_job = gcp.dataflow.FlexTemplateJob(
    'to-text',
    container_spec_gcs_path='gs://dataflow-templates-europe-west1/latest/flex/Cloud_PubSub_to_GCS_Text_Flex',
    temp_location=pulumi.Output.concat(temp_bucket.url, '/dataflow/'),
    staging_location=pulumi.Output.concat(dataflow_staged_files.url, '/to-text/'),
    parameters={'inputSubscription': to_text_input.id, 'outputDirectory': pulumi.Output.concat(landing_bucket.url, '/stream/'), 'userTempLocation': pulumi.Output.concat(temp_bucket.url, '/dataflow/'), 'outputFilenamePrefix': 'output-', 'windowDuration': '5m', 'numShards': '2', 'outputFilenameSuffix': '.txt'},
    region='europe-west1',
    max_workers=5,
    machine_type='n2-standard-2',
    ip_configuration='WORKER_IP_PRIVATE',
    on_delete='cancel',
    service_account_email='dataflow-worker@ml-platform-123.iam.gserviceaccount.com',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-text'},
    opts=pulumi.ResourceOptions(parent=to_text, depends_on=[*project_ready, to_text_grants_settled]),
)
to_text.register_outputs({'id': to_text_job.id, 'name': to_text_job.name, 'job_id': to_text_job.job_id})

# --- 'to-bq': Dataflow job from 'pubsub-to-bigquery'
to_bq = pulumi.ComponentResource('aipipe:index:Dataflow', 'to-bq')
to_bq_account = gcp.serviceaccount.Account(
    'to-bq-account',
    account_id='df-to-bq-7644d8',
    display_name='aipipe dataflow worker to-bq',
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
to_bq_worker = gcp.projects.IAMMember(
    'to-bq-worker',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
to_bq_subscription_1 = gcp.pubsub.SubscriptionIAMMember(
    'to-bq-subscriber',
    subscription=bq_sub_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
to_bq_subscription_2 = gcp.pubsub.SubscriptionIAMMember(
    'to-bq-viewer',
    subscription=bq_sub_subscription.name,
    role='roles/pubsub.viewer',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
# The output table must exist already (the template never creates it); its error-records table is created.
to_bq_dataset = gcp.bigquery.DatasetIamMember(
    'to-bq-dataset',
    project='ml-platform-123',
    dataset_id='training',
    role='roles/bigquery.dataEditor',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
# its staged files, in the program's staged-files bucket under the job's own prefix
to_bq_staging = gcp.storage.BucketIAMMember(
    'to-bq-staging',
    bucket=dataflow_staged_files.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', to_bq_account.email),
    condition={'title': 'staged files of to-bq', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', dataflow_staged_files.name, '/objects/to-bq/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("to-bq/")')},
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready]),
)
to_bq_grants_settled = time.Sleep(
    'to-bq-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(to_bq_worker.id, to_bq_subscription_1.id, to_bq_subscription_2.id, to_bq_dataset.id, to_bq_staging.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready, to_bq_worker, to_bq_subscription_1, to_bq_subscription_2, to_bq_dataset, to_bq_staging]),
)
to_bq_job = gcp.dataflow.FlexTemplateJob(
    'to-bq',
    container_spec_gcs_path='gs://dataflow-templates-europe-west1/latest/flex/PubSub_to_BigQuery_Flex',
    temp_location='gs://fixed-temp-bucket/tmp/',
    staging_location=pulumi.Output.concat(dataflow_staged_files.url, '/to-bq/'),
    parameters={'inputSubscription': bq_sub_subscription.id, 'outputTableSpec': 'ml-platform-123:training.events'},
    region='europe-west1',
    on_delete='drain',
    service_account_email=to_bq_account.email,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'to-bq'},
    opts=pulumi.ResourceOptions(parent=to_bq, depends_on=[*project_ready, to_bq_grants_settled]),
)
to_bq.register_outputs({'id': to_bq_job.id, 'name': to_bq_job.name, 'job_id': to_bq_job.job_id})

# --- 'custom': Dataflow job from 'gs://my-templates/pipelines/custom-v2'
custom = pulumi.ComponentResource('aipipe:index:Dataflow', 'custom')
custom_account = gcp.serviceaccount.Account(
    'custom-account',
    account_id='df-custom-059908',
    display_name='aipipe dataflow worker custom',
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready]),
)
custom_worker = gcp.projects.IAMMember(
    'custom-worker',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/dataflow.worker',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready]),
)
custom_objects_1 = gcp.storage.BucketIAMMember(
    'custom-objects-temp',
    bucket=temp_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    condition={'title': 'objects under custom/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', temp_bucket.name, '/objects/custom/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("custom/")')},
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready]),
)
custom_permission_0 = gcp.projects.IAMMember(
    'custom-permission-0',
    project=gcp.organizations.get_client_config_output().project,
    role='roles/bigquery.jobUser',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready]),
)
custom_permission_1 = gcp.pubsub.TopicIAMMember(
    'custom-permission-1',
    topic=updates_topic.name,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:', custom_account.email),
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready]),
)
custom_grants_settled = time.Sleep(
    'custom-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(custom_worker.id, custom_objects_1.id, custom_permission_0.id, custom_permission_1.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready, custom_worker, custom_objects_1, custom_permission_0, custom_permission_1]),
)
custom_job = gcp.dataflow.Job(
    'custom',
    template_gcs_path='gs://my-templates/pipelines/custom-v2',
    temp_gcs_location=pulumi.Output.concat(temp_bucket.url, '/custom/'),
    parameters={'apiToken': config.require_secret('API_TOKEN')},
    region='europe-west1',
    on_delete='drain',
    service_account_email=custom_account.email,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'custom'},
    opts=pulumi.ResourceOptions(parent=custom, depends_on=[*project_ready, custom_grants_settled]),
)
custom.register_outputs({'id': custom_job.id, 'name': custom_job.name, 'job_id': custom_job.job_id})

# --- 'results': 'gcp:bigquery/dataset:Dataset'
results = pulumi.ComponentResource('aipipe:index:Pulumi', 'results')
results_resource = gcp.bigquery.Dataset(
    'results',
    dataset_id='results',
    location='EU',
    default_table_expiration_ms=7776000000,
    delete_contents_on_destroy=False,
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'tier': 'curated', 'aipipe-resource': 'results'},
    opts=pulumi.ResourceOptions(parent=results, protect=True, depends_on=[*project_ready, landing]),
)
results.register_outputs({'id': results_resource.id, 'urn': results_resource.urn, 'accesses': results_resource.accesses, 'creation_time': results_resource.creation_time, 'dataset_id': results_resource.dataset_id, 'default_collation': results_resource.default_collation, 'default_encryption_configuration': results_resource.default_encryption_configuration, 'default_partition_expiration_ms': results_resource.default_partition_expiration_ms, 'default_table_expiration_ms': results_resource.default_table_expiration_ms, 'delete_contents_on_destroy': results_resource.delete_contents_on_destroy, 'deletion_policy': results_resource.deletion_policy, 'description': results_resource.description, 'effective_labels': results_resource.effective_labels, 'etag': results_resource.etag, 'external_catalog_dataset_options': results_resource.external_catalog_dataset_options, 'external_dataset_reference': results_resource.external_dataset_reference, 'friendly_name': results_resource.friendly_name, 'is_case_insensitive': results_resource.is_case_insensitive, 'labels': results_resource.labels, 'last_modified_time': results_resource.last_modified_time, 'location': results_resource.location, 'max_time_travel_hours': results_resource.max_time_travel_hours, 'project': results_resource.project, 'pulumi_labels': results_resource.pulumi_labels, 'resource_tags': results_resource.resource_tags, 'self_link': results_resource.self_link, 'storage_billing_model': results_resource.storage_billing_model})

# --- 'results-events': 'gcp:bigquery/table:Table'
results_events = pulumi.ComponentResource('aipipe:index:Pulumi', 'results-events')
results_events_resource = gcp.bigquery.Table(
    'results-events',
    dataset_id=results_resource.dataset_id,
    table_id='events',
    deletion_protection=True,
    schema='[{"name": "id", "type": "STRING"}]',
    labels={'aipipe-project': 'gcp-everything', 'aipipe-stack': 'dev', 'team': 'ml', 'cost-center': '4711', 'aipipe-resource': 'results-events'},
    opts=pulumi.ResourceOptions(parent=results_events, depends_on=[*project_ready]),
)
results_events.register_outputs({'id': results_events_resource.id, 'urn': results_events_resource.urn, 'biglake_configuration': results_events_resource.biglake_configuration, 'clusterings': results_events_resource.clusterings, 'creation_time': results_events_resource.creation_time, 'dataset_id': results_events_resource.dataset_id, 'deletion_policy': results_events_resource.deletion_policy, 'deletion_protection': results_events_resource.deletion_protection, 'description': results_events_resource.description, 'effective_labels': results_events_resource.effective_labels, 'encryption_configuration': results_events_resource.encryption_configuration, 'etag': results_events_resource.etag, 'expiration_time': results_events_resource.expiration_time, 'external_catalog_table_options': results_events_resource.external_catalog_table_options, 'external_data_configuration': results_events_resource.external_data_configuration, 'friendly_name': results_events_resource.friendly_name, 'generated_schema_columns': results_events_resource.generated_schema_columns, 'ignore_auto_generated_schema': results_events_resource.ignore_auto_generated_schema, 'ignore_schema_changes': results_events_resource.ignore_schema_changes, 'labels': results_events_resource.labels, 'last_modified_time': results_events_resource.last_modified_time, 'location': results_events_resource.location, 'materialized_view': results_events_resource.materialized_view, 'max_staleness': results_events_resource.max_staleness, 'num_bytes': results_events_resource.num_bytes, 'num_long_term_bytes': results_events_resource.num_long_term_bytes, 'num_rows': results_events_resource.num_rows, 'project': results_events_resource.project, 'pulumi_labels': results_events_resource.pulumi_labels, 'range_partitioning': results_events_resource.range_partitioning, 'require_partition_filter': results_events_resource.require_partition_filter, 'resource_tags': results_events_resource.resource_tags, 'schema': results_events_resource.schema, 'schema_foreign_type_info': results_events_resource.schema_foreign_type_info, 'self_link': results_events_resource.self_link, 'table_constraints': results_events_resource.table_constraints, 'table_id': results_events_resource.table_id, 'table_metadata_view': results_events_resource.table_metadata_view, 'table_replication_info': results_events_resource.table_replication_info, 'time_partitioning': results_events_resource.time_partitioning, 'type': results_events_resource.type, 'view': results_events_resource.view})

pulumi.export('url', landing_bucket.url)
pulumi.export('topic', updates_topic.id)
pulumi.export('sub', updates_sub_subscription.name)
pulumi.export('dead_letters', updates_sub_dead_letter_subscription.name)
pulumi.export('fn', on_upload_function.url)
pulumi.export('job', to_text_job.job_id)
pulumi.export('key_id', data_key_key.id)
pulumi.export('key_name', data_key_key.name)
pulumi.export('events_table', pulumi.Output.concat(events_bq_table.project, ':', events_bq_table.dataset_id, '.', 'events_bq'))
pulumi.export('results', results_resource.dataset_id)
