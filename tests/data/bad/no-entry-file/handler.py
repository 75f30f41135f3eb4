def main(event):
    """Not in main.py: Python Cloud Functions load main.py."""
    return event
