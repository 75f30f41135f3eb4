"""The clouds aipipe deploys to, by the name a spec's `cloud:` uses."""

from __future__ import annotations

from collections.abc import Mapping

from aipipe.clouds.aws import AWS
from aipipe.clouds.base import Cloud
from aipipe.clouds.gcp import GCP

CLOUDS: dict[str, Cloud] = {cloud.name: cloud for cloud in (AWS, GCP)}


def holds_data(token: str, inputs: Mapping | None = None) -> bool:
    """Whether deleting or replacing a cloud resource of this type token (with these inputs, when known) loses
    data. `diff` and the deploy commands both ask here, so they reach the same verdict."""
    cloud = CLOUDS.get(token.partition(":")[0])
    return cloud is not None and cloud.facts(token).loses_data(inputs)


def force_new(token: str) -> frozenset[str]:
    """The inputs of a cloud resource of this type token whose change replaces it."""
    cloud = CLOUDS.get(token.partition(":")[0])
    return cloud.facts(token).force_new if cloud else frozenset()
