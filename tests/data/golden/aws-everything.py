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
aws.s3.BucketServerSideEncryptionConfiguration(
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
landing.register_outputs({'name': landing_bucket.bucket, 'arn': landing_bucket.arn, 'url': pulumi.Output.concat('s3://', landing_bucket.bucket), 'id': landing_bucket.id})

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
    kms_key_id='alias/aws/kinesis',
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'burst'},
    opts=pulumi.ResourceOptions(parent=burst),
)
burst.register_outputs({'name': burst_stream.name, 'arn': burst_stream.arn})

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
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(ingest_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(landing_bucket.arn, '/incoming/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [landing_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['incoming/*']}}}, {'Effect': 'Allow', 'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('s3.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], 'Resource': [events_queue_queue.arn]}, {'Effect': 'Allow', 'Action': ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'], 'Resource': [clicks_stream.arn]}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(scratch_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['sns:Publish'], 'Resource': [events_topic.arn]}, {'Effect': 'Allow', 'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'], 'Condition': {'StringLike': {'kms:ViaService': pulumi.Output.concat('sns.*.', aws.get_partition_output().dns_suffix)}}}, {'Effect': 'Allow', 'Action': ['kinesis:PutRecord', 'kinesis:PutRecords'], 'Resource': [burst_stream.arn]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [ingest_failed.arn]}]}),
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
    logging_config={"log_format": "Text", "log_group": ingest_logs.name},
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'ingest'},
    opts=pulumi.ResourceOptions(parent=ingest, depends_on=[ingest_policy]),
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
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(train_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [train_failed.arn]}]}),
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
pipeline_state_machine = aws.sfn.StateMachine(
    'pipeline',
    type='EXPRESS',
    role_arn=pipeline_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of aws-everything', 'StartAt': 'ingest', 'States': {'ingest': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'Next': 'Train'}, 'Train': {'Type': 'Task', 'Resource': train_function.arn, 'TimeoutSeconds': 600, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 10, 'MaxAttempts': 2, 'BackoffRate': 1.5}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Cleanup', 'ResultPath': '$.error'}], 'Next': 'Fanout'}, 'Fanout': {'Type': 'Parallel', 'Branches': [{'StartAt': 'IngestAgain', 'States': {'IngestAgain': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'End': True}}}, {'StartAt': 'TrainAgain', 'States': {'TrainAgain': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'End': True}}}], 'ResultSelector': {'IngestAgain.$': '$[0]', 'TrainAgain.$': '$[1]'}, 'ResultPath': "$['Fanout']", 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Cleanup', 'ResultPath': '$.error'}], 'End': True}, 'Cleanup': {'Type': 'Task', 'Resource': ingest_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'Next': 'aipipe:failed'}, 'aipipe:failed': {'Type': 'Fail', 'Error': 'aipipe.StepFailed', 'Cause': 'a step failed; its `catch` handler ran (mark the handler `handled: true` to succeed instead)'}}}),
    tags={'aipipe:project': 'aws-everything', 'aipipe:stack': 'dev', 'team': 'ml', 'version': '2', 'aipipe:resource': 'pipeline'},
    opts=pulumi.ResourceOptions(parent=pipeline, depends_on=[pipeline_policy]),
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

# --- notifications of 'landing': every function it triggers, and its events sent to EventBridge
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
    opts=pulumi.ResourceOptions(depends_on=[ingest_invoke_from_landing]),
)

pulumi.export('landing_arn', landing_bucket.arn)
pulumi.export('landing_url', pulumi.Output.concat('s3://', landing_bucket.bucket))
pulumi.export('events_arn', events_topic.arn)
pulumi.export('queue_url', events_queue_queue.url)
pulumi.export('stream', clicks_stream.name)
pulumi.export('function_arn', ingest_function.arn)
pulumi.export('machine', pipeline_state_machine.arn)
pulumi.export('replication', nightly_task.arn)
pulumi.export('token', config.require_secret('API_TOKEN'))
pulumi.export('project', pulumi.Output.concat(pulumi.get_project(), '-', pulumi.get_stack()))
pulumi.export('results_table', results_resource.arn)
