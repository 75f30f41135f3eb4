# Pulumi program for the aipipe spec 'aws-common-fields', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws_us_east_2 = aws.Provider('aws-us-east-2', region='us-east-2')
# role S3 assumes to replicate 'source' (its policy and configuration follow the buckets)
source_replication_role = aws.iam.Role(
    'source-replication-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev'},
)

# --- 'source': S3 bucket
source = pulumi.ComponentResource('aipipe:index:Bucket', 'source')
source_bucket = aws.s3.Bucket(
    'source',
    force_destroy=False,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'source', 'aipipe:resource': 'source'},
    opts=pulumi.ResourceOptions(parent=source, provider=aws_us_east_2, protect=True, retain_on_delete=True),
)
source_public_access = aws.s3.BucketPublicAccessBlock(
    'source-public-access',
    bucket=source_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=source, provider=aws_us_east_2, protect=True, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'source-tls-only',
    bucket=source_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [source_bucket.arn, pulumi.Output.concat(source_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=source, provider=aws_us_east_2, protect=True, retain_on_delete=True, depends_on=[source_public_access]),
)
source_versioning = aws.s3.BucketVersioning(
    'source-versioning',
    bucket=source_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=source, provider=aws_us_east_2, protect=True, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'source-encryption',
    bucket=source_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=source, provider=aws_us_east_2, protect=True, retain_on_delete=True),
)
source.register_outputs({'name': source_bucket.bucket, 'arn': source_bucket.arn, 'url': pulumi.Output.concat('s3://', source_bucket.bucket), 'id': source_bucket.id})

# --- 'copy': S3 bucket
copy = pulumi.ComponentResource('aipipe:index:Bucket', 'copy')
copy_bucket = aws.s3.Bucket(
    'copy',
    force_destroy=False,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'aipipe:resource': 'copy'},
    opts=pulumi.ResourceOptions(parent=copy, retain_on_delete=True, depends_on=[source]),
)
copy_public_access = aws.s3.BucketPublicAccessBlock(
    'copy-public-access',
    bucket=copy_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=copy, retain_on_delete=True, depends_on=[source]),
)
aws.s3.BucketPolicy(
    'copy-tls-only',
    bucket=copy_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [copy_bucket.arn, pulumi.Output.concat(copy_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=copy, retain_on_delete=True, depends_on=[source, copy_public_access]),
)
copy_versioning = aws.s3.BucketVersioning(
    'copy-versioning',
    bucket=copy_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=copy, retain_on_delete=True, depends_on=[source]),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'copy-encryption',
    bucket=copy_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=copy, retain_on_delete=True, depends_on=[source]),
)
copy.register_outputs({'name': copy_bucket.bucket, 'arn': copy_bucket.arn, 'url': pulumi.Output.concat('s3://', copy_bucket.bucket), 'id': copy_bucket.id})

# --- 'notes': SNS topic
notes = pulumi.ComponentResource('aipipe:index:Topic', 'notes')
notes_topic = aws.sns.Topic(
    'notes',
    kms_master_key_id='alias/aws/sns',
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'fanout', 'aipipe:resource': 'notes'},
    opts=pulumi.ResourceOptions(parent=notes, provider=aws_us_east_2, protect=True, depends_on=[source]),
)
notes.register_outputs({'id': notes_topic.id, 'name': notes_topic.name, 'arn': notes_topic.arn})

# --- 'notes-queue': SQS queue subscribed to 'notes'
notes_queue = pulumi.ComponentResource('aipipe:index:Subscription', 'notes-queue')
notes_queue_queue = aws.sqs.Queue(
    'notes-queue',
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'queue', 'aipipe:resource': 'notes-queue'},
    opts=pulumi.ResourceOptions(parent=notes_queue, provider=aws_us_east_2, protect=True, depends_on=[notes]),
)
aws.sqs.QueuePolicy(
    'notes-queue-policy',
    queue_url=notes_queue_queue.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': ['sqs:SendMessage'], 'Resource': [notes_queue_queue.arn], 'Condition': {'ArnEquals': {'aws:SourceArn': notes_topic.arn}}}]}),
    opts=pulumi.ResourceOptions(parent=notes_queue, provider=aws_us_east_2, protect=True, depends_on=[notes]),
)
aws.sns.TopicSubscription(
    'notes-queue-subscription',
    topic=notes_topic.arn,
    protocol="sqs",
    endpoint=notes_queue_queue.arn,
    raw_message_delivery=True,
    opts=pulumi.ResourceOptions(parent=notes_queue, provider=aws_us_east_2, protect=True, depends_on=[notes]),
)
notes_queue.register_outputs({'id': notes_queue_queue.id, 'name': notes_queue_queue.name, 'arn': notes_queue_queue.arn, 'url': notes_queue_queue.url})

# --- 'feed': Kinesis data stream
feed = pulumi.ComponentResource('aipipe:index:Stream', 'feed')
feed_stream = aws.kinesis.Stream(
    'feed',
    shard_count=1,
    stream_mode_details={'stream_mode': 'PROVISIONED'},
    retention_period=24,
    encryption_type='KMS',
    kms_key_id='alias/aws/kinesis',
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'feed', 'aipipe:resource': 'feed'},
    opts=pulumi.ResourceOptions(parent=feed, provider=aws_us_east_2, protect=True, depends_on=[source]),
)
feed.register_outputs({'name': feed_stream.name, 'arn': feed_stream.arn})

# --- 'ledger': DynamoDB table
ledger = pulumi.ComponentResource('aipipe:index:Table', 'ledger')
ledger_table = aws.dynamodb.Table(
    'ledger',
    attributes=[{'name': 'id', 'type': 'S'}],
    hash_key='id',
    billing_mode='PAY_PER_REQUEST',
    point_in_time_recovery={'enabled': True},
    deletion_protection_enabled=True,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'ledger', 'aipipe:resource': 'ledger'},
    opts=pulumi.ResourceOptions(parent=ledger, provider=aws_us_east_2, protect=True, retain_on_delete=True, depends_on=[source]),
)
ledger.register_outputs({'name': ledger_table.name, 'arn': ledger_table.arn})

# --- 'worker': Lambda function
worker = pulumi.ComponentResource('aipipe:index:Function', 'worker')
worker_role = aws.iam.Role(
    'worker-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'worker', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker, provider=aws_us_east_2, protect=True, depends_on=[feed]),
)
worker_logs = aws.cloudwatch.LogGroup(
    'worker-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'worker', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker, provider=aws_us_east_2, protect=True, depends_on=[feed]),
)
worker_policy = aws.iam.RolePolicy(
    'worker-policy',
    role=worker_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(worker_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=worker, provider=aws_us_east_2, protect=True, depends_on=[feed]),
)
worker_function = aws.lambda_.Function(
    'worker',
    role=worker_role.arn,
    runtime='python3.13',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/worker.zip'),
    architectures=['x86_64'],
    memory_size=256,
    timeout=60,
    logging_config={"log_format": "Text", "log_group": worker_logs.name},
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'worker', 'aipipe:resource': 'worker'},
    opts=pulumi.ResourceOptions(parent=worker, provider=aws_us_east_2, protect=True, depends_on=[feed, worker_policy]),
)
worker.register_outputs({'name': worker_function.name, 'arn': worker_function.arn})

# --- 'flow': Step Functions state machine
flow = pulumi.ComponentResource('aipipe:index:Workflow', 'flow')
flow_role = aws.iam.Role(
    'flow-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'flow', 'aipipe:resource': 'flow'},
    opts=pulumi.ResourceOptions(parent=flow, provider=aws_us_east_2, protect=True, depends_on=[worker]),
)
flow_logs = aws.cloudwatch.LogGroup(
    'flow-logs',
    name_prefix='/aws/vendedlogs/states/aws-common-fields-dev-flow-',
    retention_in_days=30,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'flow', 'aipipe:resource': 'flow'},
    opts=pulumi.ResourceOptions(parent=flow, provider=aws_us_east_2, protect=True, depends_on=[worker]),
)
flow_policy = aws.iam.RolePolicy(
    'flow-policy',
    role=flow_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['lambda:InvokeFunction'], 'Resource': [worker_function.arn]}, {'Effect': 'Allow', 'Action': ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(flow_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=flow, provider=aws_us_east_2, protect=True, depends_on=[worker]),
)
flow_state_machine = aws.sfn.StateMachine(
    'flow',
    type='STANDARD',
    role_arn=flow_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of aws-common-fields', 'StartAt': 'worker', 'States': {'worker': {'Type': 'Task', 'Resource': worker_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}], 'End': True}}}),
    logging_configuration={'log_destination': pulumi.Output.concat(flow_logs.arn, ':*'), 'include_execution_data': False, 'level': 'ERROR'},
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'flow', 'aipipe:resource': 'flow'},
    opts=pulumi.ResourceOptions(parent=flow, provider=aws_us_east_2, protect=True, depends_on=[worker, flow_policy]),
)
flow.register_outputs({'name': flow_state_machine.name, 'arn': flow_state_machine.arn})

# --- 'vault': KMS key
vault = pulumi.ComponentResource('aipipe:index:Key', 'vault')
vault_key = aws.kms.Key(
    'vault',
    description='vault',
    enable_key_rotation=True,
    rotation_period_in_days=365,
    deletion_window_in_days=30,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'EnableIAMPolicies', 'Effect': 'Allow', 'Principal': {'AWS': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':iam::', aws.get_caller_identity_output().account_id, ':root')}, 'Action': 'kms:*', 'Resource': '*'}]}),
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'vault', 'aipipe:resource': 'vault'},
    opts=pulumi.ResourceOptions(parent=vault, provider=aws_us_east_2, protect=True, depends_on=[source]),
)
vault_alias = aws.kms.Alias(
    'vault-alias',
    name='alias/aws-common-fields-dev-vault',
    target_key_id=vault_key.key_id,
    opts=pulumi.ResourceOptions(parent=vault, provider=aws_us_east_2, protect=True, depends_on=[source]),
)
vault.register_outputs({'arn': vault_key.arn, 'id': vault_key.key_id, 'alias': vault_alias.name})

# --- 'mirror': 'S3 replication' from 'source' to 'copy'
mirror = pulumi.ComponentResource('aipipe:index:Replication', 'mirror')
# continuous: a rule in the replication configuration of 'source' (rendered with the other replications from it)
mirror.register_outputs({'arn': source_replication_role.arn})

# --- 'backlog': SQS queue
backlog = pulumi.ComponentResource('aipipe:index:Queue', 'backlog')
backlog_queue = aws.sqs.Queue(
    'backlog',
    visibility_timeout_seconds=30,
    message_retention_seconds=345600,
    delay_seconds=0,
    sqs_managed_sse_enabled=True,
    tags={'aipipe:project': 'aws-common-fields', 'aipipe:stack': 'dev', 'role': 'backlog', 'aipipe:resource': 'backlog'},
    opts=pulumi.ResourceOptions(parent=backlog, provider=aws_us_east_2, protect=True, depends_on=[notes]),
)
backlog.register_outputs({'name': backlog_queue.name, 'arn': backlog_queue.arn, 'url': backlog_queue.url})

# --- replication of 'source': 'mirror', in the bucket's one configuration
source_replication_policy = aws.iam.RolePolicy(
    'source-replication-policy',
    role=source_replication_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetReplicationConfiguration', 's3:ListBucket'], 'Resource': [source_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'], 'Resource': [pulumi.Output.concat(source_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], 'Resource': [pulumi.Output.concat(copy_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(provider=aws_us_east_2),
)
aws.s3.BucketReplicationConfig(
    'source-replication',
    bucket=source_bucket.id,
    role=source_replication_role.arn,
    rules=[{'id': 'aipipe-mirror', 'priority': 1, 'status': 'Enabled', 'filter': {}, 'delete_marker_replication': {'status': 'Disabled'}, 'destination': {'bucket': copy_bucket.arn}}],
    opts=pulumi.ResourceOptions(provider=aws_us_east_2, depends_on=[source_replication_policy, source_versioning, copy_versioning]),
)

