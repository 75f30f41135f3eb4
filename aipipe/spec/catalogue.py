"""Fixed knowledge about the clouds: function runtimes per cloud and the Dataflow template catalogue.

Runtimes reflect the providers' support tables as of November 2026; update them here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# spec runtime -> the cloud's runtime identifier
RUNTIMES: dict[str, dict[str, str]] = {
    "aws": {
        "python3.12": "python3.12",
        "python3.13": "python3.13",
        "python3.14": "python3.14",
        "nodejs22": "nodejs22.x",
        "nodejs24": "nodejs24.x",
        "java17": "java17",
        "java21": "java21",
        "java25": "java25",
    },
    "gcp": {
        "python3.11": "python311",
        "python3.12": "python312",
        "python3.13": "python313",
        "nodejs20": "nodejs20",
        "nodejs22": "nodejs22",
        "java17": "java17",
        "java21": "java21",
        "go1.22": "go122",
        "go1.23": "go123",
    },
}

# Runtimes that existed once and can no longer be deployed (or soon cannot), with what to use instead.
RETIRED_RUNTIMES: dict[str, str] = {
    **{f"python3.{minor}": "python3.12" for minor in range(6, 12)},
    **{f"nodejs{major}": "nodejs22" for major in (10, 12, 14, 16, 18, 20)},
    "java8": "java21",
    "java11": "java21",
    "go1.x": "go1.23",
}


@dataclass(frozen=True)
class DataflowTemplate:
    """A Google-provided Dataflow template: its path under gs://dataflow-templates-REGION/latest/ per input
    kind, and the names of its parameters."""

    name: str
    paths: dict[str, str]  # input kind (topic | subscription) -> template path
    input_parameters: dict[str, str]  # input kind -> parameter name
    output_parameter: str
    temp_parameter: str | None = None  # a template-specific temporary directory, besides the job's temp location
    extra: dict[str, str] = field(default_factory=dict)  # parameters with fixed defaults


DATAFLOW_TEMPLATES: dict[str, DataflowTemplate] = {
    t.name: t
    for t in (
        DataflowTemplate(
            "pubsub-to-gcs-text",
            paths={"topic": "Cloud_PubSub_to_GCS_Text"},
            input_parameters={"topic": "inputTopic"},
            output_parameter="outputDirectory",
            extra={"outputFilenamePrefix": "output-"},
        ),
        DataflowTemplate(
            "pubsub-to-avro",
            paths={"topic": "Cloud_PubSub_to_Avro"},
            input_parameters={"topic": "inputTopic"},
            output_parameter="outputDirectory",
            temp_parameter="avroTempDirectory",
        ),
        DataflowTemplate(
            "pubsub-to-bigquery",
            paths={"topic": "PubSub_to_BigQuery", "subscription": "PubSub_Subscription_to_BigQuery"},
            input_parameters={"topic": "inputTopic", "subscription": "inputSubscription"},
            output_parameter="outputTableSpec",
        ),
    )
}
