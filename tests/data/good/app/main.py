def main(event):
    """The entry point gcp specs of this folder name (`handler: main`)."""
    return event
