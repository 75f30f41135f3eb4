# Pulumi program for the aipipe spec 'event-driven-ingest', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

# --- secret 'LABELLING_API_KEY': stored in Secrets Manager (functions get its ARN, never its value)
secret__labelling_api_key = aws.secretsmanager.Secret(
    'secret-LABELLING_API_KEY',
    description='LABELLING_API_KEY of aipipe project event-driven-ingest, stack dev',
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev'},
)
aws.secretsmanager.SecretVersion(
    'secret-LABELLING_API_KEY-value',
    secret_id=secret__labelling_api_key.id,
    secret_string=config.require_secret('LABELLING_API_KEY'),
)

# --- 'raw': S3 bucket
raw = pulumi.ComponentResource('aipipe:index:Bucket', 'raw')
raw_bucket = aws.s3.Bucket(
    'raw',
    force_destroy=False,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'raw'},
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True),
)
raw_public_access = aws.s3.BucketPublicAccessBlock(
    'raw-public-access',
    bucket=raw_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'raw-tls-only',
    bucket=raw_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [raw_bucket.arn, pulumi.Output.concat(raw_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True, depends_on=[raw_public_access]),
)
raw_versioning = aws.s3.BucketVersioning(
    'raw-versioning',
    bucket=raw_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'raw-encryption',
    bucket=raw_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True),
)
aws.s3.BucketLifecycleConfiguration(
    'raw-lifecycle',
    bucket=raw_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'expiration': {'days': 90}, 'noncurrent_version_expiration': {'noncurrent_days': 90}}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}, 'expiration': {'expired_object_delete_marker': True}}],
    opts=pulumi.ResourceOptions(parent=raw, retain_on_delete=True, depends_on=[raw_versioning]),
)
raw.register_outputs({'name': raw_bucket.bucket, 'arn': raw_bucket.arn, 'url': pulumi.Output.concat('s3://', raw_bucket.bucket), 'id': raw_bucket.id})

# --- 'curated': S3 bucket
curated = pulumi.ComponentResource('aipipe:index:Bucket', 'curated')
curated_bucket = aws.s3.Bucket(
    'curated',
    force_destroy=False,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'curated'},
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True),
)
curated_public_access = aws.s3.BucketPublicAccessBlock(
    'curated-public-access',
    bucket=curated_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'curated-tls-only',
    bucket=curated_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [curated_bucket.arn, pulumi.Output.concat(curated_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True, depends_on=[curated_public_access]),
)
curated_versioning = aws.s3.BucketVersioning(
    'curated-versioning',
    bucket=curated_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'curated-encryption',
    bucket=curated_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True),
)
aws.s3.BucketLifecycleConfiguration(
    'curated-lifecycle',
    bucket=curated_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'transitions': [{'days': 30, 'storage_class': 'GLACIER_IR'}]}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}}],
    opts=pulumi.ResourceOptions(parent=curated, retain_on_delete=True, depends_on=[curated_versioning]),
)
curated.register_outputs({'name': curated_bucket.bucket, 'arn': curated_bucket.arn, 'url': pulumi.Output.concat('s3://', curated_bucket.bucket), 'id': curated_bucket.id})

# --- 'record-events': Kinesis data stream
record_events = pulumi.ComponentResource('aipipe:index:Stream', 'record-events')
record_events_stream = aws.kinesis.Stream(
    'record-events',
    stream_mode_details={'stream_mode': 'ON_DEMAND'},
    retention_period=48,
    encryption_type='KMS',
    kms_key_id='alias/aws/kinesis',
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'record-events'},
    opts=pulumi.ResourceOptions(parent=record_events),
)
record_events.register_outputs({'name': record_events_stream.name, 'arn': record_events_stream.arn})

# --- 'preprocess': Lambda function
preprocess = pulumi.ComponentResource('aipipe:index:Function', 'preprocess')
preprocess_role = aws.iam.Role(
    'preprocess-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_logs = aws.cloudwatch.LogGroup(
    'preprocess-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_failed = aws.sqs.Queue(
    'preprocess-failed',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_policy = aws.iam.RolePolicy(
    'preprocess-policy',
    role=preprocess_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(preprocess_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(raw_bucket.arn, '/data/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [raw_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['data/*']}}}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(curated_bucket.arn, '/processed/*')]}, {'Effect': 'Allow', 'Action': ['kinesis:PutRecord', 'kinesis:PutRecords'], 'Resource': [record_events_stream.arn]}, {'Effect': 'Allow', 'Action': ['secretsmanager:GetSecretValue'], 'Resource': [secret__labelling_api_key.arn]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [preprocess_failed.arn]}]}),
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_function = aws.lambda_.Function(
    'preprocess',
    role=preprocess_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/preprocess.zip'),
    architectures=['x86_64'],
    memory_size=512,
    timeout=60,
    environment={"variables": {'OUTPUT_BUCKET': curated_bucket.bucket, 'OUTPUT_PREFIX': 'processed/', 'EVENTS_STREAM': record_events_stream.name, 'LABELLING_API_KEY_ARN': secret__labelling_api_key.arn}},
    logging_config={"log_format": "Text", "log_group": preprocess_logs.name},
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess, depends_on=[preprocess_policy]),
)
aws.lambda_.FunctionEventInvokeConfig(
    'preprocess-async',
    function_name=preprocess_function.name,
    maximum_retry_attempts=2,
    maximum_event_age_in_seconds=21600,
    destination_config={"on_failure": {"destination": preprocess_failed.arn}},
    opts=pulumi.ResourceOptions(parent=preprocess, depends_on=[preprocess_policy]),
)
preprocess_invoke_from_raw = aws.lambda_.Permission(
    'preprocess-invoke-from-raw',
    action='lambda:InvokeFunction',
    function=preprocess_function.name,
    principal='s3.amazonaws.com',
    source_arn=raw_bucket.arn,
    source_account=aws.get_caller_identity_output().account_id,
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess.register_outputs({'name': preprocess_function.name, 'arn': preprocess_function.arn})

# --- 'index-events': Lambda function
index_events = pulumi.ComponentResource('aipipe:index:Function', 'index-events')
index_events_role = aws.iam.Role(
    'index-events-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'index-events'},
    opts=pulumi.ResourceOptions(parent=index_events),
)
index_events_logs = aws.cloudwatch.LogGroup(
    'index-events-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'index-events'},
    opts=pulumi.ResourceOptions(parent=index_events),
)
index_events_failed = aws.sqs.Queue(
    'index-events-failed',
    message_retention_seconds=1209600,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'index-events'},
    opts=pulumi.ResourceOptions(parent=index_events),
)
index_events_policy = aws.iam.RolePolicy(
    'index-events-policy',
    role=index_events_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(index_events_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(curated_bucket.arn, '/index/*')]}, {'Effect': 'Allow', 'Action': ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'], 'Resource': [record_events_stream.arn]}, {'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': [index_events_failed.arn]}]}),
    opts=pulumi.ResourceOptions(parent=index_events),
)
index_events_function = aws.lambda_.Function(
    'index-events',
    role=index_events_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/index-events.zip'),
    architectures=['x86_64'],
    memory_size=256,
    timeout=120,
    environment={"variables": {'INDEX_BUCKET': curated_bucket.bucket}},
    logging_config={"log_format": "Text", "log_group": index_events_logs.name},
    tags={'aipipe:project': 'event-driven-ingest', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'ingest', 'aipipe:resource': 'index-events'},
    opts=pulumi.ResourceOptions(parent=index_events, depends_on=[index_events_policy]),
)
aws.lambda_.EventSourceMapping(
    'index-events-from-record-events',
    function_name=index_events_function.arn,
    event_source_arn=record_events_stream.arn,
    starting_position='TRIM_HORIZON',
    batch_size=500,
    maximum_retry_attempts=3,
    bisect_batch_on_function_error=True,
    function_response_types=['ReportBatchItemFailures'],
    destination_config={"on_failure": {"destination_arn": index_events_failed.arn}},
    opts=pulumi.ResourceOptions(parent=index_events, depends_on=[index_events_policy]),
)
index_events.register_outputs({'name': index_events_function.name, 'arn': index_events_function.arn})

# --- notifications of 'raw': every function it triggers, in one configuration
aws.s3.BucketNotification(
    'raw-notifications',
    bucket=raw_bucket.id,
    lambda_functions=[
        {
            "lambda_function_arn": preprocess_function.arn,
            "events": ['s3:ObjectCreated:*'],
            "filter_prefix": 'data/',
            "filter_suffix": '.json',
        },
    ],
    opts=pulumi.ResourceOptions(depends_on=[preprocess_invoke_from_raw]),
)

pulumi.export('raw_bucket', raw_bucket.bucket)
pulumi.export('curated_url', pulumi.Output.concat('s3://', curated_bucket.bucket))
pulumi.export('stream_arn', record_events_stream.arn)
