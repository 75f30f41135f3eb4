"""Stub of the original's functions/streaming/main.py: the spec is what this folder tests."""


def streaming(cloud_event):
    """A new JSON file -> Firestore dedup check -> BigQuery streaming insert -> the success or error topic."""
    return cloud_event
