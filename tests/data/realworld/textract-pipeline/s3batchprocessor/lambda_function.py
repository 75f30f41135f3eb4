def lambda_handler(event, context):
    """Stub of the original's s3batchprocessor handler: the spec is what this folder tests."""
    return event
