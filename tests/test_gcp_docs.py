"""docs/gcp.md stays the GCP reference: it names every GCP resource type aipipe's programs create (the reviewed
plan expectations of the GCP specs hold them all, the pulumiverse-time Sleep included) and no type they do not,
says for every pipeline check whether it applies on GCP, and links only to pages and anchors that exist, inside
the repository."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from test_aws_docs import LINK, _slug

from aipipe.policies.registry import POLICY_CODES

from conftest import DATA, ROOT

PAGE = ROOT / "docs" / "gcp.md"
# a type token of a GCP program as the plan prints it: gcp:<module>/<resource>:<Resource>, and time:index/sleep:Sleep
GCP_TOKEN = re.compile(r"(?:gcp|time):[a-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+")


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _planned_gcp_types() -> set[str]:
    """Every GCP program resource type some GCP spec of the test corpus plans to (components and providers are
    not cloud resources: `aipipe:index:*`, `pulumi:providers:*`). A spec is a GCP spec when it plans `gcp:`
    resources; only those count, so a Sleep an AWS program might create one day is not claimed for GCP."""
    expectations = yaml.safe_load((DATA / "plan_expectations.yaml").read_text(encoding="utf-8"))
    return {
        token
        for types in expectations.values()
        if any(token.startswith("gcp:") for token in types)
        for token in types
        if GCP_TOKEN.fullmatch(token)
    }


def test_every_planned_gcp_resource_type_is_documented():
    planned = _planned_gcp_types()
    assert "time:index/sleep:Sleep" in planned and len(planned) > 20  # the corpus covers every GCP template
    missing = sorted(token for token in planned if f"`{token}`" not in _page())
    assert not missing, f"docs/gcp.md does not say what these resource types are: {missing}"


def test_documented_gcp_resource_types_are_ones_aipipe_creates():
    named = set(GCP_TOKEN.findall(_page()))
    stale = sorted(named - _planned_gcp_types())
    assert not stale, f"docs/gcp.md names resource types no spec plans to (renamed or removed?): {stale}"


def test_every_pipeline_check_is_placed_on_gcp():
    section = _page().partition("## Pipeline checks on GCP")[2]
    assert section, "docs/gcp.md has no 'Pipeline checks on GCP' section"
    missing = sorted(code for code in POLICY_CODES if code not in section)
    assert not missing, f"docs/gcp.md does not say whether these checks apply on GCP: {missing}"


def test_links_stay_inside_the_repository_and_resolve():
    page = _page()
    anchors = {_slug(line.lstrip("#")) for line in page.splitlines() if line.startswith("#")}
    links = LINK.findall(page)
    assert links
    for target in links:
        if target.startswith("https://"):
            continue
        path, _, anchor = target.partition("#")
        if not path:
            assert anchor in anchors, f"docs/gcp.md links to #{anchor}, which is no heading of the page"
            continue
        resolved = (PAGE.parent / path).resolve()
        assert resolved.is_relative_to(ROOT), f"docs/gcp.md links outside the repository: {target}"
        assert Path(resolved).exists(), f"docs/gcp.md links to {target}, which does not exist"
