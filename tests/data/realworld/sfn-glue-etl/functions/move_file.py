def lambda_handler(event, context):
    """Stub of the original's move_file handler: the spec is what this folder tests."""
    return event
