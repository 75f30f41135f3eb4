"""Functions' handlers run locally, each in a warm subprocess of its own (aipipe/local/shim.py), with the
environment the cloud would give it:

1. the spec's `environment`, its references resolved to the local resources (aipipe.local.values): names,
   ARNs and URLs from the LocalCloud, `${secret.NAME}` from the environment of the user running aipipe;
2. the variables the runtime itself sets — Lambda: docs.aws.amazon.com/lambda/latest/dg/
   configuration-envvars.html#configuration-envvars-runtime (_HANDLER, AWS_REGION, AWS_DEFAULT_REGION,
   AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION,
   AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, LAMBDA_TASK_ROOT,
   LAMBDA_RUNTIME_DIR, TZ, LANG); Cloud Functions: cloud.google.com/functions/docs/configuring/env-var
   (FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, K_SERVICE, K_REVISION, PORT) — these win over the spec's, as the
   clouds reserve them;
3. the LocalCloud's handler_environment() (endpoint or emulator host, dummy credentials), which wins over all,
   plus AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE / CLOUDSDK_CONFIG pointing nowhere, so a handler's SDK
   never reads the user's real cloud configuration;
4. proxy variables that send any HTTP(S) or gRPC call but those to the local hosts and emulators to a port where
   nothing listens (aipipe.local.egress), so a mistake fails locally instead of reaching a real cloud.
Nothing else of the user's environment passes but PATH. Handlers are the user's own trusted code running as the
user: this keeps credentials and real endpoints out of their way, it is not a sandbox.

The interpreter is the one running aipipe, isolated (`-I -S`): its standard library, the function's code folder
(the working directory, as /var/task on Lambda and /workspace on Cloud Functions), its dependencies (installed for
this machine by aipipe's packaging build, cached under .aipipe/build/deps/) and the runtime's own packages
(aipipe.local.runtime). A handler that runs longer than the function's `timeout` is stopped, with every process
it started (aipipe.local.worker)."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from aipipe.build.installer import InstallFailure
from aipipe.build.sources import SourceProblem
from aipipe.local.contract import Outcome
from aipipe.local.egress import outdated_sdk, proxy_environment
from aipipe.local.naming import LOCAL_ACCOUNT, local_name
from aipipe.local.runtime import LOCAL_FOLDER, RuntimeMissing, function_dependencies, runtime_tree
from aipipe.local.values import MissingSecret, resolve_text
from aipipe.local.worker import Worker
from aipipe.spec.model import region_of
from aipipe.triggers.registry import trigger_kind

SHIM = Path(__file__).with_name("shim.py")
NOWHERE = "no-cloud-config"  # a path under the build folder that never exists


class HandlerSetupError(Exception):
    """A handler that cannot be started (a secret not set, dependencies that cannot be installed, the runtime's
    packages missing): nothing of the user's code ran."""


class LocalHandlers:
    """Runs the spec's functions' handlers locally: an Invoker (`handlers(function, event) -> Outcome`)."""

    def __init__(self, spec: Any, cloud: Any, build_dir: Path, environ: dict[str, str] | None = None):
        self.spec, self.cloud, self.build_dir = spec, cloud, Path(build_dir)
        self.environ = dict(os.environ if environ is None else environ)
        self._workers: dict[str, Worker] = {}
        self._runtime: Path | None = None

    def __call__(self, function: str, event: Any) -> Outcome:
        return self.invoke(function, event)

    def invoke(self, function: str, event: Any) -> Outcome:
        """Run `function`'s handler once with `event` (the payload its trigger delivers)."""
        resource = self._function(function)
        worker = self._workers.get(function)
        if worker is None or not worker.alive():
            worker = self._workers[function] = self._start(function, resource)
        timeout = float(resource.timeout)
        offset = worker.log_size()
        answer = worker.call({"event": event, "request_id": str(uuid.uuid4()), "timeout": timeout}, timeout)
        logs = worker.logs_since(offset)
        if answer is None:
            outcome = self._lost(worker, timeout, logs)
            worker.stop()
            del self._workers[function]
            return outcome
        return Outcome(
            ok=bool(answer.get("ok")),
            value=answer.get("value"),
            error_type=answer.get("error_type"),
            error_message=answer.get("error_message"),
            traceback=answer.get("traceback"),
            duration_ms=float(answer.get("duration_ms", 0.0)),
            logs=logs,
        )

    def close(self) -> None:
        """Stop every warm handler process."""
        for worker in self._workers.values():
            worker.stop()
        self._workers.clear()

    def environment(self, function: str) -> dict[str, str]:
        """The environment `function`'s handler runs with (see the module's docstring for its layers)."""
        resource = self._function(function)
        variables: dict[str, str] = {"PATH": self.environ.get("PATH", os.defpath)}
        try:
            for name, text in resource.environment.items():
                variables[name] = resolve_text(text, self.spec, self.cloud, self.environ)
        except MissingSecret as missing:
            raise HandlerSetupError(f"`{function}`: {missing}") from None
        variables.update(self._runtime_variables(function, resource))
        nowhere = str(self.build_dir / LOCAL_FOLDER / NOWHERE)
        variables.update(dict.fromkeys(("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "CLOUDSDK_CONFIG"), nowhere))
        cloud_environment = self.cloud.handler_environment()
        variables.update(cloud_environment)
        variables.update(proxy_environment(cloud_environment))
        return variables

    def _runtime_variables(self, function: str, resource: Any) -> dict[str, str]:
        name = local_name(self.spec, function)
        code = str((self.spec.base_dir / resource.code).resolve())
        if self.spec.cloud == "gcp":
            return {
                "FUNCTION_TARGET": resource.handler,
                "FUNCTION_SIGNATURE_TYPE": signature_type(resource),
                "K_SERVICE": name,
                "K_REVISION": f"{name}-00001-loc",
                "K_CONFIGURATION": name,
                "PORT": "8080",
            }
        region = region_of(resource, self.spec.header.region)
        stream = time.strftime("%Y/%m/%d") + "/[$LATEST]" + uuid.uuid4().hex
        return {
            "_HANDLER": resource.handler,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{resource.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(resource.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "LAMBDA_TASK_ROOT": code,
            "LAMBDA_RUNTIME_DIR": str(self._runtime_folder()),
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "AIPIPE_LOCAL_FUNCTION_ARN": f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{name}",
        }

    def _function(self, function: str) -> Any:
        resource = self.spec.resources.get(function)
        if getattr(resource, "type", None) != "function":
            raise ValueError(f"`{function}` is not a function of the spec")
        return resource

    def _runtime_folder(self) -> Path:
        if self._runtime is None:
            try:
                self._runtime = runtime_tree(self.spec.cloud, self.build_dir)
            except RuntimeMissing as missing:
                raise HandlerSetupError(str(missing)) from None
        return self._runtime

    def _start(self, function: str, resource: Any) -> Worker:
        code = (self.spec.base_dir / resource.code).resolve()
        try:
            dependencies = function_dependencies(self.spec, resource, self.build_dir)
        except (InstallFailure, SourceProblem) as problem:
            raise HandlerSetupError(f"`{function}`: its dependencies cannot be installed locally: {problem}") from None
        outdated = outdated_sdk(dependencies) if self.spec.cloud == "aws" else None
        if outdated:
            raise HandlerSetupError(
                f"`{function}`: its dependencies install {outdated}, which ignores AWS_ENDPOINT_URL and would call "
                "the real AWS endpoints: require boto3>=1.28 (botocore>=1.31), or leave boto3 out (the Lambda "
                "runtime provides it)"
            )
        paths = [str(code), *([str(dependencies)] if dependencies else []), str(self._runtime_folder())]
        environment = self.environment(function)
        # -u: what a handler prints is in the log even when it is stopped (-I ignores PYTHONUNBUFFERED)
        command = [sys.executable, "-I", "-S", "-u", str(SHIM), self.spec.cloud, str(os.getpid())]
        return Worker(command, paths, environment, code, f"{self.spec.stack}-{function}")

    def _lost(self, worker: Worker, timeout: float, logs: str) -> Outcome:
        """The handler's process ended (or was stopped) before answering."""
        if worker.alive():  # still running: the timeout
            if self.spec.cloud == "aws":  # Lambda's own report of a timeout: "Task timed out after N seconds"
                return Outcome(
                    False,
                    None,
                    "Sandbox.Timedout",
                    f"Task timed out after {timeout:.2f} seconds",
                    None,
                    timeout * 1000,
                    logs,
                )
            return Outcome(
                False,
                None,
                "TimeoutError",
                f"the function did not finish within {timeout:g}s",
                None,
                timeout * 1000,
                logs,
            )
        code = worker.exit_code()
        # Lambda reports a runtime that exits as Runtime.ExitError ("Runtime exited with error: exit status N")
        message = f"Runtime exited with error: exit status {code}"
        return Outcome(False, None, "Runtime.ExitError", message, None, 0.0, logs)


def signature_type(function: Any) -> str:
    """How Cloud Functions calls the function: `cloudevent` when an event trigger (Eventarc) starts it, `http`
    otherwise (Cloud Scheduler calls a schedule-only function over HTTP)."""
    eventarc = any(trigger_kind(trigger).eventarc for trigger in function.triggers)
    return "cloudevent" if eventarc else "http"
