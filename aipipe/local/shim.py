"""The process a function's handler runs in locally: a standalone script (it imports nothing of aipipe) that
LocalHandlers starts with `python -I -S -u shim.py CLOUD PARENT_PID REQUESTS_FD RESPONSES_FD PATH...`, once per
function, and keeps warm like a Lambda execution environment or a Cloud Run instance: the handler's module stays
imported between invocations. It ends, with every process of its group, when the aipipe that started it dies.

Its `sys.path` is exactly the interpreter's standard library plus the PATHs given (the function's code folder, its
dependencies, what the cloud's runtime provides), so neither aipipe nor anything else installed beside it is
importable. Requests arrive one JSON line at a time on REQUESTS_FD; each answer is one JSON line on RESPONSES_FD.
What the handler prints goes to this process's stdout and stderr (a log file LocalHandlers reads).

- aws: the handler `module.function` is called as the Lambda Python runtime does, `handler(event, context)`;
  its return value must be JSON (else `Runtime.MarshalError`), an exception is reported as Lambda reports it
  (errorType = the class name, errorMessage, the stack trace of the user's frames); a module that cannot be
  imported is `Runtime.ImportModuleError`, a missing function `Runtime.HandlerNotFound`
  (docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html, /troubleshooting-invocation.html).
- gcp: the entry point of main.py is served by functions-framework's own app (create_app, as Cloud Functions'
  Python runtime does) and each event is POSTed to it: a CloudEvent in binary content mode (`ce-` headers, the
  data as the JSON body), or Cloud Scheduler's plain HTTP request.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
import uuid

HERE = os.path.abspath(__file__)
FOLDERS = {"code": ""}  # the function's code folder, set by main()


class LambdaContext:
    """The context object of the Lambda Python runtime (docs.aws.amazon.com/lambda/latest/dg/python-context.html)."""

    def __init__(self, request_id: str, deadline: float):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("AIPIPE_LOCAL_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _in_code(filename: str) -> bool:
    return os.path.abspath(filename).startswith(FOLDERS["code"])


def user_traceback(error: BaseException, chain: bool = True) -> str:
    """The traceback of `error` from the first frame of the function's code folder on (what the user's code
    did, as the cloud's logs show it), or without this script's frames when no frame is the user's."""
    tb = error.__traceback__
    first_own = tb
    while first_own is not None and not _in_code(first_own.tb_frame.f_code.co_filename):
        first_own = first_own.tb_next
    if first_own is None:
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == HERE:
            tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, first_own or tb, chain=chain))


def failure(error_type: str, message: str, trace: str | None = None) -> dict:
    return {"ok": False, "error_type": error_type, "error_message": message, "traceback": trace}


def raised(error: BaseException) -> dict:
    return failure(type(error).__name__, str(error), user_traceback(error))


class AwsRunner:
    """Calls `module.function` like the Lambda Python runtime."""

    def __init__(self) -> None:
        self.handler = None
        self.problem: dict | None = None
        name = os.environ["_HANDLER"]
        module_name, _, function_name = name.rpartition(".")
        try:
            import importlib

            module = importlib.import_module(module_name)
        except Exception as error:  # what the cloud reports before any invocation runs
            message = f"Unable to import module '{module_name}': {error}"
            self.problem = failure("Runtime.ImportModuleError", message, user_traceback(error))
            return
        self.handler = getattr(module, function_name, None)
        if self.handler is None:
            message = f"Handler '{function_name}' missing on module '{module_name}'"
            self.problem = failure("Runtime.HandlerNotFound", message)

    def run(self, event, request_id: str, deadline: float) -> dict:
        if self.problem is not None:
            return self.problem
        try:
            value = self.handler(event, LambdaContext(request_id, deadline))
        except Exception as error:  # Lambda's stackTrace is the raised exception's alone, without its chain
            return failure(type(error).__name__, str(error), user_traceback(error, chain=False))
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            return failure("Runtime.MarshalError", f"Unable to marshal response: {error}")
        return {"ok": True, "value": value}


class GcpRunner:
    """Serves the entry point through functions-framework's app and POSTs each event to it."""

    def __init__(self) -> None:
        self.client = None
        self.returned: list = []
        self.problem: dict | None = None
        try:
            import functions_framework
            from functions_framework import _function_registry as registry
        except Exception as error:
            self.problem = failure("FunctionsFrameworkMissing", f"functions-framework cannot be imported: {error}")
            return
        original = registry.get_user_function
        returned = self.returned

        def recording(source, module, target):
            function = original(source, module, target)

            def call(*args, **kwargs):
                value = function(*args, **kwargs)
                returned.append(value)
                return value

            call.__name__ = function.__name__
            return call

        registry.get_user_function = recording
        try:
            app = functions_framework.create_app(
                os.environ["FUNCTION_TARGET"], "main.py", os.environ.get("FUNCTION_SIGNATURE_TYPE", "cloudevent")
            )
        except Exception as error:
            self.problem = failure(type(error).__name__, str(error), user_traceback(error))
            return
        app.config["PROPAGATE_EXCEPTIONS"] = True  # the user's exception reaches this script, traceback and all
        self.client = app.test_client()

    def run(self, event, request_id: str, deadline: float) -> dict:
        if self.problem is not None:
            return self.problem
        self.returned.clear()
        try:
            path, method, headers, body = self._request(event)
        except (AttributeError, KeyError, TypeError) as error:
            return failure("InvalidEvent", f"not a CloudEvent nor an HTTP request: {error!r}")
        try:
            response = self.client.open(path, method=method, headers=headers, data=body)
        except Exception as error:
            return raised(error)
        if response.status_code >= 400:
            return failure("HTTPError", f"{response.status_code}: {response.get_data(as_text=True)[:2000]}")
        value = self.returned[0] if self.returned else response.get_data(as_text=True)
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            value = response.get_data(as_text=True)
        return {"ok": True, "value": value, "status": response.status_code}

    @staticmethod
    def _request(event) -> tuple:
        """(path, method, headers, body) of the POST the event arrives in."""
        if "http" in event:
            request = event["http"]
            headers, body = dict(request.get("headers") or {}), request.get("body") or ""
            path, method = request.get("path", "/"), request.get("method", "POST")
        else:
            attributes = event["attributes"]
            headers = {f"ce-{name}": str(value) for name, value in attributes.items() if name != "datacontenttype"}
            headers["Content-Type"] = attributes.get("datacontenttype", "application/json")
            body, path, method = json.dumps(event["data"]), "/", "POST"
        return path, method, headers, body


def end_with_parent(parent: int) -> None:
    """Kill this process's group (it leads one: LocalHandlers starts it in a session of its own) once `parent`,
    the aipipe that started it, is gone, even killed with SIGKILL. A thread polls getppid() (which changes when
    the parent dies) rather than prctl(PR_SET_PDEATHSIG): that signal follows the parent *thread* ("the 'parent'
    in this case is considered to be the thread that created this process", man 2 prctl), and aipipe starts
    handlers from threads that end (moto's server runs Step Functions' Lambda tasks on a thread per request)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="aipipe-parent-watch", daemon=True).start()


def main() -> None:
    cloud, parent, requests_fd, responses_fd, *paths = sys.argv[1:]
    end_with_parent(int(parent))
    FOLDERS["code"] = os.path.join(os.path.abspath(paths[0]), "")
    here = os.path.dirname(HERE)
    standard = [path for path in sys.path if path and os.path.abspath(path) != here and "site-packages" not in path]
    sys.path[:] = [*paths, *standard]
    requests = os.fdopen(int(requests_fd), "r", encoding="utf-8")
    responses = os.fdopen(int(responses_fd), "w", encoding="utf-8")
    runner = None
    for line in requests:
        request = json.loads(line)
        started = time.perf_counter()
        if runner is None:
            runner = AwsRunner() if cloud == "aws" else GcpRunner()
        request_id = request.get("request_id") or str(uuid.uuid4())
        answer = runner.run(request["event"], request_id, time.time() + request.get("timeout", 60))
        answer["duration_ms"] = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        responses.write(json.dumps(answer) + "\n")
        responses.flush()


if __name__ == "__main__":
    main()
