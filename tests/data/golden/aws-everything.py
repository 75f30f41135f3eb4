# Pulumi program for the aipipe spec 'aws-everything', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws_eu_west_1 = aws.Provider('aws-eu-west-1', region='eu-west-1')
# role S3 assumes to replicate 'landing' (its policy and configuration follow the buckets)
landing_replication_role = aws.iam.Role(
    'landing-replication-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev'},
)
# DataSync may write the log groups of this stack's tasks in 'us-east-1'
nightly_log_policy = aws.cloudwatch.LogResourcePolicy(
    'datasync-logs-us-east-1',
    policy_name='aipipe-aws-everything-dev-datasync-logs-us-east-1',
    policy_document=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':logs:us-east-1:', aws.get_caller_identity_output().account_id, ':log-group:'), '/aws/datasync/aws-everything-dev-*:*')], 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:us-east-1:', aws.get_caller_identity_output().account_id, ':task/*')}}}]}),
    opts=pulumi.ResourceOptions(),
)

# --- 'scratch': S3 bucket
scratch = pulumi.ComponentResource('aipipe:index:Bucket', 'scratch')
scratch_bucket = aws.s3.Bucket(
    'scratch',
    force_destroy=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'scratch'},
    opts=pulumi.ResourceOptions(parent=scratch),
)
scratch_public_access = aws.s3.BucketPublicAccessBlock(
    'scratch-public-access',
    bucket=scratch_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=scratch),
)
aws.s3.BucketPolicy(
    'scratch-tls-only',
    bucket=scratch_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [scratch_bucket.arn, pulumi.Output.concat(scratch_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=scratch, depends_on=[scratch_public_access]),
)
scratch_versioning = aws.s3.BucketVersioning(
    'scratch-versioning',
    bucket=scratch_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=scratch),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'scratch-encryption',
    bucket=scratch_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=scratch),
)
aws.s3.BucketLifecycleConfiguration(
    'scratch-lifecycle',
    bucket=scratch_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'expiration': {'days': 7}, 'noncurrent_version_expiration': {'noncurrent_days': 7}}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}, 'expiration': {'expired_object_delete_marker': True}}],
    opts=pulumi.ResourceOptions(parent=scratch, depends_on=[scratch_versioning]),
)
scratch.register_outputs({'name': scratch_bucket.bucket, 'arn': scratch_bucket.arn, 'url': pulumi.Output.concat('s3://', scratch_bucket.bucket), 'id': scratch_bucket.id})

# --- 'landing': S3 bucket
landing = pulumi.ComponentResource('aipipe:index:Bucket', 'landing')
landing_bucket = aws.s3.Bucket(
    'landing',
    force_destroy=False,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'tier': 'raw', 'aipipe:resource': 'landing'},
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True),
)
landing_public_access = aws.s3.BucketPublicAccessBlock(
    'landing-public-access',
    bucket=landing_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'landing-tls-only',
    bucket=landing_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [landing_bucket.arn, pulumi.Output.concat(landing_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[landing_public_access]),
)
landing_versioning = aws.s3.BucketVersioning(
    'landing-versioning',
    bucket=landing_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True),
)
landing_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
    'landing-encryption',
    bucket=landing_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms', 'kms_master_key_id': 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'}, 'bucket_key_enabled': True}],
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True),
)
aws.s3.BucketLifecycleConfiguration(
    'landing-lifecycle',
    bucket=landing_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'transitions': [{'days': 30, 'storage_class': 'GLACIER_IR'}], 'expiration': {'days': 365}, 'noncurrent_version_expiration': {'noncurrent_days': 365}}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}, 'expiration': {'expired_object_delete_marker': True}}],
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[landing_versioning]),
)
aws.s3.BucketObjectv2(
    'landing-seed-config-settings-json-980db14c',
    bucket=landing_bucket.id,
    key='config/settings.json',
    source=pulumi.FileAsset('../../../seed/settings.json'),
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[landing_encryption, landing_versioning]),
)
aws.s3.BucketObjectv2(
    'landing-seed-config-output-bucket-txt-3afda8ac',
    bucket=landing_bucket.id,
    key='config/output-bucket.txt',
    content=scratch_bucket.bucket,
    opts=pulumi.ResourceOptions(parent=landing, protect=True, retain_on_delete=True, depends_on=[landing_encryption, landing_versioning]),
)
landing.register_outputs({'name': landing_bucket.bucket, 'arn': landing_bucket.arn, 'url': pulumi.Output.concat('s3://', landing_bucket.bucket), 'id': landing_bucket.id})

# --- 'replica': S3 bucket
replica = pulumi.ComponentResource('aipipe:index:Bucket', 'replica')
replica_bucket = aws.s3.Bucket(
    'replica',
    force_destroy=False,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'replica'},
    opts=pulumi.ResourceOptions(parent=replica, provider=aws_eu_west_1, retain_on_delete=True),
)
replica_public_access = aws.s3.BucketPublicAccessBlock(
    'replica-public-access',
    bucket=replica_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=replica, provider=aws_eu_west_1, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'replica-tls-only',
    bucket=replica_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [replica_bucket.arn, pulumi.Output.concat(replica_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=replica, provider=aws_eu_west_1, retain_on_delete=True, depends_on=[replica_public_access]),
)
replica_versioning = aws.s3.BucketVersioning(
    'replica-versioning',
    bucket=replica_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=replica, provider=aws_eu_west_1, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'replica-encryption',
    bucket=replica_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms', 'kms_master_key_id': 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab'}, 'bucket_key_enabled': True}],
    opts=pulumi.ResourceOptions(parent=replica, provider=aws_eu_west_1, retain_on_delete=True),
)
replica.register_outputs({'name': replica_bucket.bucket, 'arn': replica_bucket.arn, 'url': pulumi.Output.concat('s3://', replica_bucket.bucket), 'id': replica_bucket.id})

# --- 'data-key': KMS key
data_key = pulumi.ComponentResource('aipipe:index:Key', 'data-key')
data_key_key = aws.kms.Key(
    'data-key',
    description='aipipe aws-everything/dev: data-key',
    enable_key_rotation=True,
    rotation_period_in_days=180,
    deletion_window_in_days=14,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'EnableIAMPolicies', 'Effect': 'Allow', 'Principal': {'AWS': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':iam::', aws.get_caller_identity_output().account_id, ':root')}, 'Action': 'kms:*', 'Resource': '*'}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'data-key'},
    opts=pulumi.ResourceOptions(parent=data_key, retain_on_delete=True),
)
data_key_alias = aws.kms.Alias(
    'data-key-alias',
    name='alias/aws-everything-dev-data-key',
    target_key_id=data_key_key.key_id,
    opts=pulumi.ResourceOptions(parent=data_key),
)
data_key.register_outputs({'arn': data_key_key.arn, 'id': data_key_key.key_id, 'alias': data_key_alias.name})

# --- 'sealed': S3 bucket
sealed = pulumi.ComponentResource('aipipe:index:Bucket', 'sealed')
sealed_bucket = aws.s3.Bucket(
    'sealed',
    force_destroy=False,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'sealed'},
    opts=pulumi.ResourceOptions(parent=sealed, retain_on_delete=True),
)
sealed_public_access = aws.s3.BucketPublicAccessBlock(
    'sealed-public-access',
    bucket=sealed_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=sealed, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'sealed-tls-only',
    bucket=sealed_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [sealed_bucket.arn, pulumi.Output.concat(sealed_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=sealed, retain_on_delete=True, depends_on=[sealed_public_access]),
)
sealed_versioning = aws.s3.BucketVersioning(
    'sealed-versioning',
    bucket=sealed_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=sealed, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'sealed-encryption',
    bucket=sealed_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms', 'kms_master_key_id': data_key_key.arn}, 'bucket_key_enabled': True}],
    opts=pulumi.ResourceOptions(parent=sealed, retain_on_delete=True),
)
sealed.register_outputs({'name': sealed_bucket.bucket, 'arn': sealed_bucket.arn, 'url': pulumi.Output.concat('s3://', sealed_bucket.bucket), 'id': sealed_bucket.id})

# --- 'vendor-drop': S3 bucket
vendor_drop = pulumi.ComponentResource('aipipe:index:Bucket', 'vendor-drop')
vendor_drop_bucket = aws.s3.Bucket.get('vendor-drop', 'vendor-drop-bucket-2024', opts=pulumi.ResourceOptions(parent=vendor_drop))
vendor_drop.register_outputs({'name': 'vendor-drop-bucket-2024', 'arn': vendor_drop_bucket.arn, 'url': 's3://vendor-drop-bucket-2024', 'id': 'vendor-drop-bucket-2024'})

# --- 'events': SNS topic
events = pulumi.ComponentResource('aipipe:index:Topic', 'events')
events_topic = aws.sns.Topic(
    'events',
    kms_master_key_id='arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'events'},
    opts=pulumi.ResourceOptions(parent=events, depends_on=[landing]),
)
events.register_outputs({'id': events_topic.id, 'name': events_topic.name, 'arn': events_topic.arn})

# --- 'alarms': SNS topic
alarms = pulumi.ComponentResource('aipipe:index:Topic', 'alarms')
alarms_topic = aws.sns.Topic(
    'alarms',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'alarms'},
    opts=pulumi.ResourceOptions(parent=alarms),
)
alarms.register_outputs({'id': alarms_topic.id, 'name': alarms_topic.name, 'arn': alarms_topic.arn})

# --- 'events-queue': SQS queue subscribed to 'events'
events_queue = pulumi.ComponentResource('aipipe:index:Subscription', 'events-queue')
events_queue_dead_letters = aws.sqs.Queue(
    'events-queue-dead-letters',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'events-queue'},
    opts=pulumi.ResourceOptions(parent=events_queue),
)
events_queue_queue = aws.sqs.Queue(
    'events-queue',
    visibility_timeout_seconds=600,
    message_retention_seconds=345600,
    redrive_policy=pulumi.Output.json_dumps({'deadLetterTargetArn': events_queue_dead_letters.arn, 'maxReceiveCount': 8}),
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'events-queue'},
    opts=pulumi.ResourceOptions(parent=events_queue),
)
aws.sqs.QueuePolicy(
    'events-queue-policy',
    queue_url=events_queue_queue.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [events_queue_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': events_topic.arn}}}]}),
    opts=pulumi.ResourceOptions(parent=events_queue),
)
aws.sns.TopicSubscription(
    'events-queue-subscription',
    topic=events_topic.arn,
    protocol="sqs",
    endpoint=events_queue_queue.arn,
    raw_message_delivery=True,
    filter_policy=pulumi.Output.json_dumps({'kind': ['image', 'text']}),
    opts=pulumi.ResourceOptions(parent=events_queue),
)
events_queue.register_outputs({'id': events_queue_queue.id, 'name': events_queue_queue.name, 'arn': events_queue_queue.arn, 'url': events_queue_queue.url})

# --- 'order-events': SQS queue subscribed to 'events'
order_events = pulumi.ComponentResource('aipipe:index:Subscription', 'order-events')
order_events_dead_letters = aws.sqs.Queue(
    'order-events-dead-letters',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'order-events'},
    opts=pulumi.ResourceOptions(parent=order_events),
)
order_events_queue = aws.sqs.Queue(
    'order-events',
    visibility_timeout_seconds=120,
    redrive_policy=pulumi.Output.json_dumps({'deadLetterTargetArn': order_events_dead_letters.arn, 'maxReceiveCount': 5}),
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'order-events'},
    opts=pulumi.ResourceOptions(parent=order_events),
)
aws.sqs.QueuePolicy(
    'order-events-policy',
    queue_url=order_events_queue.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [order_events_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': events_topic.arn}}}]}),
    opts=pulumi.ResourceOptions(parent=order_events),
)
aws.sns.TopicSubscription(
    'order-events-subscription',
    topic=events_topic.arn,
    protocol="sqs",
    endpoint=order_events_queue.arn,
    raw_message_delivery=True,
    opts=pulumi.ResourceOptions(parent=order_events),
)
order_events.register_outputs({'id': order_events_queue.id, 'name': order_events_queue.name, 'arn': order_events_queue.arn, 'url': order_events_queue.url})

# --- 'clicks': Kinesis data stream
clicks = pulumi.ComponentResource('aipipe:index:Stream', 'clicks')
clicks_stream = aws.kinesis.Stream(
    'clicks',
    shard_count=2,
    stream_mode_details={'stream_mode': 'PROVISIONED'},
    retention_period=168,
    encryption_type='KMS',
    kms_key_id='alias/aws/kinesis',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'clicks'},
    opts=pulumi.ResourceOptions(parent=clicks),
)
clicks.register_outputs({'name': clicks_stream.name, 'arn': clicks_stream.arn})

# --- 'burst': Kinesis data stream
burst = pulumi.ComponentResource('aipipe:index:Stream', 'burst')
burst_stream = aws.kinesis.Stream(
    'burst',
    stream_mode_details={'stream_mode': 'ON_DEMAND'},
    retention_period=24,
    encryption_type='KMS',
    kms_key_id=data_key_key.arn,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'burst'},
    opts=pulumi.ResourceOptions(parent=burst),
)
burst.register_outputs({'name': burst_stream.name, 'arn': burst_stream.arn})

# --- 'orders': DynamoDB table
orders = pulumi.ComponentResource('aipipe:index:Table', 'orders')
orders_table = aws.dynamodb.Table(
    'orders',
    attributes=[{'name': 'customer', 'type': 'S'}, {'name': 'placed_at', 'type': 'N'}],
    hash_key='customer',
    range_key='placed_at',
    billing_mode='PROVISIONED',
    read_capacity=5,
    write_capacity=5,
    ttl={'attribute_name': 'expires_at', 'enabled': True},
    point_in_time_recovery={'enabled': True},
    stream_enabled=True,
    stream_view_type='NEW_AND_OLD_IMAGES',
    server_side_encryption={'enabled': True, 'kms_key_arn': 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'},
    deletion_protection_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'orders'},
    opts=pulumi.ResourceOptions(parent=orders, retain_on_delete=True),
)
orders.register_outputs({'name': orders_table.name, 'arn': orders_table.arn, 'stream_arn': orders_table.stream_arn})

# --- 'sessions': DynamoDB table
sessions = pulumi.ComponentResource('aipipe:index:Table', 'sessions')
sessions_table = aws.dynamodb.Table(
    'sessions',
    attributes=[{'name': 'id', 'type': 'B'}],
    hash_key='id',
    billing_mode='PAY_PER_REQUEST',
    point_in_time_recovery={'enabled': False},
    deletion_protection_enabled=False,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'sessions'},
    opts=pulumi.ResourceOptions(parent=sessions),
)
sessions.register_outputs({'name': sessions_table.name, 'arn': sessions_table.arn})

# --- 'on-order': Lambda function
on_order = pulumi.ComponentResource('aipipe:index:Function', 'on-order')
on_order_role = aws.iam.Role(
    'on-order-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'on-order'},
    opts=pulumi.ResourceOptions(parent=on_order),
)
on_order_logs = aws.cloudwatch.LogGroup(
    'on-order-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'on-order'},
    opts=pulumi.ResourceOptions(parent=on_order),
)
on_order_failed = aws.sqs.Queue(
    'on-order-failed',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'on-order'},
    opts=pulumi.ResourceOptions(parent=on_order),
)
on_order_policy = aws.iam.RolePolicy(
    'on-order-policy',
    role=on_order_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(on_order_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], 'Resource': [orders_table.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('dynamodb.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], 'Resource': [sessions_table.arn]}, {'Effect': 'Allow', 'Action': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], 'Resource': [pulumi.Output.concat(orders_table.arn, '/stream/*')]}, {'Effect': 'Allow', 'Action': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], 'Resource': [order_events_queue.arn]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [on_order_failed.arn]}]}),
    opts=pulumi.ResourceOptions(parent=on_order),
)
on_order_function = aws.lambda_.Function(
    'on-order',
    role=on_order_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/on-order.zip'),
    architectures=['x86_64'],
    memory_size=256,
    timeout=60,
    logging_config={"log_format": "Text", "log_group": on_order_logs.name},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'on-order'},
    opts=pulumi.ResourceOptions(parent=on_order, depends_on=[on_order_policy]),
)
aws.lambda_.EventSourceMapping(
    'on-order-from-orders',
    function_name=on_order_function.arn,
    event_source_arn=orders_table.stream_arn,
    starting_position='TRIM_HORIZON',
    batch_size=50,
    maximum_retry_attempts=3,
    bisect_batch_on_function_error=True,
    function_response_types=['ReportBatchItemFailures'],
    destination_config={"on_failure": {"destination_arn": on_order_failed.arn}},
    opts=pulumi.ResourceOptions(parent=on_order, depends_on=[on_order_policy]),
)
aws.lambda_.EventSourceMapping(
    'on-order-from-order-events',
    function_name=on_order_function.arn,
    event_source_arn=order_events_queue.arn,
    batch_size=50,
    maximum_batching_window_in_seconds=10,
    opts=pulumi.ResourceOptions(parent=on_order, depends_on=[on_order_policy]),
)
on_order.register_outputs({'name': on_order_function.name, 'arn': on_order_function.arn})

# --- 'jobs-failed': SQS queue
jobs_failed = pulumi.ComponentResource('aipipe:index:Queue', 'jobs-failed')
jobs_failed_queue = aws.sqs.Queue(
    'jobs-failed',
    visibility_timeout_seconds=30,
    message_retention_seconds=1209600,
    delay_seconds=0,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'jobs-failed'},
    opts=pulumi.ResourceOptions(parent=jobs_failed),
)
jobs_failed.register_outputs({'name': jobs_failed_queue.name, 'arn': jobs_failed_queue.arn, 'url': jobs_failed_queue.url})

# --- 'jobs': SQS queue
jobs = pulumi.ComponentResource('aipipe:index:Queue', 'jobs')
jobs_queue = aws.sqs.Queue(
    'jobs',
    visibility_timeout_seconds=7200,
    message_retention_seconds=604800,
    delay_seconds=10,
    sqs_managed_sse_enabled=True,
    redrive_policy=pulumi.Output.json_dumps({'deadLetterTargetArn': jobs_failed_queue.arn, 'maxReceiveCount': 3}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'jobs'},
    opts=pulumi.ResourceOptions(parent=jobs),
)
jobs_policy = aws.sqs.QueuePolicy(
    'jobs-policy',
    queue_url=jobs_queue.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 's3.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [jobs_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': landing_bucket.arn}, 'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}}}, {'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [jobs_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': events_topic.arn}}}]}),
    opts=pulumi.ResourceOptions(parent=jobs),
)
aws.sns.TopicSubscription(
    'jobs-on-events',
    topic=events_topic.arn,
    protocol="sqs",
    endpoint=jobs_queue.arn,
    opts=pulumi.ResourceOptions(parent=jobs, depends_on=[jobs_policy]),
)
jobs.register_outputs({'name': jobs_queue.name, 'arn': jobs_queue.arn, 'url': jobs_queue.url})

# --- 'ordered-failed': SQS queue
ordered_failed = pulumi.ComponentResource('aipipe:index:Queue', 'ordered-failed')
ordered_failed_queue = aws.sqs.Queue(
    'ordered-failed',
    visibility_timeout_seconds=30,
    message_retention_seconds=345600,
    delay_seconds=0,
    fifo_queue=True,
    content_based_deduplication=False,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ordered-failed'},
    opts=pulumi.ResourceOptions(parent=ordered_failed),
)
ordered_failed.register_outputs({'name': ordered_failed_queue.name, 'arn': ordered_failed_queue.arn, 'url': ordered_failed_queue.url})

# --- 'ordered': SQS queue
ordered = pulumi.ComponentResource('aipipe:index:Queue', 'ordered')
ordered_queue = aws.sqs.Queue(
    'ordered',
    visibility_timeout_seconds=1200,
    message_retention_seconds=345600,
    delay_seconds=0,
    fifo_queue=True,
    content_based_deduplication=True,
    kms_master_key_id='arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    redrive_policy=pulumi.Output.json_dumps({'deadLetterTargetArn': ordered_failed_queue.arn, 'maxReceiveCount': 5}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ordered'},
    opts=pulumi.ResourceOptions(parent=ordered),
)
ordered.register_outputs({'name': ordered_queue.name, 'arn': ordered_queue.arn, 'url': ordered_queue.url})

# --- 'worker': Lambda function
worker = pulumi.ComponentResource('aipipe:index:Function', 'worker')
worker_role = aws.iam.Role(
    'worker-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker),
)
worker_logs = aws.cloudwatch.LogGroup(
    'worker-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker),
)
worker_policy = aws.iam.RolePolicy(
    'worker-policy',
    role=worker_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(worker_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'], 'Resource': [ordered_queue.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('sqs.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], 'Resource': [jobs_queue.arn]}]}),
    opts=pulumi.ResourceOptions(parent=worker),
)
worker_function = aws.lambda_.Function(
    'worker',
    role=worker_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/worker.zip'),
    architectures=['x86_64'],
    memory_size=256,
    timeout=900,
    logging_config={"log_format": "Text", "log_group": worker_logs.name},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker, depends_on=[worker_policy]),
)
aws.lambda_.EventSourceMapping(
    'worker-from-jobs',
    function_name=worker_function.arn,
    event_source_arn=jobs_queue.arn,
    batch_size=100,
    maximum_batching_window_in_seconds=5,
    function_response_types=['ReportBatchItemFailures'],
    opts=pulumi.ResourceOptions(parent=worker, depends_on=[worker_policy]),
)
aws.lambda_.EventSourceMapping(
    'worker-from-ordered',
    function_name=worker_function.arn,
    event_source_arn=ordered_queue.arn,
    batch_size=10,
    opts=pulumi.ResourceOptions(parent=worker, depends_on=[worker_policy]),
)
worker.register_outputs({'name': worker_function.name, 'arn': worker_function.arn})

# --- 'ingest': Lambda function
ingest = pulumi.ComponentResource('aipipe:index:Function', 'ingest')
ingest_role = aws.iam.Role(
    'ingest-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_logs = aws.cloudwatch.LogGroup(
    'ingest-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_failed = aws.sqs.Queue(
    'ingest-failed',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest),
)
aws.sqs.QueuePolicy(
    'ingest-failed-policy',
    queue_url=ingest_failed.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [ingest_failed.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': [events_topic.arn]}}}]}),
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_policy = aws.iam.RolePolicy(
    'ingest-policy',
    role=ingest_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(ingest_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(landing_bucket.arn, '/incoming/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [landing_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['incoming/*']}}}, {'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('s3.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], 'Resource': [events_queue_queue.arn]}, {'Effect': 'Allow', 'Action': ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'], 'Resource': [clicks_stream.arn]}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(scratch_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['sns:Publish'], 'Resource': [events_topic.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('sns.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['kinesis:PutRecord', 'kinesis:PutRecords'], 'Resource': [burst_stream.arn]}, {'Effect': 'Allow', 'Action': ['kms:GenerateDataKey'], 'Resource': [data_key_key.arn], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('kinesis.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['s3:DeleteObject'], 'Resource': [pulumi.Output.concat(scratch_bucket.arn, '/tmp/*')]}, {'Effect': 'Allow', 'Action': ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [ingest_failed.arn]}]}),
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_permissions = aws.iam.RolePolicy(
    'ingest-permissions',
    role=ingest_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['textract:AnalyzeDocument', 'textract:DetectDocumentText'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['glue:GetJobRun', 'glue:StartJobRun'], 'Resource': [pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':glue:', 'us-east-1', ':', aws.get_caller_identity_output().account_id, ':job/etl-', pulumi.get_stack())]}, {'Effect': 'Allow', 'Action': ['ssm:GetParameter'], 'Resource': [pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':ssm:', 'us-east-1', ':', aws.get_caller_identity_output().account_id, ':parameter/pipelines/', pulumi.get_project(), '/*')], 'Condition': {'StringEquals': {'aws:ResourceTag/team': 'data'}}}]}),
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_function = aws.lambda_.Function(
    'ingest',
    role=ingest_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/ingest.zip'),
    architectures=['x86_64'],
    memory_size=1024,
    timeout=300,
    environment={"variables": {'OUT': scratch_bucket.bucket, 'TOKEN': config.require_secret('API_TOKEN'), 'WORKERS': '4', 'STAGE': pulumi.get_stack(), 'LITERAL': '${not-a-reference}'}},
    reserved_concurrent_executions=20,
    vpc_config={'subnet_ids': ['subnet-0123456789abcdef0', 'subnet-12345678'], 'security_group_ids': ['sg-0123456789abcdef0']},
    logging_config={"log_format": "Text", "log_group": ingest_logs.name},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest, depends_on=[ingest_policy, ingest_permissions]),
)
aws.lambda_.FunctionEventInvokeConfig(
    'ingest-async',
    function_name=ingest_function.name,
    maximum_retry_attempts=1,
    maximum_event_age_in_seconds=3600,
    destination_config={"on_failure": {"destination": ingest_failed.arn}},
    opts=pulumi.ResourceOptions(parent=ingest, depends_on=[ingest_policy]),
)
ingest_invoke_from_landing = aws.lambda_.Permission(
    'ingest-invoke-from-landing',
    action='lambda:InvokeFunction',
    function=ingest_function.name,
    principal='s3.amazonaws.com',
    source_arn=landing_bucket.arn,
    source_account=aws.get_caller_identity_output().account_id,
    opts=pulumi.ResourceOptions(parent=ingest),
)
aws.lambda_.EventSourceMapping(
    'ingest-from-clicks',
    function_name=ingest_function.arn,
    event_source_arn=clicks_stream.arn,
    starting_position='TRIM_HORIZON',
    batch_size=200,
    maximum_retry_attempts=5,
    bisect_batch_on_function_error=True,
    destination_config={"on_failure": {"destination_arn": ingest_failed.arn}},
    opts=pulumi.ResourceOptions(parent=ingest, depends_on=[ingest_policy]),
)
aws.lambda_.Permission(
    'ingest-invoke-from-events',
    action='lambda:InvokeFunction',
    function=ingest_function.name,
    principal='sns.amazonaws.com',
    source_arn=events_topic.arn,
    opts=pulumi.ResourceOptions(parent=ingest),
)
aws.sns.TopicSubscription(
    'ingest-on-events',
    topic=events_topic.arn,
    protocol="lambda",
    endpoint=ingest_function.arn,
    redrive_policy=pulumi.Output.json_dumps({"deadLetterTargetArn": ingest_failed.arn}),
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest_schedule_4 = aws.cloudwatch.EventRule(
    'ingest-schedule-4',
    schedule_expression='rate(1 hour)',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest),
)
aws.cloudwatch.EventTarget(
    'ingest-schedule-4-target',
    rule=ingest_schedule_4.name,
    arn=ingest_function.arn,
    opts=pulumi.ResourceOptions(parent=ingest),
)
aws.lambda_.Permission(
    'ingest-invoke-from-schedule-4',
    action='lambda:InvokeFunction',
    function=ingest_function.name,
    principal='events.amazonaws.com',
    source_arn=ingest_schedule_4.arn,
    opts=pulumi.ResourceOptions(parent=ingest),
)
ingest.register_outputs({'name': ingest_function.name, 'arn': ingest_function.arn})

# --- 'train': Lambda function
train = pulumi.ComponentResource('aipipe:index:Function', 'train')
train_role = aws.iam.Role(
    'train-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
train_logs = aws.cloudwatch.LogGroup(
    'train-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
train_failed = aws.sqs.Queue(
    'train-failed',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
train_policy = aws.iam.RolePolicy(
    'train-policy',
    role=train_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(train_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(sealed_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [sealed_bucket.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': [data_key_key.arn], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('s3.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [train_failed.arn]}]}),
    opts=pulumi.ResourceOptions(parent=train),
)
train_function = aws.lambda_.Function(
    'train',
    role=train_role.arn,
    runtime='nodejs22.x',
    handler='index.handler',
    code=pulumi.FileArchive('../../build/dev/train.zip'),
    architectures=['arm64'],
    memory_size=256,
    timeout=60,
    environment={"variables": {'DB_PASSWORD': config.require_secret('DB_PASSWORD')}},
    layers=['arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7'],
    logging_config={"log_format": "Text", "log_group": train_logs.name},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train, depends_on=[train_policy]),
)
aws.lambda_.FunctionEventInvokeConfig(
    'train-async',
    function_name=train_function.name,
    maximum_retry_attempts=2,
    maximum_event_age_in_seconds=21600,
    destination_config={"on_failure": {"destination": train_failed.arn}},
    opts=pulumi.ResourceOptions(parent=train, depends_on=[train_policy]),
)
train_trigger_0 = aws.cloudwatch.EventRule(
    'train-trigger-0',
    event_pattern=pulumi.Output.json_dumps({'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': {'bucket': {'name': ['vendor-drop-bucket-2024']}, 'object': {'key': [{'wildcard': 'drops/*.csv'}]}}}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
aws.cloudwatch.EventTarget(
    'train-trigger-0-target',
    rule=train_trigger_0.name,
    arn=train_function.arn,
    opts=pulumi.ResourceOptions(parent=train),
)
aws.lambda_.Permission(
    'train-invoke-from-trigger-0',
    action='lambda:InvokeFunction',
    function=train_function.name,
    principal='events.amazonaws.com',
    source_arn=train_trigger_0.arn,
    opts=pulumi.ResourceOptions(parent=train),
)
train.register_outputs({'name': train_function.name, 'arn': train_function.arn})

# --- 'pipeline': Step Functions state machine
pipeline = pulumi.ComponentResource('aipipe:index:Workflow', 'pipeline')
pipeline_role = aws.iam.Role(
    'pipeline-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_policy = aws.iam.RolePolicy(
    'pipeline-policy',
    role=pipeline_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['lambda:InvokeFunction'], 'Resource': [ingest_function.arn, train_function.arn]}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_permissions = aws.iam.RolePolicy(
    'pipeline-permissions',
    role=pipeline_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['sns:Publish'], 'Resource': [alarms_topic.arn], 'Condition': {'Bool': {'aws:SecureTransport': True}}}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_state_machine = aws.sfn.StateMachine(
    'pipeline',
    type='EXPRESS',
    role_arn=pipeline_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of aws-everything', 'StartAt': 'ingest', 'States': {'ingest': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'Next': 'Train'}, 'Train': {'Type': 'Task', 'Resource': train_function.arn, 'TimeoutSeconds': 600, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 10, 'MaxAttempts': 2, 'BackoffRate': 1.5}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Cleanup', 'ResultPath': '$.error'}], 'Next': 'Fanout'}, 'Fanout': {'Type': 'Parallel', 'Branches': [{'StartAt': 'IngestAgain', 'States': {'IngestAgain': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'End': True}}}, {'StartAt': 'TrainAgain', 'States': {'TrainAgain': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'End': True}}}], 'ResultSelector': {'IngestAgain.$': '$[0]', 'TrainAgain.$': '$[1]'}, 'ResultPath': "$['Fanout']", 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Cleanup', 'ResultPath': '$.error'}], 'End': True}, 'Cleanup': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'Next': 'aipipe:failed'}, 'aipipe:failed': {'Type': 'Fail', 'Error': 'aipipe.StepFailed', 'Cause': 'a step failed; its `catch` handler ran (mark the handler `handled: true` to succeed instead)'}}}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_policy, pipeline_permissions]),
)
pipeline_trigger_0 = aws.cloudwatch.EventRule(
    'pipeline-trigger-0',
    schedule_expression='cron(0 6 * * ? *)',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_0_role = aws.iam.Role(
    'pipeline-trigger-0-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnEquals': {'aws:SourceArn': pipeline_trigger_0.arn}}}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_0_policy = aws.iam.RolePolicy(
    'pipeline-trigger-0-policy',
    role=pipeline_trigger_0_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [pipeline_state_machine.arn]}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
aws.cloudwatch.EventTarget(
    'pipeline-trigger-0-target',
    rule=pipeline_trigger_0.name,
    arn=pipeline_state_machine.arn,
    role_arn=pipeline_trigger_0_role.arn,
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_trigger_0_policy]),
)
pipeline_trigger_1 = aws.cloudwatch.EventRule(
    'pipeline-trigger-1',
    event_pattern=pulumi.Output.json_dumps({'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': {'bucket': {'name': [landing_bucket.bucket]}, 'object': {'key': [{'wildcard': 'batches/*/_SUCCESS'}, 'batches/_SUCCESS']}}}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_1_role = aws.iam.Role(
    'pipeline-trigger-1-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnEquals': {'aws:SourceArn': pipeline_trigger_1.arn}}}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_1_policy = aws.iam.RolePolicy(
    'pipeline-trigger-1-policy',
    role=pipeline_trigger_1_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [pipeline_state_machine.arn]}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
aws.cloudwatch.EventTarget(
    'pipeline-trigger-1-target',
    rule=pipeline_trigger_1.name,
    arn=pipeline_state_machine.arn,
    role_arn=pipeline_trigger_1_role.arn,
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_trigger_1_policy]),
)
pipeline_trigger_2_dead_letters = aws.sqs.Queue(
    'pipeline-trigger-2-dead-letters',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_2_queue = aws.sqs.Queue(
    'pipeline-trigger-2-queue',
    redrive_policy=pulumi.Output.json_dumps({'deadLetterTargetArn': pipeline_trigger_2_dead_letters.arn, 'maxReceiveCount': 5}),
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_2_queue_policy = aws.sqs.QueuePolicy(
    'pipeline-trigger-2-queue-policy',
    queue_url=pipeline_trigger_2_queue.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [pipeline_trigger_2_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': events_topic.arn}}}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
aws.sns.TopicSubscription(
    'pipeline-trigger-2-subscription',
    topic=events_topic.arn,
    protocol="sqs",
    endpoint=pipeline_trigger_2_queue.arn,
    raw_message_delivery=True,
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_trigger_2_queue_policy]),
)
pipeline_trigger_2_role = aws.iam.Role(
    'pipeline-trigger-2-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'pipes.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}}}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline),
)
pipeline_trigger_2_policy = aws.iam.RolePolicy(
    'pipeline-trigger-2-policy',
    role=pipeline_trigger_2_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], 'Resource': [pipeline_trigger_2_queue.arn]}, {'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [pipeline_state_machine.arn]}]}),
    opts=pulumi.ResourceOptions(parent=pipeline),
)
aws.pipes.Pipe(
    'pipeline-trigger-2',
    role_arn=pipeline_trigger_2_role.arn,
    source=pipeline_trigger_2_queue.arn,
    target=pipeline_state_machine.arn,
    source_parameters={'sqs_queue_parameters': {'batch_size': 1}},
    target_parameters={'step_function_state_machine_parameters': {'invocation_type': 'FIRE_AND_FORGET'}},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_trigger_2_policy]),
)
pipeline.register_outputs({'name': pipeline_state_machine.name, 'arn': pipeline_state_machine.arn})

# --- 'subflow': Step Functions state machine
subflow = pulumi.ComponentResource('aipipe:index:Workflow', 'subflow')
subflow_role = aws.iam.Role(
    'subflow-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'subflow'},
    opts=pulumi.ResourceOptions(parent=subflow),
)
subflow_logs = aws.cloudwatch.LogGroup(
    'subflow-logs',
    name_prefix='/aws/vendedlogs/states/aws-everything-dev-subflow-',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'subflow'},
    opts=pulumi.ResourceOptions(parent=subflow),
)
subflow_policy = aws.iam.RolePolicy(
    'subflow-policy',
    role=subflow_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['lambda:InvokeFunction'], 'Resource': [train_function.arn]}, {'Effect': 'Allow', 'Action': ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(subflow_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=subflow),
)
subflow_state_machine = aws.sfn.StateMachine(
    'subflow',
    type='STANDARD',
    role_arn=subflow_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of aws-everything', 'StartAt': 'train', 'States': {'train': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'End': True}}}),
    logging_configuration={'log_destination': pulumi.Output.concat(subflow_logs.arn, ':*'), 'include_execution_data': False, 'level': 'ERROR'},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'subflow'},
    opts=pulumi.ResourceOptions(parent=subflow, depends_on=[subflow_policy]),
)
subflow.register_outputs({'name': subflow_state_machine.name, 'arn': subflow_state_machine.arn})

# --- 'orchestrate': Step Functions state machine
orchestrate = pulumi.ComponentResource('aipipe:index:Workflow', 'orchestrate')
orchestrate_role = aws.iam.Role(
    'orchestrate-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'orchestrate'},
    opts=pulumi.ResourceOptions(parent=orchestrate),
)
orchestrate_logs = aws.cloudwatch.LogGroup(
    'orchestrate-logs',
    name_prefix='/aws/vendedlogs/states/aws-everything-dev-orchestrate-',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'orchestrate'},
    opts=pulumi.ResourceOptions(parent=orchestrate),
)
orchestrate_policy = aws.iam.RolePolicy(
    'orchestrate-policy',
    role=orchestrate_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['lambda:InvokeFunction'], 'Resource': [ingest_function.arn, train_function.arn]}, {'Effect': 'Allow', 'Action': ['glue:StartJobRun', 'glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns'], 'Resource': [pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':glue:us-east-1:', aws.get_caller_identity_output().account_id, ':job/nightly-etl')]}, {'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [subflow_state_machine.arn]}, {'Effect': 'Allow', 'Action': ['states:DescribeExecution', 'states:StopExecution'], 'Resource': [pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:us-east-1:', aws.get_caller_identity_output().account_id, ':execution:', subflow_state_machine.name, ':*')]}, {'Effect': 'Allow', 'Action': ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'], 'Resource': [pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':events:us-east-1:', aws.get_caller_identity_output().account_id, ':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule')]}, {'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [pipeline_state_machine.arn]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [events_queue_queue.arn]}, {'Effect': 'Allow', 'Action': ['sns:Publish'], 'Resource': [events_topic.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('sns.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['sns:Publish'], 'Resource': [alarms_topic.arn]}, {'Effect': 'Allow', 'Action': ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(orchestrate_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=orchestrate),
)
orchestrate_state_machine = aws.sfn.StateMachine(
    'orchestrate',
    type='STANDARD',
    role_arn=orchestrate_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of aws-everything', 'StartAt': 'Load', 'States': {'Load': {'Type': 'Task', 'Resource': ingest_function.arn, 'Parameters': {'key.$': '$.detail.object.key', 'run.$': '$$.Execution.Id', 'source': 'landing', 'sizes': [1, 2]}, 'TimeoutSeconds': 900, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['Lambda.ServiceException', 'States.Timeout'], 'IntervalSeconds': 2, 'MaxAttempts': 2, 'BackoffRate': 2.0}, {'ErrorEquals': ['ValueError'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.TaskFailed', 'ValueError'], 'Next': 'Alert', 'ResultPath': '$.failure'}, {'ErrorEquals': ['States.ALL'], 'Next': 'Alert', 'ResultPath': '$.error'}], 'InputPath': '$', 'ResultSelector': {'files.$': '$.files', 'rows.$': '$.rows'}, 'ResultPath': '$.load', 'OutputPath': '$', 'Next': 'Route'}, 'Route': {'Type': 'Choice', 'Choices': [{'Variable': '$.load.rows', 'NumericGreaterThan': 1000, 'Next': 'Fanout'}, {'And': [{'Variable': '$.load.kind', 'StringEquals': 'csv'}, {'Variable': '$.load.rows', 'NumericGreaterThanEquals': 1}, {'Variable': '$.load.rows', 'NumericLessThanEquals': 1000}, {'Variable': '$.load.rows', 'NumericLessThan': 1001}, {'Variable': "$.load['source file']", 'StringMatches': '*.csv'}], 'Next': 'Single'}, {'Or': [{'Variable': '$.load.files[0]', 'IsPresent': True}, {'Variable': '$.load.rows', 'IsNull': False}, {'Variable': '$.load.kind', 'IsString': True}, {'Variable': '$.load.rows', 'IsNumeric': True}, {'Variable': '$.load.sampled', 'IsBoolean': True}], 'Next': 'Single'}, {'Not': {'Variable': '$.load.sampled', 'BooleanEquals': True}, 'Next': 'Single'}, {'And': [{'Variable': '$.load.at', 'TimestampGreaterThan': '2026-01-01T00:00:00Z'}, {'Variable': '$.load.at', 'TimestampLessThan': '2027-01-01T00:00:00+01:00'}], 'Next': 'Single'}], 'Default': 'Empty', 'InputPath': '$', 'OutputPath': '$'}, 'Fanout': {'Type': 'Map', 'ItemsPath': '$.load.files', 'ItemProcessor': {'ProcessorConfig': {'Mode': 'INLINE'}, 'StartAt': 'TrainEach', 'States': {'TrainEach': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'SkipItem', 'ResultPath': '$.error'}], 'End': True}, 'SkipItem': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'End': True}}}, 'MaxConcurrency': 4, 'ItemSelector': {'file.$': '$$.Map.Item.Value', 'run.$': '$$.Execution.Id'}, 'Retry': [{'ErrorEquals': ['States.BranchFailed'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'MapFailed', 'ResultPath': '$.error'}], 'ResultSelector': {'trained.$': '$'}, 'ResultPath': '$.trained', 'Next': 'Settle'}, 'Single': {'Type': 'Pass', 'Parameters': {'single': True, 'run.$': '$$.Execution.Id'}, 'ResultPath': '$.single', 'Next': 'Settle'}, 'Empty': {'Type': 'Map', 'ItemsPath': '$.load.files', 'ItemProcessor': {'ProcessorConfig': {'Mode': 'INLINE'}, 'StartAt': 'Nothing', 'States': {'Nothing': {'Type': 'Pass', 'Result': {'files': 0}, 'End': True}}}, 'MaxConcurrency': 0, 'ResultPath': "$['Empty']", 'InputPath': '$', 'OutputPath': '$', 'End': True}, 'Settle': {'Type': 'Wait', 'Seconds': 30, 'InputPath': '$', 'OutputPath': '$', 'Next': 'Both'}, 'Both': {'Type': 'Parallel', 'Branches': [{'StartAt': 'Left', 'States': {'Left': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'LeftSkipped', 'ResultPath': '$.error'}], 'End': True}, 'LeftSkipped': {'Type': 'Pass', 'End': True}}}, {'StartAt': 'Right', 'States': {'Right': {'Type': 'Pass', 'End': True}}}], 'ResultSelector': {'Left.$': '$[0]', 'Right.$': '$[1]'}, 'ResultPath': "$['Both']", 'Next': 'NotBefore'}, 'NotBefore': {'Type': 'Wait', 'TimestampPath': '$.not_before', 'Next': 'Deadline'}, 'Deadline': {'Type': 'Wait', 'Timestamp': '2026-03-14T01:59:00Z', 'Next': 'Etl'}, 'Etl': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::glue:startJobRun.sync'), 'Parameters': {'JobName': 'nightly-etl', 'Arguments': {'--day': '1'}}, 'TimeoutSeconds': 7200, 'Retry': [{'ErrorEquals': ['Glue.ConcurrentRunsExceededException'], 'IntervalSeconds': 60, 'MaxAttempts': 3, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'EtlFailed', 'ResultPath': '$.error'}], 'Next': 'RunPipeline'}, 'RunPipeline': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::states:startExecution.sync:2'), 'Parameters': {'StateMachineArn': subflow_state_machine.arn, 'Input': {'run.$': '$$.Execution.Id'}}, 'InputPath': '$', 'ResultSelector': {'status.$': '$.Status'}, 'ResultPath': '$.child', 'OutputPath': '$', 'Next': 'StartPipeline'}, 'StartPipeline': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::states:startExecution'), 'Parameters': {'StateMachineArn': pipeline_state_machine.arn, 'Input.$': '$.load'}, 'Next': 'Queue'}, 'Queue': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::sqs:sendMessage'), 'Parameters': {'QueueUrl': events_queue_queue.url, 'MessageBody.$': '$.load'}, 'Next': 'Announce'}, 'Announce': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::sns:publish'), 'Parameters': {'TopicArn': events_topic.arn, 'Message': {'done': True, 'run.$': '$$.Execution.Id'}, 'Subject': 'Pipeline done'}, 'End': True}, 'Alert': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::sns:publish'), 'Parameters': {'TopicArn': alarms_topic.arn, 'Message.$': '$'}, 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Cleanup', 'ResultPath': '$.error'}], 'Next': 'Failed'}, 'Failed': {'Type': 'Fail', 'Error': 'Pipeline.Failed', 'Cause': 'the load failed'}, 'Cleanup': {'Type': 'Parallel', 'Branches': [{'StartAt': 'CleanupPass', 'States': {'CleanupPass': {'Type': 'Pass', 'InputPath': '$', 'OutputPath': '$', 'End': True}}}, {'StartAt': 'CleanupWait', 'States': {'CleanupWait': {'Type': 'Wait', 'Seconds': 1, 'End': True}}}], 'Retry': [{'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 1, 'BackoffRate': 2.0}], 'InputPath': '$', 'ResultSelector': {'cleaned.$': '$[0]'}, 'ResultPath': '$.cleanup', 'OutputPath': '$', 'End': True}, 'EtlFailed': {'Type': 'Task', 'Resource': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':states:::sns:publish'), 'Parameters': {'TopicArn': alarms_topic.arn, 'Message.$': '$.error'}, 'End': True}, 'MapFailed': {'Type': 'Map', 'ItemsPath': '$', 'ItemProcessor': {'ProcessorConfig': {'Mode': 'INLINE'}, 'StartAt': 'Report', 'States': {'Report': {'Type': 'Pass', 'End': True}}}, 'MaxConcurrency': 0, 'ResultPath': "$['MapFailed']", 'End': True}}}),
    logging_configuration={'log_destination': pulumi.Output.concat(orchestrate_logs.arn, ':*'), 'include_execution_data': False, 'level': 'ERROR'},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'orchestrate'},
    opts=pulumi.ResourceOptions(parent=orchestrate, depends_on=[orchestrate_policy]),
)
orchestrate.register_outputs({'name': orchestrate_state_machine.name, 'arn': orchestrate_state_machine.arn})

# --- 'to-replica': 'S3 replication' from 'landing' to 'replica'
to_replica = pulumi.ComponentResource('aipipe:index:Replication', 'to-replica')
# continuous: a rule in the replication configuration of 'landing' (rendered with the other replications from it)
to_replica.register_outputs({'arn': landing_replication_role.arn})

# --- 'nightly': 'DataSync task' from 'landing' to 'vendor-drop'
nightly = pulumi.ComponentResource('aipipe:index:Replication', 'nightly')
nightly_source_role = aws.iam.Role(
    'nightly-source-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:*:', aws.get_caller_identity_output().account_id, ':*')}}}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly),
)
nightly_source_policy = aws.iam.RolePolicy(
    'nightly-source-policy',
    role=nightly_source_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], 'Resource': [landing_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:ListMultipartUploadParts'], 'Resource': [pulumi.Output.concat(landing_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('s3.*.', aws.get_partition_output().dns_suffix)}}}]}),
    opts=pulumi.ResourceOptions(parent=nightly),
)
nightly_source = aws.datasync.S3Location(
    'nightly-source',
    s3_bucket_arn=landing_bucket.arn,
    subdirectory="/",
    s3_config={"bucket_access_role_arn": nightly_source_role.arn},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly, depends_on=[nightly_source_policy]),
)
nightly_destination_role = aws.iam.Role(
    'nightly-destination-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:*:', aws.get_caller_identity_output().account_id, ':*')}}}]}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly),
)
nightly_destination_policy = aws.iam.RolePolicy(
    'nightly-destination-policy',
    role=nightly_destination_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], 'Resource': [vendor_drop_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'], 'Resource': [pulumi.Output.concat(vendor_drop_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(parent=nightly),
)
nightly_destination = aws.datasync.S3Location(
    'nightly-destination',
    s3_bucket_arn=vendor_drop_bucket.arn,
    subdirectory="/",
    s3_config={"bucket_access_role_arn": nightly_destination_role.arn},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly, depends_on=[nightly_destination_policy]),
)
nightly_logs = aws.cloudwatch.LogGroup(
    'nightly-logs',
    name_prefix='/aws/datasync/aws-everything-dev-nightly-',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly),
)
nightly_task = aws.datasync.Task(
    'nightly',
    source_location_arn=nightly_source.arn,
    destination_location_arn=nightly_destination.arn,
    cloudwatch_log_group_arn=nightly_logs.arn,
    schedule={'schedule_expression': 'cron(0 3 * * ? *)'},
    options={'overwrite_mode': 'NEVER', 'verify_mode': 'POINT_IN_TIME_CONSISTENT', 'preserve_deleted_files': 'PRESERVE', 'log_level': 'BASIC'},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'nightly'},
    opts=pulumi.ResourceOptions(parent=nightly, depends_on=[nightly_log_policy]),
)
nightly.register_outputs({'arn': nightly_task.arn})

# --- 'results': 'aws:dynamodb/table:Table'
results = pulumi.ComponentResource('aipipe:index:Pulumi', 'results')
results_resource = aws.dynamodb.Table(
    'results',
    billing_mode='PAY_PER_REQUEST',
    hash_key='id',
    attributes=[{'name': 'id', 'type': 'S'}],
    stream_enabled=True,
    stream_view_type='NEW_IMAGE',
    point_in_time_recovery={'enabled': True},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'tier': 'serving', 'aipipe:resource': 'results'},
    opts=pulumi.ResourceOptions(parent=results, protect=True, depends_on=[landing]),
)
results.register_outputs({'id': results_resource.id, 'urn': results_resource.urn, 'arn': results_resource.arn, 'attributes': results_resource.attributes, 'billing_mode': results_resource.billing_mode, 'deletion_protection_enabled': results_resource.deletion_protection_enabled, 'global_secondary_indexes': results_resource.global_secondary_indexes, 'global_table_witness': results_resource.global_table_witness, 'hash_key': results_resource.hash_key, 'import_table': results_resource.import_table, 'local_secondary_indexes': results_resource.local_secondary_indexes, 'name': results_resource.name, 'on_demand_throughput': results_resource.on_demand_throughput, 'point_in_time_recovery': results_resource.point_in_time_recovery, 'range_key': results_resource.range_key, 'read_capacity': results_resource.read_capacity, 'region': results_resource.region, 'replicas': results_resource.replicas, 'restore_backup_arn': results_resource.restore_backup_arn, 'restore_date_time': results_resource.restore_date_time, 'restore_source_name': results_resource.restore_source_name, 'restore_source_table_arn': results_resource.restore_source_table_arn, 'restore_to_latest_time': results_resource.restore_to_latest_time, 'server_side_encryption': results_resource.server_side_encryption, 'stream_arn': results_resource.stream_arn, 'stream_enabled': results_resource.stream_enabled, 'stream_label': results_resource.stream_label, 'stream_view_type': results_resource.stream_view_type, 'table_class': results_resource.table_class, 'tags': results_resource.tags, 'tags_all': results_resource.tags_all, 'ttl': results_resource.ttl, 'warm_throughput': results_resource.warm_throughput, 'write_capacity': results_resource.write_capacity})

# --- 'results-throttled': 'aws:cloudwatch/metricAlarm:MetricAlarm'
results_throttled = pulumi.ComponentResource('aipipe:index:Pulumi', 'results-throttled')
results_throttled_resource = aws.cloudwatch.MetricAlarm(
    'results-throttled',
    comparison_operator='GreaterThanThreshold',
    evaluation_periods=1,
    metric_name='ThrottledRequests',
    namespace='AWS/DynamoDB',
    period=300,
    statistic='Sum',
    threshold=0,
    dimensions={'TableName': results_resource.name},
    alarm_actions=[alarms_topic.arn],
    alarm_description=pulumi.Output.concat('Throttled requests on ', results_resource.name, ' in ', pulumi.get_stack()),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'results-throttled'},
    opts=pulumi.ResourceOptions(parent=results_throttled),
)
results_throttled.register_outputs({'id': results_throttled_resource.id, 'urn': results_throttled_resource.urn, 'actions_enabled': results_throttled_resource.actions_enabled, 'alarm_actions': results_throttled_resource.alarm_actions, 'alarm_description': results_throttled_resource.alarm_description, 'arn': results_throttled_resource.arn, 'comparison_operator': results_throttled_resource.comparison_operator, 'datapoints_to_alarm': results_throttled_resource.datapoints_to_alarm, 'dimensions': results_throttled_resource.dimensions, 'evaluate_low_sample_count_percentiles': results_throttled_resource.evaluate_low_sample_count_percentiles, 'evaluation_criteria': results_throttled_resource.evaluation_criteria, 'evaluation_interval': results_throttled_resource.evaluation_interval, 'evaluation_periods': results_throttled_resource.evaluation_periods, 'evaluation_window': results_throttled_resource.evaluation_window, 'extended_statistic': results_throttled_resource.extended_statistic, 'insufficient_data_actions': results_throttled_resource.insufficient_data_actions, 'metric_name': results_throttled_resource.metric_name, 'metric_queries': results_throttled_resource.metric_queries, 'name': results_throttled_resource.name, 'namespace': results_throttled_resource.namespace, 'ok_actions': results_throttled_resource.ok_actions, 'period': results_throttled_resource.period, 'region': results_throttled_resource.region, 'statistic': results_throttled_resource.statistic, 'tags': results_throttled_resource.tags, 'tags_all': results_throttled_resource.tags_all, 'threshold': results_throttled_resource.threshold, 'threshold_metric_id': results_throttled_resource.threshold_metric_id, 'treat_missing_data': results_throttled_resource.treat_missing_data, 'unit': results_throttled_resource.unit, 'warm_up_configuration': results_throttled_resource.warm_up_configuration})

# --- 'jobs-failed': the dead-letter queue of exactly the queues that name it
aws.sqs.RedriveAllowPolicy(
    'jobs-failed-redrive-allow',
    queue_url=jobs_failed_queue.url,
    redrive_allow_policy=pulumi.Output.json_dumps({'redrivePermission': 'byQueue', 'sourceQueueArns': [jobs_queue.arn]}),
    opts=pulumi.ResourceOptions(),
)

# --- 'ordered-failed': the dead-letter queue of exactly the queues that name it
aws.sqs.RedriveAllowPolicy(
    'ordered-failed-redrive-allow',
    queue_url=ordered_failed_queue.url,
    redrive_allow_policy=pulumi.Output.json_dumps({'redrivePermission': 'byQueue', 'sourceQueueArns': [ordered_queue.arn]}),
    opts=pulumi.ResourceOptions(),
)

# --- replication of 'landing': 'to-replica', in the bucket's one configuration
landing_replication_policy = aws.iam.RolePolicy(
    'landing-replication-policy',
    role=landing_replication_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringEquals': {'kms:ViaService': pulumi.Output.concat('s3.us-east-1.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['kms:Encrypt', 'kms:GenerateDataKey'], 'Resource': ['arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab'], 'Condition': {'StringEquals': {'kms:ViaService': pulumi.Output.concat('s3.eu-west-1.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['s3:GetReplicationConfiguration', 's3:ListBucket'], 'Resource': [landing_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'], 'Resource': [pulumi.Output.concat(landing_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], 'Resource': [pulumi.Output.concat(replica_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(),
)
aws.s3.BucketReplicationConfig(
    'landing-replication',
    bucket=landing_bucket.id,
    role=landing_replication_role.arn,
    rules=[{'id': 'aipipe-to-replica', 'priority': 1, 'status': 'Enabled', 'filter': {}, 'delete_marker_replication': {'status': 'Enabled'}, 'destination': {'bucket': replica_bucket.arn, 'encryption_configuration': {'replica_kms_key_id': 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab'}}, 'source_selection_criteria': {'sse_kms_encrypted_objects': {'status': 'Enabled'}}}],
    opts=pulumi.ResourceOptions(depends_on=[landing_replication_policy, landing_versioning, replica_versioning]),
)

# --- notifications of 'landing': every function and queue it notifies, and its events sent to EventBridge
aws.s3.BucketNotification(
    'landing-notifications',
    bucket=landing_bucket.id,
    eventbridge=True,
    lambda_functions=[
        {
            "lambda_function_arn": ingest_function.arn,
            "events": ['s3:ObjectCreated:*'],
            "filter_prefix": 'incoming/',
            "filter_suffix": '.json',
        },
        {
            "lambda_function_arn": ingest_function.arn,
            "events": ['s3:ObjectRemoved:*'],
            "filter_prefix": 'archive/',
        },
    ],
    queues=[
        {
            "queue_arn": jobs_queue.arn,
            "events": ['s3:ObjectCreated:*'],
            "filter_prefix": 'jobs/',
            "filter_suffix": '.json',
        },
    ],
    opts=pulumi.ResourceOptions(depends_on=[jobs_policy, ingest_invoke_from_landing]),
)

pulumi.export('landing_arn', landing_bucket.arn)
pulumi.export('landing_url', pulumi.Output.concat('s3://', landing_bucket.bucket))
pulumi.export('events_arn', events_topic.arn)
pulumi.export('key_arn', data_key_key.arn)
pulumi.export('key_id', data_key_key.key_id)
pulumi.export('key_alias', data_key_alias.name)
pulumi.export('queue_url', events_queue_queue.url)
pulumi.export('jobs_url', jobs_queue.url)
pulumi.export('stream', clicks_stream.name)
pulumi.export('order_changes', orders_table.stream_arn)
pulumi.export('function_arn', ingest_function.arn)
pulumi.export('machine', pipeline_state_machine.arn)
pulumi.export('replication', nightly_task.arn)
pulumi.export('token', config.require_secret('API_TOKEN'))
pulumi.export('project', pulumi.Output.concat(pulumi.get_project(), '-', pulumi.get_stack()))
pulumi.export('results_table', results_resource.arn)
