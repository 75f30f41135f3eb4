# Pulumi program for the aipipe spec 'distributed-pubsub', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_gcp as gcp

config = pulumi.Config()

# Function source archives: build inputs only, so nothing here is worth keeping on destroy.
function_sources = gcp.storage.Bucket(
    "function-sources",
    location='us-central1',
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    force_destroy=True,
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev'},
)

# --- 'work-items': Pub/Sub topic
work_items = pulumi.ComponentResource('aipipe:index:Topic', 'work-items')
work_items_topic = gcp.pubsub.Topic(
    'work-items',
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'work-items'},
    opts=pulumi.ResourceOptions(parent=work_items),
)
work_items.register_outputs({'id': work_items_topic.id, 'name': work_items_topic.name})

# --- 'batch-workers': Pub/Sub subscription to 'work-items'
batch_workers = pulumi.ComponentResource('aipipe:index:Subscription', 'batch-workers')
batch_workers_dead_letters = gcp.pubsub.Topic(
    'batch-workers-dead-letters',
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers),
)
batch_workers_subscription = gcp.pubsub.Subscription(
    'batch-workers',
    topic=work_items_topic.id,
    ack_deadline_seconds=120,
    message_retention_duration='259200s',
    dead_letter_policy={'dead_letter_topic': batch_workers_dead_letters.id, 'max_delivery_attempts': 10},
    retry_policy={'minimum_backoff': '10s', 'maximum_backoff': '300s'},
    expiration_policy={'ttl': ''},
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers),
)
# Messages published to a topic with no subscription are lost: the dead letters are kept here to inspect.
batch_workers_dead_letter_subscription = gcp.pubsub.Subscription(
    'batch-workers-dead-letters',
    topic=batch_workers_dead_letters.id,
    message_retention_duration='2678400s',
    expiration_policy={"ttl": ""},
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'batch-workers'},
    opts=pulumi.ResourceOptions(parent=batch_workers),
)
gcp.pubsub.TopicIAMMember(
    'batch-workers-dead-letters-publisher',
    topic=batch_workers_dead_letters.name,
    role='roles/pubsub.publisher',
    member=pulumi.Output.concat('serviceAccount:service-', gcp.organizations.get_project_output().number, '@gcp-sa-pubsub.iam.gserviceaccount.com'),
    opts=pulumi.ResourceOptions(parent=batch_workers),
)
gcp.pubsub.SubscriptionIAMMember(
    'batch-workers-dead-letters-subscriber',
    subscription=batch_workers_subscription.name,
    role='roles/pubsub.subscriber',
    member=pulumi.Output.concat('serviceAccount:service-', gcp.organizations.get_project_output().number, '@gcp-sa-pubsub.iam.gserviceaccount.com'),
    opts=pulumi.ResourceOptions(parent=batch_workers),
)
batch_workers.register_outputs({'id': batch_workers_subscription.id, 'name': batch_workers_subscription.name, 'dead_letter_subscription': batch_workers_dead_letter_subscription.name})

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
    opts=pulumi.ResourceOptions(parent=embeddings, retain_on_delete=True),
)
embeddings.register_outputs({'name': embeddings_bucket.name, 'url': embeddings_bucket.url, 'id': embeddings_bucket.id})

# --- 'embed': Cloud Function (2nd gen)
embed = pulumi.ComponentResource('aipipe:index:Function', 'embed')
embed_account = gcp.serviceaccount.Account(
    'embed-account',
    account_id='fn-embed-1ac0a8',
    display_name='aipipe function embed',
    opts=pulumi.ResourceOptions(parent=embed),
)
gcp.storage.BucketIAMMember(
    'embed-writes-embeddings',
    bucket=embeddings_bucket.name,
    role='roles/storage.objectCreator',
    member=pulumi.Output.concat('serviceAccount:', embed_account.email),
    condition={'title': 'objects under vectors/', 'expression': pulumi.Output.concat('resource.name.startsWith("projects/_/buckets/', embeddings_bucket.name, '/objects/vectors/")')},
    opts=pulumi.ResourceOptions(parent=embed),
)
embed_source = gcp.storage.BucketObject(
    'embed-source',
    bucket=function_sources.name,
    name='embed/source.zip',
    source=pulumi.AssetArchive({".": pulumi.FileArchive('../../../embed')}),
    opts=pulumi.ResourceOptions(parent=embed),
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
    },
    service_config={
        "available_memory": '1024M',
        "timeout_seconds": 300,
        "service_account_email": embed_account.email,
        "environment_variables": {'RESULTS_BUCKET': embeddings_bucket.name},
    },
    event_trigger={'event_type': 'google.cloud.pubsub.topic.v1.messagePublished', 'pubsub_topic': work_items_topic.id, 'retry_policy': 'RETRY_POLICY_RETRY', 'service_account_email': embed_account.email},
    labels={'aipipe-project': 'distributed-pubsub', 'aipipe-stack': 'dev', 'team': 'ml-platform', 'pipeline': 'embeddings', 'aipipe-resource': 'embed'},
    opts=pulumi.ResourceOptions(parent=embed),
)
gcp.cloudrun.IamMember(
    'embed-invoker',
    service=embed_function.name,
    location='us-central1',
    role='roles/run.invoker',
    member=pulumi.Output.concat('serviceAccount:', embed_account.email),
    opts=pulumi.ResourceOptions(parent=embed),
)
gcp.projects.IAMMember(
    'embed-event-receiver',
    project=gcp.organizations.get_project_output().project_id,
    role='roles/eventarc.eventReceiver',
    member=pulumi.Output.concat('serviceAccount:', embed_account.email),
    opts=pulumi.ResourceOptions(parent=embed),
)
embed.register_outputs({'name': embed_function.name, 'url': embed_function.url})

pulumi.export('topic', work_items_topic.name)
pulumi.export('subscription', batch_workers_subscription.name)
pulumi.export('function_url', embed_function.url)
