"""moto's server, in this process, on 127.0.0.1 only, on a port the system picks.

In this process so aipipe can read moto's backends directly (what handlers wrote, published, put), and its
Step Functions interpreter can dispatch Lambda tasks to aipipe's invoker. A hook runs after every request, so
what a request changed is observed in the order requests end. Everything here talks to the emulator with
dummy credentials and its endpoint: nothing can reach, or authenticate to, a real account.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

LOOPBACK = "127.0.0.1"
# Dummy credentials: moto accepts any; they are no account's (docs.getmoto.org "Getting Started", server mode)
DUMMY_KEY_ID = "aipipe-local"
DUMMY_SECRET = "aipipe-local-not-a-secret"


class MotoServer:
    """One moto server thread on 127.0.0.1:<free port>, calling `after_request()` after each request."""

    def __init__(self, after_request: Callable[[], None]):
        self.after_request = after_request
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the system gave the server."""
        assert self._server is not None, "start the server first"
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        """The endpoint URL clients are pointed at."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        app = _Observed(DomainDispatcherApplication(create_backend_app), self.after_request)
        # port 0: the system picks a free port, no race with another process between choosing and binding
        self._server = make_server(LOOPBACK, 0, app, threaded=True, request_handler=_quiet_handler())
        server = self._server  # a short poll interval: stop() returns within a tenth of a second
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.1), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None


class _Observed:
    """A WSGI app calling a hook once each request's response is complete."""

    def __init__(self, app: Any, hook: Callable[[], None]):
        self.app, self.hook = app, hook

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):  # S3 reads change nothing (other APIs POST)
            return self.app(environ, start_response)
        body = b"".join(self.app(environ, start_response))  # the whole response: the backend is done
        self.hook()
        return [body]


def _quiet_handler() -> type:
    """moto's request handler without the access log werkzeug prints per request."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """No access log."""

    return QuietHandler


def client_environment(endpoint: str, region: str) -> dict[str, str]:
    """What points an AWS SDK at the emulator: the endpoint (boto3 >= 1.28 and the other SDKs read
    AWS_ENDPOINT_URL: docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), dummy credentials,
    the region; no credentials or config file is read. The caller drops every inherited AWS_* variable first
    (AWS_PROFILE, AWS_SESSION_TOKEN, ...): see `is_inherited_aws_variable`."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": DUMMY_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def is_inherited_aws_variable(name: str) -> bool:
    """An environment variable a handler's environment must not inherit from aipipe's: any AWS_* (a profile or a
    session token would point the SDK back at a real account) and moto's own settings."""
    return name.startswith(("AWS_", "MOTO_"))


@functools.cache
def emulator_session() -> Any:
    """The boto3 session of aipipe's own clients of the emulator: dummy credentials, and a botocore session that
    reads no profile, config or credentials file of this machine and no AWS_PROFILE (botocore.configprovider's
    session variables: name -> (config key, environment variables, default, converter)), so they depend on
    nothing of the user's AWS setup. One per process: its loader parses botocore's models once."""
    import boto3.session
    import botocore.session

    isolated = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    return boto3.session.Session(
        aws_access_key_id=DUMMY_KEY_ID, aws_secret_access_key=DUMMY_SECRET, botocore_session=isolated
    )
