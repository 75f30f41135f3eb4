"""docs/aws.md stays the AWS reference: it names every AWS resource type aipipe's programs create (the reviewed
plan expectations hold them all) and no type they do not, says for every pipeline check whether it applies on
AWS, and links only to pages and anchors that exist, inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from aipipe.policies.registry import POLICY_CODES

from conftest import DATA, ROOT

PAGE = ROOT / "docs" / "aws.md"
# an AWS Pulumi type token as the plan prints it: aws:<module>/<resource>:<Resource>
AWS_TOKEN = re.compile(r"aws:[a-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _planned_aws_types() -> set[str]:
    """Every AWS resource type some spec of the test corpus plans to (components and providers are not AWS
    resources: `aipipe:index:*`, `pulumi:providers:*`)."""
    expectations = yaml.safe_load((DATA / "plan_expectations.yaml").read_text(encoding="utf-8"))
    return {token for types in expectations.values() for token in types if AWS_TOKEN.fullmatch(token)}


def test_every_planned_aws_resource_type_is_documented():
    planned = _planned_aws_types()
    assert len(planned) > 20  # the corpus covers every AWS template
    missing = sorted(token for token in planned if f"`{token}`" not in _page())
    assert not missing, f"docs/aws.md does not say what these resource types are: {missing}"


def test_documented_aws_resource_types_are_ones_aipipe_creates():
    named = set(AWS_TOKEN.findall(_page()))
    stale = sorted(named - _planned_aws_types())
    assert not stale, f"docs/aws.md names resource types no spec plans to (renamed or removed?): {stale}"


def test_every_pipeline_check_is_placed_on_aws():
    section = _page().partition("## Pipeline checks on AWS")[2]
    assert section, "docs/aws.md has no 'Pipeline checks on AWS' section"
    missing = sorted(code for code in POLICY_CODES if code not in section)
    assert not missing, f"docs/aws.md does not say whether these checks apply on AWS: {missing}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


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
            assert anchor in anchors, f"docs/aws.md links to #{anchor}, which is no heading of the page"
            continue
        resolved = (PAGE.parent / path).resolve()
        assert resolved.is_relative_to(ROOT), f"docs/aws.md links outside the repository: {target}"
        assert Path(resolved).exists(), f"docs/aws.md links to {target}, which does not exist"
