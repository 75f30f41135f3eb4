"""The catalogue of Google-provided Dataflow templates a spec may name by a short name (`pubsub-to-avro`):
their paths under gs://dataflow-templates-REGION/latest/ per input kind and the names of their parameters
(cloud.google.com/dataflow/docs/guides/templates/provided-templates and the templates' sources in
GoogleCloudPlatform/DataflowTemplates)."""

from __future__ import annotations

from dataclasses import dataclass, field

# the kinds a Dataflow job's `input` may name
INPUT_KINDS = ("topic", "subscription")


@dataclass(frozen=True)
class CatalogueEntry:
    """A Google-provided Dataflow template: its path under gs://dataflow-templates-REGION/latest/ per input
    kind, and the names of its parameters."""

    name: str
    paths: dict[str, str]  # input kind (topic | subscription) -> template path
    input_parameters: dict[str, str]  # input kind -> parameter name
    output_parameter: str
    temp_parameter: str | None = None  # a template-specific temporary directory, besides the job's temp location
    extra: dict[str, str] = field(default_factory=dict)  # parameters with fixed defaults


CATALOGUE: dict[str, CatalogueEntry] = {
    t.name: t
    for t in (
        CatalogueEntry(
            "pubsub-to-gcs-text",
            paths={"topic": "Cloud_PubSub_to_GCS_Text"},
            input_parameters={"topic": "inputTopic"},
            output_parameter="outputDirectory",
            extra={"outputFilenamePrefix": "output-"},
        ),
        CatalogueEntry(
            "pubsub-to-avro",
            paths={"topic": "Cloud_PubSub_to_Avro"},
            input_parameters={"topic": "inputTopic"},
            output_parameter="outputDirectory",
            temp_parameter="avroTempDirectory",
        ),
        CatalogueEntry(
            "pubsub-to-bigquery",
            paths={"topic": "PubSub_to_BigQuery", "subscription": "PubSub_Subscription_to_BigQuery"},
            input_parameters={"topic": "inputTopic", "subscription": "inputSubscription"},
            output_parameter="outputTableSpec",
        ),
    )
}
