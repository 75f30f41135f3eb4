"""Stubs of the original's three entry points (functions/ocr/app/main.py): the spec is what this folder tests."""


def process_image(cloud_event):
    """ocr-extract: a new image -> Vision text detection -> one message per target language."""
    return cloud_event


def translate_text(cloud_event):
    """ocr-translate: a message on the translate topic -> Translation API -> the result topic."""
    return cloud_event


def save_result(cloud_event):
    """ocr-save: a message on the result topic -> a text file in the result bucket."""
    return cloud_event
