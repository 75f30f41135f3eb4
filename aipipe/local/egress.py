"""What keeps a local handler's calls on this machine, besides the endpoints the LocalCloud gives it.

Every HTTP(S) client a handler is likely to use reads the standard proxy variables, so a proxy where nothing
listens (127.0.0.1:9, the discard port) makes a call to anywhere but the local emulators fail at once, locally,
instead of reaching a real cloud with whatever the handler found:
- botocore: `EndpointCreator._get_proxies` -> `botocore.utils.get_environ_proxies(url)`, which is
  `{}` when `should_bypass_proxies(url)` (urllib's proxy_bypass on the URL's host, against no_proxy) and
  `urllib.request.getproxies()` (http_proxy/https_proxy) otherwise (botocore/endpoint.py, botocore/utils.py);
- requests: `Session.merge_environment_settings` -> `requests.utils.get_environ_proxies` /
  `should_bypass_proxies`, which compares an IP host with each no_proxy entry (requests/utils.py); google-cloud-
  storage talks through requests; urllib.request reads the same variables;
- gRPC C core (google-cloud-pubsub): "grpc_proxy, https_proxy, http_proxy ... checked in order" and
  "no_grpc_proxy, no_proxy: a comma separated list of hostnames to connect to without using a proxy"
  (github.com/grpc/grpc doc/environment_variables.md), so PUBSUB_EMULATOR_HOST on 127.0.0.1 stays direct.
Clients that ignore these variables (raw sockets, urllib3's PoolManager used directly) are not stopped: this is
a guard against mistakes, not a sandbox.

AWS_ENDPOINT_URL, which sends boto3 to the local server, is honoured from boto3 1.28.0 (botocore 1.31.0) on
(docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html; github.com/boto/boto3/issues/1375: "With
boto3>=1.28.0, you can refer here for using environment variables"). An older boto3 among a function's
dependencies would call the real endpoints' names: refused before the handler runs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

NOWHERE_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
EMULATOR_VARIABLES = ("AWS_ENDPOINT_URL", "STORAGE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")
OLDEST = {"boto3": (1, 28), "botocore": (1, 31)}  # the first versions that honour AWS_ENDPOINT_URL
_VERSION = re.compile(r"(\d+)\.(\d+)")


def proxy_environment(cloud_environment: Mapping[str, str]) -> dict[str, str]:
    """The proxy variables of a handler: everything through the proxy that refuses, but the local hosts and the
    emulators' hosts (read from the LocalCloud's handler environment, and any no_proxy it already sets)."""
    hosts = list(LOCAL_HOSTS)
    for name in EMULATOR_VARIABLES:
        host = _host(cloud_environment.get(name, ""))
        if host and host not in hosts:
            hosts.append(host)
    for name in ("NO_PROXY", "no_proxy"):
        for host in cloud_environment.get(name, "").split(","):
            if host.strip() and host.strip() not in hosts:
                hosts.append(host.strip())
    bypass = ",".join(hosts)
    proxies = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "grpc_proxy")
    return {**dict.fromkeys(proxies, NOWHERE_PROXY), "NO_PROXY": bypass, "no_proxy": bypass}


def _host(address: str) -> str:
    """The host of `http://host:port` or `host:port` (PUBSUB_EMULATOR_HOST has no scheme)."""
    if not address:
        return ""
    return urlsplit(address if "//" in address else f"//{address}").hostname or ""


def outdated_sdk(dependencies: Path | None) -> str | None:
    """`boto3 1.26.0` when the dependency folder installs a boto3 or botocore too old for AWS_ENDPOINT_URL (its
    version read from the installed `NAME-VERSION.dist-info` folder), else None."""
    if dependencies is None:
        return None
    for name, oldest in OLDEST.items():
        for info in sorted(dependencies.glob(f"{name}-*.dist-info")):
            version = info.name[len(name) + 1 : -len(".dist-info")]
            match = _VERSION.match(version)
            if match and (int(match.group(1)), int(match.group(2))) < oldest:
                return f"{name} {version}"
    return None
