"""The catalogue of Google-provided Dataflow templates a spec may name by a short name (`pubsub-to-avro`): the
Flex templates under gs://dataflow-templates-REGION/latest/flex/ and the names of their parameters.

Source: GoogleCloudPlatform/DataflowTemplates (commit 378c7e5, 2026-08), the generated READMEs
v2/googlecloud-to-googlecloud/README_<Name>.md ("Parameters", and the Terraform example's
`container_spec_gcs_path = "gs://dataflow-templates-${var.region}/latest/flex/<Name>"`).

Flex, not the classic templates (v1/README_Cloud_PubSub_to_GCS_Text.md): the classic Pub/Sub to text template
reads only a topic, through a subscription it creates for each job, so messages published while no job runs
are lost and the worker needs project-wide Pub/Sub rights. Every Flex template here reads `inputSubscription`,
so aipipe always gives the job a subscription it manages (one of the spec's, or one it creates for a topic).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# the kinds a Dataflow job's `input` may name
INPUT_KINDS = ("topic", "subscription")

# "The Pub/Sub subscription to read the input from ... projects/<PROJECT_ID>/subscriptions/<NAME>" (every
# README below lists it as an optional parameter beside `inputTopic`; aipipe always passes a subscription)
INPUT_PARAMETER = "inputSubscription"


@dataclass(frozen=True)
class CatalogueEntry:
    """A Google-provided Flex template: its name under gs://dataflow-templates-REGION/latest/flex/, and the
    names of its parameters."""

    name: str
    flex_name: str
    output_parameter: str
    output_kind: str  # "gcs": a gs:// directory ending in `/`; "bigquery": PROJECT_ID:DATASET.TABLE
    temp_parameter: str | None = None  # a template-specific temporary directory, besides the job's temp location
    extra: dict[str, str] = field(default_factory=dict)  # parameters with fixed defaults


CATALOGUE: dict[str, CatalogueEntry] = {
    t.name: t
    for t in (
        # README_Cloud_PubSub_to_GCS_Text_Flex.md: outputDirectory "must end in a slash"; userTempLocation "The
        # user provided directory to output temporary files to. Must end with a slash." — without it the
        # template writes its temporary files under the output directory (pubsubtotext/PubsubToText.java
        # maybeUseUserTempLocation: "userTempLocation if available, otherwise outputLocation is returned")
        CatalogueEntry(
            "pubsub-to-gcs-text",
            flex_name="Cloud_PubSub_to_GCS_Text_Flex",
            output_parameter="outputDirectory",
            output_kind="gcs",
            temp_parameter="userTempLocation",
            extra={"outputFilenamePrefix": "output-"},
        ),
        # README_Cloud_PubSub_to_Avro_Flex.md: outputDirectory "Must end with a slash"; avroTempDirectory required
        CatalogueEntry(
            "pubsub-to-avro",
            flex_name="Cloud_PubSub_to_Avro_Flex",
            output_parameter="outputDirectory",
            output_kind="gcs",
            temp_parameter="avroTempDirectory",
        ),
        # README_PubSub_to_BigQuery_Flex.md: outputTableSpec "formatted as PROJECT_ID:DATASET_NAME.TABLE_NAME";
        # the table must exist (PubSubToBigQuery.java writes with CreateDisposition.CREATE_NEVER), the error
        # table OUTPUT_TABLE_SPEC_error_records "is created when the pipeline runs"
        CatalogueEntry(
            "pubsub-to-bigquery",
            flex_name="PubSub_to_BigQuery_Flex",
            output_parameter="outputTableSpec",
            output_kind="bigquery",
        ),
    )
}
