"""Running a workflow in moto's Step Functions interpreter (moto/stepfunctions/parser), on the very definition
the renderer produces, its Lambda tasks dispatched to aipipe's invoker.

moto runs no function code without Docker, so the Lambda service of the workflow's region is moto's simple
Lambda backend (config `lambda: {use_docker: false}`) with its `invoke` answered by the invoker: an `Outcome`
that raised becomes what Lambda answers for a handler's exception, an `Unhandled` function error whose
`errorType` is the exception's class name (docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html), which
the interpreter turns into the task's error. Retry intervals are recorded, not slept (moto's retrier calls
`time.sleep`); Wait states do wait.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from aipipe.local.aws.names import ACCOUNT
from aipipe.local.contract import Invoker, Outcome, WorkflowRun

# moto's switches (moto.core.config.default_user_config): execute state machines, and a Lambda without Docker
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
POLL_SECONDS = 0.02
_INTERPRETER_LOG = logging.getLogger("moto.stepfunctions.parser")  # its components log failures the trace shows


@dataclass
class LambdaDispatch:
    """Answers moto's Lambda invocations with the current invoker; records retry waits instead of sleeping."""

    functions: dict[str, str]  # local function name -> spec resource
    invoker: Invoker | None = None
    waits: list[float] = field(default_factory=list)  # each retry interval, in seconds, in the order waited
    lock: threading.Lock = field(default_factory=threading.Lock)
    _saved: dict[str, Any] = field(default_factory=dict)

    def install(self, regions: set[str]) -> None:
        """Set moto's config, answer invocations in these regions, and record retry waits (undone by `remove`)."""
        from moto.awslambda_simple.models import lambda_simple_backends
        from moto.core.config import default_user_config
        from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

        self._saved = {key: default_user_config.get(key) for key in MOTO_CONFIG}
        default_user_config.update(json.loads(json.dumps(MOTO_CONFIG)))
        for region in regions:  # this instance only: the class and other accounts stay as they are
            lambda_simple_backends[ACCOUNT][region].invoke = self.invoke
        self._saved["retrier_time"] = retrier_decl.time  # pyright: ignore[reportPrivateImportUsage]
        retrier_decl.time = SimpleNamespace(sleep=self.record_wait)  # pyright: ignore[reportPrivateImportUsage]
        # the interpreter logs every failing state as an error, with its whole parse tree; a failing step is
        # an expected outcome here (reported in the WorkflowRun), not aipipe's error
        self._saved["log_level"] = _INTERPRETER_LOG.level
        _INTERPRETER_LOG.setLevel(logging.CRITICAL)

    def remove(self) -> None:
        """Undo `install`."""
        from moto.core.config import default_user_config
        from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

        if not self._saved:
            return
        retrier_decl.time = self._saved.pop("retrier_time")  # pyright: ignore[reportPrivateImportUsage]
        _INTERPRETER_LOG.setLevel(self._saved.pop("log_level"))
        for key, value in self._saved.items():
            if value is None:
                default_user_config.pop(key, None)  # type: ignore[misc]
            else:
                default_user_config[key] = value  # type: ignore[literal-required]
        self._saved = {}

    def record_wait(self, seconds: float) -> None:
        """A retrier's interval, recorded rather than slept."""
        with self.lock:
            self.waits.append(float(seconds))

    def invoke(self, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: dict) -> bytes:
        """moto's LambdaBackend.invoke: the function's answer as the bytes of its JSON payload."""
        local = function_name.rsplit(":", 1)[-1]  # a name or an ARN ending in the name
        resource = self.functions.get(local)
        if resource is None or self.invoker is None:
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {"errorType": "ResourceNotFoundException", "errorMessage": f"no local function {local}"}
            return json.dumps(error).encode()
        event = json.loads(body) if body else {}
        outcome: Outcome = self.invoker(resource, event)
        if not outcome.ok:
            response_headers["x-amz-function-error"] = "Unhandled"
            error: dict[str, Any] = {"errorType": outcome.error_type or "Exception"}
            error["errorMessage"] = outcome.error_message or ""
            if outcome.traceback:
                error["stackTrace"] = outcome.traceback.splitlines()
            return json.dumps(error).encode()
        return json.dumps(outcome.value).encode()


def run_execution(sfn: Any, machine_arn: str, execution_input: Any) -> WorkflowRun:
    """Start an execution, wait for its end, and read how it went from its history."""
    started = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(execution_input))
    arn = started["executionArn"]
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(POLL_SECONDS)
    events = [event for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
              for event in page["events"]]  # fmt: skip
    output = described.get("output")
    return WorkflowRun(
        status=described["status"],
        output=json.loads(output) if output is not None else None,
        error=described.get("error") or _failure(events, "error"),
        cause=described.get("cause") or _failure(events, "cause"),
        steps=steps_of(events),
    )


def _failure(events: list[dict], key: str) -> str | None:
    for event in reversed(events):
        details = event.get("executionFailedEventDetails")
        if details:
            return details.get(key)
    return None


# history event type -> what it says of the state being run
_TASK_OUTCOMES = {
    "LambdaFunctionSucceeded": "succeeded",
    "LambdaFunctionFailed": "failed",
    "LambdaFunctionTimedOut": "timed out",
    "TaskSucceeded": "succeeded",
    "TaskFailed": "failed",
    "TaskTimedOut": "timed out",
}


def steps_of(events: list[dict]) -> tuple[tuple[str, str], ...]:
    """The states an execution went through, in order: `entered`, then each attempt of a task `failed` (and
    `retried` when it ran again) or `succeeded`, and `exited`. The history's `previousEventId` chain ties a
    task's events to the state that ran it (parallel branches interleave)."""
    by_id = {event["id"]: event for event in events}
    steps: list[tuple[str, str]] = []
    failed_states: set[str] = set()

    def state_of(event: dict) -> str | None:
        current: dict | None = event
        for _ in range(len(events)):  # a chain is never longer than the history
            if current is None:
                return None
            if "stateEnteredEventDetails" in current:
                return current["stateEnteredEventDetails"]["name"]
            current = by_id.get(current.get("previousEventId"))
        return None

    for event in events:
        kind = event["type"]
        if "stateEnteredEventDetails" in event:
            steps.append((event["stateEnteredEventDetails"]["name"], "entered"))
        elif "stateExitedEventDetails" in event:
            steps.append((event["stateExitedEventDetails"]["name"], "exited"))
        elif kind in ("LambdaFunctionScheduled", "TaskScheduled"):
            state = state_of(event)
            if state in failed_states:
                steps.append((state, "retried"))
                failed_states.discard(state)
        elif kind in _TASK_OUTCOMES:
            state = state_of(event)
            if state is not None:
                steps.append((state, _TASK_OUTCOMES[kind]))
                if _TASK_OUTCOMES[kind] != "succeeded":
                    failed_states.add(state)
    return tuple(steps)
