# Pulumi program for the aipipe spec 'async-training-pipeline', stack 'dev', rendered by aipipe '0.1.0'.
# Change the spec and render again, or take this program over: it is plain Pulumi, and `pulumi up`
# runs it as it is.

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

# --- 'datasets': S3 bucket
datasets = pulumi.ComponentResource('aipipe:index:Bucket', 'datasets')
datasets_bucket = aws.s3.Bucket(
    'datasets',
    force_destroy=False,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'datasets'},
    opts=pulumi.ResourceOptions(parent=datasets, retain_on_delete=True),
)
datasets_public_access = aws.s3.BucketPublicAccessBlock(
    'datasets-public-access',
    bucket=datasets_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=datasets, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'datasets-tls-only',
    bucket=datasets_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [datasets_bucket.arn, pulumi.Output.concat(datasets_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=datasets, retain_on_delete=True, depends_on=[datasets_public_access]),
)
datasets_versioning = aws.s3.BucketVersioning(
    'datasets-versioning',
    bucket=datasets_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=datasets, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'datasets-encryption',
    bucket=datasets_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=datasets, retain_on_delete=True),
)
datasets.register_outputs({'name': datasets_bucket.bucket, 'arn': datasets_bucket.arn, 'url': pulumi.Output.concat('s3://', datasets_bucket.bucket), 'id': datasets_bucket.id})

# --- 'models': S3 bucket
models = pulumi.ComponentResource('aipipe:index:Bucket', 'models')
models_bucket = aws.s3.Bucket(
    'models',
    force_destroy=False,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'models'},
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True),
)
models_public_access = aws.s3.BucketPublicAccessBlock(
    'models-public-access',
    bucket=models_bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True),
)
aws.s3.BucketPolicy(
    'models-tls-only',
    bucket=models_bucket.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Sid': 'DenyInsecureTransport', 'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': [models_bucket.arn, pulumi.Output.concat(models_bucket.arn, '/*')], 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}),
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True, depends_on=[models_public_access]),
)
models_versioning = aws.s3.BucketVersioning(
    'models-versioning',
    bucket=models_bucket.id,
    versioning_configuration={'status': 'Enabled'},
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    'models-encryption',
    bucket=models_bucket.id,
    rules=[{'apply_server_side_encryption_by_default': {'sse_algorithm': 'AES256'}}],
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True),
)
aws.s3.BucketLifecycleConfiguration(
    'models-lifecycle',
    bucket=models_bucket.id,
    rules=[{'id': 'aipipe-lifecycle', 'status': 'Enabled', 'filter': {}, 'transitions': [{'days': 60, 'storage_class': 'GLACIER_IR'}]}, {'id': 'aipipe-cleanup', 'status': 'Enabled', 'filter': {}, 'abort_incomplete_multipart_upload': {'days_after_initiation': 7}}],
    opts=pulumi.ResourceOptions(parent=models, retain_on_delete=True, depends_on=[models_versioning]),
)
models.register_outputs({'name': models_bucket.bucket, 'arn': models_bucket.arn, 'url': pulumi.Output.concat('s3://', models_bucket.bucket), 'id': models_bucket.id})

# --- 'preprocess': Lambda function
preprocess = pulumi.ComponentResource('aipipe:index:Function', 'preprocess')
preprocess_role = aws.iam.Role(
    'preprocess-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_logs = aws.cloudwatch.LogGroup(
    'preprocess-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_policy = aws.iam.RolePolicy(
    'preprocess-policy',
    role=preprocess_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(preprocess_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/raw/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [datasets_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['raw/*']}}}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/features/*')]}]}),
    opts=pulumi.ResourceOptions(parent=preprocess),
)
preprocess_function = aws.lambda_.Function(
    'preprocess',
    role=preprocess_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/preprocess.zip'),
    architectures=['x86_64'],
    memory_size=1024,
    timeout=300,
    environment={"variables": {'DATASETS_BUCKET': datasets_bucket.bucket}},
    logging_config={"log_format": "Text", "log_group": preprocess_logs.name},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'preprocess'},
    opts=pulumi.ResourceOptions(parent=preprocess, depends_on=[preprocess_policy]),
)
preprocess.register_outputs({'name': preprocess_function.name, 'arn': preprocess_function.arn})

# --- 'train': Lambda function
train = pulumi.ComponentResource('aipipe:index:Function', 'train')
train_role = aws.iam.Role(
    'train-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
train_logs = aws.cloudwatch.LogGroup(
    'train-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train),
)
train_policy = aws.iam.RolePolicy(
    'train-policy',
    role=train_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(train_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/features/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [datasets_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['features/*']}}}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(models_bucket.arn, '/*')]}]}),
    opts=pulumi.ResourceOptions(parent=train),
)
train_function = aws.lambda_.Function(
    'train',
    role=train_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/train.zip'),
    architectures=['x86_64'],
    memory_size=3008,
    timeout=900,
    environment={"variables": {'DATASETS_BUCKET': datasets_bucket.bucket, 'MODELS_BUCKET': models_bucket.bucket}},
    logging_config={"log_format": "Text", "log_group": train_logs.name},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'train'},
    opts=pulumi.ResourceOptions(parent=train, depends_on=[train_policy]),
)
train.register_outputs({'name': train_function.name, 'arn': train_function.arn})

# --- 'profile': Lambda function
profile = pulumi.ComponentResource('aipipe:index:Function', 'profile')
profile_role = aws.iam.Role(
    'profile-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'profile'},
    opts=pulumi.ResourceOptions(parent=profile),
)
profile_logs = aws.cloudwatch.LogGroup(
    'profile-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'profile'},
    opts=pulumi.ResourceOptions(parent=profile),
)
profile_policy = aws.iam.RolePolicy(
    'profile-policy',
    role=profile_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(profile_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/features/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [datasets_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['features/*']}}}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/profiles/*')]}]}),
    opts=pulumi.ResourceOptions(parent=profile),
)
profile_function = aws.lambda_.Function(
    'profile',
    role=profile_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/profile.zip'),
    architectures=['x86_64'],
    memory_size=512,
    timeout=120,
    environment={"variables": {'DATASETS_BUCKET': datasets_bucket.bucket}},
    logging_config={"log_format": "Text", "log_group": profile_logs.name},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'profile'},
    opts=pulumi.ResourceOptions(parent=profile, depends_on=[profile_policy]),
)
profile.register_outputs({'name': profile_function.name, 'arn': profile_function.arn})

# --- 'predict': Lambda function
predict = pulumi.ComponentResource('aipipe:index:Function', 'predict')
predict_role = aws.iam.Role(
    'predict-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'predict'},
    opts=pulumi.ResourceOptions(parent=predict),
)
predict_logs = aws.cloudwatch.LogGroup(
    'predict-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'predict'},
    opts=pulumi.ResourceOptions(parent=predict),
)
predict_policy = aws.iam.RolePolicy(
    'predict-policy',
    role=predict_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(predict_logs.arn, ':*')]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(models_bucket.arn, '/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [models_bucket.arn]}, {'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/features/*')]}, {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': [datasets_bucket.arn], 'Condition': {'StringLike': {'s3:prefix': ['features/*']}}}, {'Effect': 'Allow', 'Action': ['s3:AbortMultipartUpload', 's3:PutObject'], 'Resource': [pulumi.Output.concat(datasets_bucket.arn, '/predictions/*')]}]}),
    opts=pulumi.ResourceOptions(parent=predict),
)
predict_function = aws.lambda_.Function(
    'predict',
    role=predict_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/predict.zip'),
    architectures=['x86_64'],
    memory_size=2048,
    timeout=600,
    environment={"variables": {'DATASETS_BUCKET': datasets_bucket.bucket, 'MODELS_BUCKET': models_bucket.bucket}},
    logging_config={"log_format": "Text", "log_group": predict_logs.name},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'predict'},
    opts=pulumi.ResourceOptions(parent=predict, depends_on=[predict_policy]),
)
predict.register_outputs({'name': predict_function.name, 'arn': predict_function.arn})

# --- 'notify': Lambda function
notify = pulumi.ComponentResource('aipipe:index:Function', 'notify')
notify_role = aws.iam.Role(
    'notify-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'notify'},
    opts=pulumi.ResourceOptions(parent=notify),
)
notify_logs = aws.cloudwatch.LogGroup(
    'notify-logs',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'notify'},
    opts=pulumi.ResourceOptions(parent=notify),
)
notify_policy = aws.iam.RolePolicy(
    'notify-policy',
    role=notify_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(notify_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=notify),
)
notify_function = aws.lambda_.Function(
    'notify',
    role=notify_role.arn,
    runtime='python3.12',
    handler='app.handler',
    code=pulumi.FileArchive('../../build/dev/notify.zip'),
    architectures=['x86_64'],
    memory_size=256,
    timeout=30,
    logging_config={"log_format": "Text", "log_group": notify_logs.name},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'notify'},
    opts=pulumi.ResourceOptions(parent=notify, depends_on=[notify_policy]),
)
notify.register_outputs({'name': notify_function.name, 'arn': notify_function.arn})

# --- 'training-pipeline': Step Functions state machine
training_pipeline = pulumi.ComponentResource('aipipe:index:Workflow', 'training-pipeline')
training_pipeline_role = aws.iam.Role(
    'training-pipeline-role',
    assume_role_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'training-pipeline'},
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
training_pipeline_logs = aws.cloudwatch.LogGroup(
    'training-pipeline-logs',
    name_prefix='/aws/vendedlogs/states/async-training-pipeline-dev-training-pipeline-',
    retention_in_days=30,
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'training-pipeline'},
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
training_pipeline_policy = aws.iam.RolePolicy(
    'training-pipeline-policy',
    role=training_pipeline_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['lambda:InvokeFunction'], 'Resource': [preprocess_function.arn, train_function.arn, profile_function.arn, predict_function.arn, notify_function.arn]}, {'Effect': 'Allow', 'Action': ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery'], 'Resource': ['*']}, {'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': [pulumi.Output.concat(training_pipeline_logs.arn, ':*')]}]}),
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
training_pipeline_state_machine = aws.sfn.StateMachine(
    'training-pipeline',
    type='STANDARD',
    role_arn=training_pipeline_role.arn,
    definition=pulumi.Output.json_dumps({'Comment': 'aipipe workflow of async-training-pipeline', 'StartAt': 'Preprocess', 'States': {'Preprocess': {'Type': 'Task', 'Resource': preprocess_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 5, 'MaxAttempts': 3, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'NotifyFailure', 'ResultPath': '$.error'}], 'Next': 'TrainAndProfile'}, 'TrainAndProfile': {'Type': 'Parallel', 'Branches': [{'StartAt': 'Train', 'States': {'Train': {'Type': 'Task', 'Resource': train_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 30, 'MaxAttempts': 2, 'BackoffRate': 2.0}], 'End': True}}}, {'StartAt': 'Profile', 'States': {'Profile': {'Type': 'Task', 'Resource': profile_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 2, 'BackoffRate': 2.0}], 'End': True}}}], 'ResultSelector': {'Train.$': '$[0]', 'Profile.$': '$[1]'}, 'ResultPath': "$['TrainAndProfile']", 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'NotifyFailure', 'ResultPath': '$.error'}], 'Next': 'BatchPredict'}, 'BatchPredict': {'Type': 'Task', 'Resource': predict_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 10, 'MaxAttempts': 2, 'BackoffRate': 2.0}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'NotifyFailure', 'ResultPath': '$.error'}], 'End': True}, 'NotifyFailure': {'Type': 'Task', 'Resource': notify_function.arn, 'Retry': [{'ErrorEquals': ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], 'IntervalSeconds': 2, 'MaxAttempts': 6, 'BackoffRate': 2}, {'ErrorEquals': ['States.ALL'], 'IntervalSeconds': 1, 'MaxAttempts': 2, 'BackoffRate': 2.0}], 'Next': 'aipipe:failed'}, 'aipipe:failed': {'Type': 'Fail', 'Error': 'aipipe.StepFailed', 'Cause': 'a step failed; its `catch` handler ran (mark the handler `handled: true` to succeed instead)'}}}),
    logging_configuration={'log_destination': pulumi.Output.concat(training_pipeline_logs.arn, ':*'), 'include_execution_data': False, 'level': 'ERROR'},
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'training-pipeline'},
    opts=pulumi.ResourceOptions(parent=training_pipeline, depends_on=[training_pipeline_policy]),
)
training_pipeline_trigger_0 = aws.cloudwatch.EventRule(
    'training-pipeline-trigger-0',
    event_pattern=pulumi.Output.json_dumps({'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': {'bucket': {'name': [datasets_bucket.bucket]}, 'object': {'key': [{'wildcard': 'raw/*/manifest.json'}, 'raw/manifest.json']}}}),
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'training-pipeline'},
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
training_pipeline_trigger_0_role = aws.iam.Role(
    'training-pipeline-trigger-0-role',
    assume_role_policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'}, 'Action': 'sts:AssumeRole', 'Condition': {'StringEquals': {'aws:SourceAccount': aws.get_caller_identity_output().account_id}, 'ArnEquals': {'aws:SourceArn': training_pipeline_trigger_0.arn}}}]}),
    tags={'aipipe:project': 'async-training-pipeline', 'aipipe:stack': 'dev', 'team': 'ml-platform', 'pipeline': 'training', 'aipipe:resource': 'training-pipeline'},
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
training_pipeline_trigger_0_policy = aws.iam.RolePolicy(
    'training-pipeline-trigger-0-policy',
    role=training_pipeline_trigger_0_role.id,
    policy=pulumi.Output.json_dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['states:StartExecution'], 'Resource': [training_pipeline_state_machine.arn]}]}),
    opts=pulumi.ResourceOptions(parent=training_pipeline),
)
aws.cloudwatch.EventTarget(
    'training-pipeline-trigger-0-target',
    rule=training_pipeline_trigger_0.name,
    arn=training_pipeline_state_machine.arn,
    role_arn=training_pipeline_trigger_0_role.arn,
    opts=pulumi.ResourceOptions(parent=training_pipeline, depends_on=[training_pipeline_trigger_0_policy]),
)
training_pipeline.register_outputs({'name': training_pipeline_state_machine.name, 'arn': training_pipeline_state_machine.arn})

# --- notifications of 'datasets': its events sent to EventBridge
aws.s3.BucketNotification(
    'datasets-notifications',
    bucket=datasets_bucket.id,
    eventbridge=True,
    opts=pulumi.ResourceOptions(),
)

pulumi.export('state_machine_arn', training_pipeline_state_machine.arn)
pulumi.export('models_bucket', models_bucket.bucket)
