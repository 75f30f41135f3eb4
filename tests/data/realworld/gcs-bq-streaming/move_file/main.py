"""Stub of the original's functions/move_file/main.py: the spec is what this folder tests."""


def move_file(cloud_event):
    """A message naming a file -> copy it from SOURCE_BUCKET to DESTINATION_BUCKET, then delete the source."""
    return cloud_event
