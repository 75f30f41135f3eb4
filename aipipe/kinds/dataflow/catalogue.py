"""The catalogue of Google-provided Dataflow templates a spec may name by a short name (`pubsub-to-avro`): the
Flex templates under gs://dataflow-templates-REGION/latest/flex/ and the names of their parameters.

Source: GoogleCloudPlatform/DataflowTemplates (commit 378c7e5, 2026-08), the generated READMEs
v2/googlecloud-to-googlecloud/README_<Name>.md ("Parameters": its "Required parameters" and "Optional
parameters" lists, the complete set of names the template defines; and the Terraform example's
`container_spec_gcs_path = "gs://dataflow-templates-${var.region}/latest/flex/<Name>"`).

A Flex launch refuses a parameter the template does not define ("The template parameters are invalid. Details:
streaming: Unrecognized parameter", hashicorp/terraform-provider-google#11008). Dataflow's own runtime options
(serviceAccount, workerMachineType, tempLocation ...) are not accepted there either when the launch's environment
sets them, as aipipe's does ("Runtime parameter serviceAccount should not be specified in both parameters field
and environment field. Specifying runtime parameters in environment field is recommended.",
terraform-provider-google#14679, #21203): they are the job's own fields (`service_account`, `machine_type`,
`max_workers`, `public_ips`, `temp`), never `parameters`.

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

# "If this parameter is provided don't use `inputSubscription`" (README_Cloud_PubSub_to_GCS_Text_Flex.md); each
# template refuses both: "Either input topic or input subscription must be provided, but not both."
# (pubsubtotext/PubsubToText.java, PubSubToBigQuery.java; PubsubToAvro.java reads the subscription and ignores
# the topic when both are set)
TOPIC_PARAMETER = "inputTopic"

# Dataflow runtime options a user may try as parameters, and the field of the job that sets each in the launch's
# environment (the parameter names are those of terraform-provider-google#14679 and #21203)
RUNTIME_OPTIONS = {
    "serviceAccount": "service_account",
    "workerMachineType": "machine_type",
    "maxNumWorkers": "max_workers",
    "usePublicIps": "public_ips",
    "tempLocation": "temp",
    "stagingLocation": "temp",
}

# the optional parameters naming the windowed files, the same in both Cloud Storage templates' READMEs
WINDOWED_FILES = (
    "outputFilenamePrefix",
    "outputFilenameSuffix",
    "outputShardTemplate",
    "numShards",
    "windowDuration",
    "yearPattern",
    "monthPattern",
    "dayPattern",
    "hourPattern",
    "minutePattern",
)


@dataclass(frozen=True)
class CatalogueEntry:
    """A Google-provided Flex template: its name under gs://dataflow-templates-REGION/latest/flex/, and the
    names of its parameters."""

    name: str
    flex_name: str
    output_parameter: str
    output_kind: str  # "gcs": a gs:// directory ending in `/`; "bigquery": PROJECT_ID:DATASET.TABLE
    # every parameter the template defines (its README's required and optional ones); a Flex launch refuses others
    accepted: frozenset[str]
    temp_parameter: str | None = None  # a template-specific temporary directory, besides the job's temp location
    # parameters with fixed defaults; a spec may override them (they name files, nothing grants depend on)
    extra: dict[str, str] = field(default_factory=dict)

    def managed(self) -> dict[str, str]:
        """The parameters aipipe sets from the job's own fields, each with that field: a spec setting one in
        `parameters` would read or write where the job's grants do not reach (or, for `inputTopic`, be refused by
        the template beside aipipe's subscription)."""
        managed = {INPUT_PARAMETER: "input", TOPIC_PARAMETER: "input", self.output_parameter: "output"}
        if self.temp_parameter:
            managed[self.temp_parameter] = "temp"
        return managed

    def optional(self) -> list[str]:
        """The parameters a spec may set: every accepted one aipipe does not set itself."""
        return sorted(self.accepted - self.managed().keys())


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
            accepted=frozenset(
                {
                    "outputDirectory",
                    "inputTopic",
                    "inputSubscription",
                    "userTempLocation",
                    *WINDOWED_FILES,
                }
            ),
            temp_parameter="userTempLocation",
            extra={"outputFilenamePrefix": "output-"},
        ),
        # README_Cloud_PubSub_to_Avro_Flex.md: outputDirectory "Must end with a slash"; avroTempDirectory required
        CatalogueEntry(
            "pubsub-to-avro",
            flex_name="Cloud_PubSub_to_Avro_Flex",
            output_parameter="outputDirectory",
            output_kind="gcs",
            accepted=frozenset(
                {
                    "outputDirectory",
                    "avroTempDirectory",
                    "inputSubscription",
                    "inputTopic",
                    *WINDOWED_FILES,
                }
            ),
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
            accepted=frozenset(
                {
                    "outputTableSpec",
                    "inputTopic",
                    "inputSubscription",
                    "outputDeadletterTable",
                    "useStorageWriteApiAtLeastOnce",
                    "useStorageWriteApi",
                    "numStorageWriteApiStreams",
                    "storageWriteApiTriggeringFrequencySec",
                    "javascriptTextTransformGcsPath",
                    "javascriptTextTransformFunctionName",
                    "javascriptTextTransformReloadIntervalMinutes",
                }
            ),
        ),
    )
}
