# Pulumi program for the aipipe spec 'cross-region-replication', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws_eu_west_1 = aws.Provider('aws-eu-west-1', region='eu-west-1')
aws_us_west_2 = aws.Provider('aws-us-west-2', region='us-west-2')
# role S3 assumes to replicate 'corpus' (its policy and configuration follow the buckets)
corpus_replication_role = aws.iam.Role(
    'corpus-replication-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev'},
)
# DataSync may write the log groups of this stack's tasks in 'us-west-2'
nightly_archive_log_policy = aws.cloudwatch.LogResourcePolicy(
    'datasync-logs-us-west-2',
    policy_name='aipipe-cross-region-replication-dev-datasync-logs-us-west-2',
    policy_document=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':logs:us-west-2:', aws.get_caller_identity_output().account_id, ':log-group:'), '/aws/datasync/cross-region-replication-dev-*:*')], 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:us-west-2:', aws.get_caller_identity_output().account_id, ':task/*')}}}]}),
    opts=pulumi.ResourceOptions(provider=aws_us_west_2),
)

# --- 'corpus': S3 bucket
corpus = pulumi.ComponentResource('aipipe:index:Bucket', 'corpus')
corpus_bucket = aws.s3.Bucket(
    'corpus',
    force_destroy=False,
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'corpus'},
    opts=pulumi.ResourceOptions(parent=corpus, protect=True, retain_on_delete=True),
)
corpus_public_access = aws.s3.BucketPublicAccessBlock(
    'corpus-public-access',
    bucket=corpus_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=corpus, protect=True, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'corpus-tls-only',
    bucket=corpus_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [corpus_bucket.arn, pulumi.Output.concat(corpus_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=corpus, protect=True, retain_on_delete=True, depends_on=[corpus_public_access]),
)
corpus_versioning = aws.s3.BucketVersioning(
    'corpus-versioning',
    bucket=corpus_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=corpus, protect=True, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'corpus-encryption',
    bucket=corpus_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=corpus, protect=True, retain_on_delete=True),
)
corpus.register_outputs({'name': corpus_bucket.bucket, 'arn': corpus_bucket.arn, 'url': pulumi.Output.concat('s3://', corpus_bucket.bucket), 'id': corpus_bucket.id})

# --- 'corpus-eu': S3 bucket
corpus_eu = pulumi.ComponentResource('aipipe:index:Bucket', 'corpus-eu')
corpus_eu_bucket = aws.s3.Bucket(
    'corpus-eu',
    force_destroy=False,
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'corpus-eu'},
    opts=pulumi.ResourceOptions(parent=corpus_eu, provider=aws_eu_west_1, retain_on_delete=True),
)
corpus_eu_public_access = aws.s3.BucketPublicAccessBlock(
    'corpus-eu-public-access',
    bucket=corpus_eu_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=corpus_eu, provider=aws_eu_west_1, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'corpus-eu-tls-only',
    bucket=corpus_eu_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [corpus_eu_bucket.arn, pulumi.Output.concat(corpus_eu_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=corpus_eu, provider=aws_eu_west_1, retain_on_delete=True, depends_on=[corpus_eu_public_access]),
)
corpus_eu_versioning = aws.s3.BucketVersioning(
    'corpus-eu-versioning',
    bucket=corpus_eu_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=corpus_eu, provider=aws_eu_west_1, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'corpus-eu-encryption',
    bucket=corpus_eu_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=corpus_eu, provider=aws_eu_west_1, retain_on_delete=True),
)
corpus_eu.register_outputs({'name': corpus_eu_bucket.bucket, 'arn': corpus_eu_bucket.arn, 'url': pulumi.Output.concat('s3://', corpus_eu_bucket.bucket), 'id': corpus_eu_bucket.id})

# --- 'corpus-archive': S3 bucket
corpus_archive = pulumi.ComponentResource('aipipe:index:Bucket', 'corpus-archive')
corpus_archive_bucket = aws.s3.Bucket(
    'corpus-archive',
    force_destroy=False,
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'corpus-archive'},
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True),
)
corpus_archive_public_access = aws.s3.BucketPublicAccessBlock(
    'corpus-archive-public-access',
    bucket=corpus_archive_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'corpus-archive-tls-only',
    bucket=corpus_archive_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [corpus_archive_bucket.arn, pulumi.Output.concat(corpus_archive_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True, depends_on=[corpus_archive_public_access]),
)
corpus_archive_versioning = aws.s3.BucketVersioning(
    'corpus-archive-versioning',
    bucket=corpus_archive_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'corpus-archive-encryption',
    bucket=corpus_archive_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True),
)
aws.s3.BucketLifecycleConfiguration(
    'corpus-archive-lifecycle',
    bucket=corpus_archive_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'transitions': [{'days': 7, 'storage_class': 'GLACIER_IR'}]}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}}],
    opts=pulumi.ResourceOptions(parent=corpus_archive, provider=aws_us_west_2, retain_on_delete=True, depends_on=[corpus_archive_versioning]),
)
corpus_archive.register_outputs({'name': corpus_archive_bucket.bucket, 'arn': corpus_archive_bucket.arn, 'url': pulumi.Output.concat('s3://', corpus_archive_bucket.bucket), 'id': corpus_archive_bucket.id})

# --- 'replicate-eu': 'S3 replication' from 'corpus' to 'corpus-eu'
replicate_eu = pulumi.ComponentResource('aipipe:index:Replication', 'replicate-eu')
# continuous: a rule in the replication configuration of 'corpus' (rendered with the other replications from it)
replicate_eu.register_outputs({'arn': corpus_replication_role.arn})

# --- 'nightly-archive': 'DataSync task' from 'corpus' to 'corpus-archive'
nightly_archive = pulumi.ComponentResource('aipipe:index:Replication', 'nightly-archive')
nightly_archive_source_role = aws.iam.Role(
    'nightly-archive-source-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:*:', aws.get_caller_identity_output().account_id, ':*')}}}]}),
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive),
)
nightly_archive_source_policy = aws.iam.RolePolicy(
    'nightly-archive-source-policy',
    role=nightly_archive_source_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], 'Resource': [corpus_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:ListMultipartUploadParts'], 'Resource': [pulumi.Output.concat(corpus_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(parent=nightly_archive),
)
nightly_archive_source = aws.datasync.S3Location(
    'nightly-archive-source',
    s3_bucket_arn=corpus_bucket.arn,
    subdirectory="/",
    s3_config={"bucket_access_role_arn": nightly_archive_source_role.arn},
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive, depends_on=[nightly_archive_source_policy]),
)
nightly_archive_destination_role = aws.iam.Role(
    'nightly-archive-destination-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'datasync.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnLike': {'aws:SourceArn': pulumi.Output.concat('arn:', aws.get_partition_output().partition, ':datasync:*:', aws.get_caller_identity_output().account_id, ':*')}}}]}),
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive),
)
nightly_archive_destination_policy = aws.iam.RolePolicy(
    'nightly-archive-destination-policy',
    role=nightly_archive_destination_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], 'Resource': [corpus_archive_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'], 'Resource': [pulumi.Output.concat(corpus_archive_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(parent=nightly_archive),
)
nightly_archive_destination = aws.datasync.S3Location(
    'nightly-archive-destination',
    s3_bucket_arn=corpus_archive_bucket.arn,
    subdirectory="/",
    s3_config={"bucket_access_role_arn": nightly_archive_destination_role.arn},
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive, provider=aws_us_west_2, depends_on=[nightly_archive_destination_policy]),
)
nightly_archive_logs = aws.cloudwatch.LogGroup(
    'nightly-archive-logs',
    name_prefix='/aws/datasync/cross-region-replication-dev-nightly-archive-',
    retention_in_days=30,
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive, provider=aws_us_west_2),
)
nightly_archive_task = aws.datasync.Task(
    'nightly-archive',
    source_location_arn=nightly_archive_source.arn,
    destination_location_arn=nightly_archive_destination.arn,
    cloudwatch_log_group_arn=nightly_archive_logs.arn,
    schedule={'schedule_expression': 'cron(0 3 * * ? *)'},
    options={'overwrite_mode': 'ALWAYS', 'verify_mode': 'ONLY_FILES_TRANSFERRED', 'preserve_deleted_files': 'PRESERVE', 'log_level': 'BASIC'},
    tags={'aipipe:project': 'cross-region-replication', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'data-class': 'training', 'aipipe:resource': 'nightly-archive'},
    opts=pulumi.ResourceOptions(parent=nightly_archive, provider=aws_us_west_2, depends_on=[nightly_archive_log_policy]),
)
nightly_archive.register_outputs({'arn': nightly_archive_task.arn})

# --- replication of 'corpus': 'replicate-eu', in the bucket's one configuration
corpus_replication_policy = aws.iam.RolePolicy(
    'corpus-replication-policy',
    role=corpus_replication_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetReplicationConfiguration', 's3:ListBucket'], 'Resource': [corpus_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'], 'Resource': [pulumi.Output.concat(corpus_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], 'Resource': [pulumi.Output.concat(corpus_eu_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(),
)
aws.s3.BucketReplicationConfig(
    'corpus-replication',
    bucket=corpus_bucket.id,
    role=corpus_replication_role.arn,
    rules=[{'id': 'aipipe-replicate-eu', 'priority': 1, 'status': 'Enabled', 'filter': {}, 'delete_marker_replication': {'status': 'Enabled'}, 'destination': {'bucket': corpus_eu_bucket.arn}}],
    opts=pulumi.ResourceOptions(depends_on=[corpus_replication_policy, corpus_versioning, corpus_eu_versioning]),
)

pulumi.export('corpus_bucket', corpus_bucket.bucket)
pulumi.export('replica_bucket', corpus_eu_bucket.bucket)
pulumi.export('archive_task', nightly_archive_task.arn)
