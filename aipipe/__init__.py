"""aipipe: declarative cloud pipelines for AI training data, from a YAML spec to Pulumi."""

__version__ = "0.1.0"
