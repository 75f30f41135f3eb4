"""Rules for Dataflow jobs: the template exists, its input is one it can read, its locations are Cloud Storage
directories of the form the template takes, a BigQuery output is a table it can name, a catalogue template is
given only parameters it defines and none aipipe sets itself, and the subscription it reads sets nothing Dataflow
does not support."""

from __future__ import annotations

import re

from aipipe.core.suggest import did_you_mean, one_of
from aipipe.kinds.dataflow.catalogue import (
    CATALOGUE,
    INPUT_KINDS,
    INPUT_PARAMETER,
    RUNTIME_OPTIONS,
    TOPIC_PARAMETER,
    CatalogueEntry,
)
from aipipe.kinds.dataflow.gcp import BIGQUERY_TABLE, SPEC_TABLE
from aipipe.kinds.dataflow.model import Dataflow
from aipipe.spec.context import CheckContext

# Subscription settings Dataflow does not support on the subscription it reads: a retry policy and a dead-letter
# topic ("Note that these features are not supported by Dataflow. Refer to the Unsupported Pub/Sub features
# section of the Dataflow documentation", cloud.google.com/pubsub/docs/handling-failures), and exactly-once
# delivery, listed in that section as the issue quotes it; Dataflow deduplicates itself "If you run your Dataflow
# pipeline using exactly-once streaming mode" (cloud.google.com/dataflow/docs/concepts/streaming-with-cloud-pubsub).
# README_PubSub_to_BigQuery_Flex.md: "The BigQuery table to use for messages that failed to reach the output
# table, formatted as `PROJECT_ID:DATASET_NAME.TABLE_NAME`. If the table doesn't exist, it is created"
DEADLETTER_PARAMETER = "outputDeadletterTable"

UNSUPPORTED_ON_INPUT = {
    "dead_letter": "dead-letter topics (Dataflow acknowledges what it has read, failed or not)",
    "retry": "retry policies",
    "exactly_once": "exactly-once delivery (Dataflow deduplicates in its own exactly-once mode)",
}


def check(ctx: CheckContext, name: str, job: Dataflow) -> None:
    """The template exists, the input has a kind the template reads, and locations are Cloud Storage."""
    if job.template.startswith("gs://"):
        if not re.fullmatch(r"gs://[a-z0-9._-]+/\S+", job.template):
            ctx.report("AP408", f"`template` {job.template!r} is not a gs://bucket/path", ctx.at(name, "template"))
        elif job.input and ctx.types.get(job.input) == "topic":
            ctx.report(
                "AP408",
                f"a gs:// template reads the subscription you pass in `parameters`, but `{job.input}` is a topic: "
                "name a subscription of it as `input` (its reader gets grants on it)",
                ctx.at(name, "input"),
            )
    elif job.template not in CATALOGUE:
        ctx.report(
            "AP408",
            f"unknown Dataflow template `{job.template}`{did_you_mean(job.template, CATALOGUE)};"
            f" use {one_of(CATALOGUE)} or a gs:// template path",
            ctx.at(name, "template"),
        )
    else:
        _check_catalogue_job(ctx, name, job)
    if not (job.temp.startswith("gs://") or re.match(r"\$\{[a-z][a-z0-9-]*\.url\}", job.temp)):
        ctx.report(
            "AP408", '`temp` must be a Cloud Storage location: gs://… or "${bucket.url}/temp/"', ctx.at(name, "temp")
        )
    if job.input and ctx.types.get(job.input) == "subscription":
        _check_input_subscription(ctx, name, job.input)


def _check_catalogue_job(ctx: CheckContext, name: str, job: Dataflow) -> None:
    """Input and output present; output and temp in the forms the template's README asks for."""
    entry = CATALOGUE[job.template]
    if job.input is None and not ctx.was_dropped(name, "input"):
        ctx.report("AP408", f"template `{job.template}` needs `input` (a {one_of(INPUT_KINDS)})", ctx.at(name), True)
    if job.output is None:
        if not ctx.was_dropped(name, "output"):
            ctx.report(
                "AP408", f"template `{job.template}` needs `output` ({entry.output_parameter})", ctx.at(name), True
            )
    elif entry.output_kind == "bigquery" and not _names_a_bigquery_table(ctx, job.output):
        ctx.report(
            "AP408",
            f"`output` of template `{job.template}` is a BigQuery table written out as PROJECT_ID:DATASET.TABLE "
            "(e.g. my-project:analytics.events) or a table of the spec as `${TABLE.table_spec}`, got "
            f"{job.output!r}",
            ctx.at(name, "output"),
        )
    elif entry.output_kind == "gcs" and not job.output.endswith("/"):
        ctx.report(
            "AP408",
            f"`output` of template `{job.template}` is a directory and must end with `/` ({entry.output_parameter})",
            ctx.at(name, "output"),
        )
    if entry.temp_parameter and not job.temp.endswith("/"):
        ctx.report(
            "AP408",
            f"`temp` of template `{job.template}` is a directory and must end with `/` ({entry.temp_parameter})",
            ctx.at(name, "temp"),
        )
    _check_parameters(ctx, name, job, entry)


def _names_a_bigquery_table(ctx: CheckContext, output: str) -> bool:
    """Whether `output` is a BigQuery table written out, or exactly `${NAME.table_spec}` of a `table` of the spec
    (whether that table has `columns` is the reference's own check, AP301)."""
    spec_table = SPEC_TABLE.fullmatch(output)
    return bool(BIGQUERY_TABLE.fullmatch(output) or (spec_table and ctx.types.get(spec_table["table"]) == "table"))


def _check_parameters(ctx: CheckContext, name: str, job: Dataflow, entry: CatalogueEntry) -> None:
    """Each parameter is one the template defines (a Flex launch refuses any other) and not one aipipe sets from
    the job's fields (the grants follow those fields); the dead-letter table stays in the output's dataset."""
    managed = entry.managed()
    for key, value in job.parameters.items():
        where = ctx.at(name, "parameters", key)
        if key == TOPIC_PARAMETER:
            ctx.report(
                "AP408",
                f"template `{job.template}` reads the subscription aipipe passes (`{INPUT_PARAMETER}`), and "
                f"`{key}` beside it is refused or ignored; name the topic as `input` and aipipe subscribes the "
                "job to it",
                where,
                True,
            )
        elif key in managed:
            ctx.report(
                "AP408",
                f"parameter `{key}` of template `{job.template}` is set by aipipe from `{managed[key]}`, and the "
                f"job's grants follow that field; set `{managed[key]}` instead",
                where,
                True,
            )
        elif key in RUNTIME_OPTIONS:
            ctx.report(
                "AP408",
                f"`{key}` is a Dataflow runtime option, not a parameter of template `{job.template}`; "
                f"set the job's `{RUNTIME_OPTIONS[key]}`",
                where,
                True,
            )
        elif key not in entry.accepted:
            ctx.report(
                "AP408",
                f"template `{job.template}` ({entry.flex_name}) has no parameter `{key}`"
                f"{did_you_mean(key, entry.optional())}, and a Flex launch refuses parameters a template does not "
                f"define; its optional parameters are {one_of(entry.optional())}",
                where,
                True,
            )
        elif key == DEADLETTER_PARAMETER:
            _check_deadletter_table(ctx, name, job, value, where)


def _check_deadletter_table(ctx: CheckContext, name: str, job: Dataflow, value: str, where) -> None:
    """The dead-letter table is in the output table's dataset, the only one the job's account may write."""
    table = BIGQUERY_TABLE.fullmatch(value)
    output = BIGQUERY_TABLE.fullmatch(job.output or "")
    if output is None:
        return
    if table is None or (table["project"], table["dataset"]) != (output["project"], output["dataset"]):
        ctx.report(
            "AP408",
            f"`{DEADLETTER_PARAMETER}` must be a table PROJECT_ID:DATASET.TABLE in the output's dataset "
            f"`{output['project']}:{output['dataset']}`, the only dataset job `{name}` is granted to write; "
            f"got {value!r}",
            where,
            True,
        )


def _check_input_subscription(ctx: CheckContext, name: str, subscription_name: str) -> None:
    """The subscription a job reads sets no dead letter, retry policy or exactly-once delivery."""
    subscription = ctx.checkable().get(subscription_name)
    if subscription is None:
        return
    for field_name, what in UNSUPPORTED_ON_INPUT.items():
        if getattr(subscription, field_name, None):
            ctx.report(
                "AP408",
                f"`{subscription_name}` is read by Dataflow job `{name}`, and Dataflow does not support {what} "
                f"on the subscription it reads; remove `{field_name}`",
                ctx.at(subscription_name, field_name),
                True,
            )
