# Pulumi program for the aipipe spec 'distributed-pubsub', stack 'dev', rendered by aipipe '0.1.0'.
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
    opts=pulumi.ResourceOptions(depends_on=[service_agent_pubsub_role]),
)
project_ready = [*project_apis, service_agents_settled]

# Function source archives: build inputs only, so nothing here is worth keeping on destroy.
function_sources = gcp.storage.Bucket(
    'function-sources',
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev'},
    opts=pulumi.ResourceOptions(depends_on=project_ready),
)

# Cloud Build builds each function as this account, with only what a function build needs.
function_sources_builder = gcp.serviceaccount.Account(
    "function-builder",
    account_id='build-functions-ec5fe2',
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

# --- 'work-items': Pub/Sub topic
work_items = pulumi.ComponentResource('aipipe:index:Topic', 'work-items')
work_items_topic = gcp.pubsub.Topic(
    'work-items',
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'work-items'},
    opts=pulumi.ResourceOptions(parent=work_items, depends_on=[*project_ready]),
)
work_items.register_outputs({'id': work_items_topic.id, 'name': work_items_topic.name})

# --- 'embeddings': Cloud Storage bucket
embeddings = pulumi.ComponentResource('aipipe:index:Bucket', 'embeddings')
embeddings_bucket = gcp.storage.Bucket(
    'embeddings',
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    versioning={'enabled': True},
    lifecycle_rules=[{'action': {'type': 'SetStorageClass', 'storage_class': 'ARCHIVE'}, 'condition': {'age': 30}}],
    force_destroy=False,
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'embeddings'},
    opts=pulumi.ResourceOptions(parent=embeddings, retain_on_delete=True, depends_on=[*project_ready]),
)
embeddings.register_outputs({'name': embeddings_bucket.name, 'url': embeddings_bucket.url, 'id': embeddings_bucket.id})

# --- 'embed': Cloud Function (2nd gen)
embed = pulumi.ComponentResource('aipipe:index:Function', 'embed')
embed_account = gcp.serviceaccount.Account(
    'embed-account',
    account_id='fn-embed-1ac0a8',
    display_name='aipipe function embed',
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed_data_grant_1 = gcp.storage.BucketIAMMember(
    'embed-writes-embeddings',
    bucket=embeddings_bucket.name,
    role='roles/storage.objectUser',
    member=pulumi.Output.concat('serviceAccount:', embed_account.email),
    condition={'title': 'objects under vectors/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', embeddings_bucket.name, '/objects/vectors/")', ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("vectors/")')},
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed_caller = gcp.serviceaccount.Account(
    'embed-caller',
    account_id='call-embed-dcef86',
    display_name='aipipe triggers of embed',
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed_source = gcp.storage.BucketObject(
    'embed-source',
    bucket=function_sources.name,
    name='embed/source-c96757b484cf2912.zip',
    source=pulumi.FileAsset('../../build/dev/embed.zip'),
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed_grants_settled = time.Sleep(
    'embed-grants-settled',
    create_duration='120s',
    triggers={"grants": pulumi.Output.all(function_sources_build_logs.id, function_sources_build_images.id, function_sources_build_sources.id, embed_data_grant_1.id).apply(" ".join)},
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready, function_sources_build_logs, function_sources_build_images, function_sources_build_sources, embed_data_grant_1]),
)
embed_function = gcp.cloudfunctionsv2.Function(
    'embed',
    location='us-central1',
    build_config={
        "runtime": 'python312',
        "entry_point": 'handle_message',
        "source": {"storage_source": {
            "bucket": function_sources.name,
            "object": embed_source.name,
            "generation": embed_source.generation,
        }},
        "service_account": function_sources_builder.id,
    },
    service_config={
        "available_memory": '1024M',
        "timeout_seconds": 300,
        "ingress_settings": 'ALLOW_INTERNAL_ONLY',
        "service_account_email": embed_account.email,
        "environment_variables": {'RESULTS_BUCKET': embeddings_bucket.name},
    },
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'embed'},
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready, embed_grants_settled]),
)
embed_invoker = gcp.cloudrun.IamMember(
    'embed-invoker',
    service=embed_function.name,
    location='us-central1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', embed_caller.email),
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed_push_tokens = gcp.serviceaccount.IAMMember(
    'embed-push-tokens',
    service_account_id=embed_caller.name,
    role='roles/iam.serviceAccountTokenCreator',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=embed, depends_on=[*project_ready]),
)
embed.register_outputs({'name': embed_function.name, 'url': embed_function.url})

# --- 'batch-workers': Pub/Sub subscription to 'work-items'
batch_workers = pulumi.ComponentResource('aipipe:index:Subscription', 'batch-workers')
batch_workers_dead_letters = gcp.pubsub.Topic(
    'batch-workers-dead-letters',
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers, depends_on=[*project_ready]),
)
batch_workers_subscription = gcp.pubsub.Subscription(
    'batch-workers',
    topic=work_items_topic.id,
    ack_deadline_seconds=300,
    message_retention_duration='259200s',
    dead_letter_policy={'dead_letter_topic': batch_workers_dead_letters.id, 'max_delivery_attempts': 10},
    retry_policy={'minimum_backoff': '10s', 'maximum_backoff': '300s'},
    push_config={'push_endpoint': embed_function.service_config.uri, 'oidc_token': {'service_account_email': embed_caller.email}},
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers, depends_on=[*project_ready, embed_invoker, embed_push_tokens]),
)
# Messages published to a topic with no subscription are lost: the dead letters are kept here to inspect.
batch_workers_dead_letter_subscription = gcp.pubsub.Subscription(
    'batch-workers-dead-letters',
    topic=batch_workers_dead_letters.id,
    message_retention_duration='2678400s',
    expiration_policy={"ttl": ""},
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers, depends_on=[*project_ready]),
)
gcp.pubsub.TopicIAMMember(
    'batch-workers-dead-letters-publisher',
    topic=batch_workers_dead_letters.name,
    role='roles/pubsub.publisher',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=batch_workers, depends_on=[*project_ready]),
)
gcp.pubsub.SubscriptionIAMMember(
    'batch-workers-dead-letters-subscriber',
    subscription=batch_workers_subscription.name,
    role='roles/pubsub.subscriber',
    member=service_agent_pubsub.member,
    opts=pulumi.ResourceOptions(parent=batch_workers, depends_on=[*project_ready]),
)
batch_workers.register_outputs({'id': batch_workers_subscription.id, 'name': batch_workers_subscription.name, 'dead_letter_subscription': batch_workers_dead_letter_subscription.name})

pulumi.export('topic', work_items_topic.name)
pulumi.export('subscription', batch_workers_subscription.name)
pulumi.export('function_url', embed_function.url)
