"""Pure rules shared by the checks, the renderer, diff and the local runner: schedules, message filters, object
key patterns, delivery (retries, dead letters), secrets, IAM documents, and the symbolic values that refer to
things which exist only once deployed. Nothing here knows about Jinja, Pulumi or a particular spec file."""
