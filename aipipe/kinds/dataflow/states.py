"""The states a deployed Dataflow job reports (its `state` output), and what `aipipe up` makes of them.

Sources: Dataflow's JobState enum (cloud.google.com/dataflow/docs/reference/rest/v1b3/projects.jobs#jobstate);
terraform-provider-google google/services/dataflow/resource_dataflow_job.go (e03b762): DataflowTerminalStatesMap
and DataflowTerminatingStatesMap, and resourceDataflowJobRead, which drops a job in a terminal state from the
stack (so the next `up` launches it again); a classic Job's create returns right after the launch, without
waiting. terraform-provider-google-beta resource_dataflow_flex_template_job.go (93c65b2): a FlexTemplateJob's
create and update wait for JOB_STATE_RUNNING and fail when the job terminates (waitForDataflowJobState).
"""

from __future__ import annotations

JOB_TYPES = frozenset({"gcp:dataflow/job:Job", "gcp:dataflow/flexTemplateJob:FlexTemplateJob"})
RUNNING = "JOB_STATE_RUNNING"
TERMINAL = frozenset(
    {"JOB_STATE_DONE", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_UPDATED", "JOB_STATE_DRAINED"}
)
TERMINATING = frozenset({"JOB_STATE_CANCELLING", "JOB_STATE_DRAINING"})


def has_stopped(state: str) -> bool:
    """A streaming job in this state will not run again by itself: the deploy failed. Any other state that is
    not RUNNING (PENDING, QUEUED: a classic job just launched) may still reach it."""
    return state in TERMINAL or state in TERMINATING
