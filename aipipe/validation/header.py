"""Rules for the top level (region, project, secrets, tags) and for the fields every resource has (cloud-only
fields, region, tags, depends_on). Each rule reports at the field that has to change."""

from __future__ import annotations

import re

from aipipe.clouds.gcp import PROJECT_ID
from aipipe.clouds.registry import CLOUDS
from aipipe.core.diagnostics import CODES
from aipipe.core.locations import DataPath
from aipipe.core.suggest import did_you_mean
from aipipe.kinds.registry import KINDS
from aipipe.policies.registry import POLICY_CODES
from aipipe.semantics.backends import URL_PATTERN, backend_problem
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase, field_clouds
from aipipe.spec.permissions import check_permissions


def check_header(ctx: CheckContext) -> None:
    """Region, project and backend formats, duplicate secrets, and the top-level tags."""
    data = ctx.data
    region = data.get("region")
    if isinstance(region, str) and ctx.cloud:
        _check_region(ctx, region, ("region",))
    project = data.get("project")
    if ctx.cloud == "aws" and project is not None:
        ctx.report("AP205", "`project` is a gcp setting; aws uses the account of your credentials", ("project",), True)
    elif isinstance(project, str) and not PROJECT_ID.fullmatch(project):
        ctx.report(
            "AP202",
            f"`project` must be a GCP project id (6-30 lowercase letters, digits and `-`), got {project!r}",
            ("project",),
        )
    backend = data.get("backend")
    # a reference is reported as one (AP309), a URL of another shape by the schema (AP202)
    if isinstance(backend, str) and "${" not in backend and re.match(URL_PATTERN, backend):
        problem = backend_problem(backend)
        if problem:
            ctx.report("AP202", f"`backend`: {problem}", ("backend",))
    seen: set[str] = set()
    for position, secret in ctx.declared_secrets():
        if secret in seen:
            ctx.report("AP403", f"secret `{secret}` is declared twice", ("secrets", position))
        seen.add(secret)
    if isinstance(data.get("tags"), dict):
        _check_tags(ctx, data["tags"], ("tags",))


def _check_region(ctx: CheckContext, region: str, path: DataPath) -> None:
    cloud = CLOUDS[ctx.cloud]
    if not cloud.region_pattern.fullmatch(region):
        ctx.report(
            "AP202",
            f"`{path[-1]}` must be an {cloud.title} region such as `{cloud.region_example}`, got {region!r}",
            path,
        )


def _check_tags(ctx: CheckContext, tags: dict, path: DataPath, inherited: int = 0) -> None:
    """Each key and value by the cloud's rules; none in aipipe's own namespace; and room for aipipe's own
    tags: every resource gets them besides the user's, so the user's limit is the cloud's minus those."""
    if ctx.cloud is None:
        return
    rules = CLOUDS[ctx.cloud].tags
    for key, value in tags.items():
        problem = rules.key_problem(key)
        if not problem and key.startswith(rules.managed_prefix):
            problem = (
                f"{rules.word} keys starting with `{rules.managed_prefix}` are aipipe's own (it adds "
                f"{', '.join(f'`{k}`' for k in rules.managed('p', 's', 'r'))}); choose another key"
            )
        if problem:
            ctx.report("AP404", problem, path + (key,), True)
        problem = rules.value_problem(value) if isinstance(value, str) else None
        if problem:
            ctx.report("AP404", problem, path + (key,))
    if len(tags) + inherited > rules.user_limit:
        word = rules.word.split()[-1] + "s"
        ctx.report(
            "AP404",
            f"{ctx.cloud.upper()} allows at most {rules.max_per_resource} {word} on a resource and "
            f"aipipe adds {rules.managed_count} of its own, so a resource takes at most {rules.user_limit} of "
            f"yours; this one would have {len(tags) + inherited}",
            path,
            True,
        )


def check_common(ctx: CheckContext, name: str, resource: ResourceBase) -> None:
    """Fields every resource has: cloud-only fields, region, tags, depends_on."""
    for field_name in sorted(resource.model_fields_set):
        clouds = field_clouds(type(resource), field_name)
        if clouds and ctx.cloud not in clouds:
            ctx.report(
                "AP205",
                f"`{field_name}` is only available on {', '.join(clouds)}; remove it for {ctx.cloud}",
                ctx.at(name, field_name),
                True,
            )
    for position, code in enumerate(resource.ignore):
        if code not in CODES and code not in POLICY_CODES:
            known = sorted({*CODES, *POLICY_CODES} - {"AP999"})
            ctx.report(
                "AP202",
                f"`{code}` is no aipipe code{did_you_mean(code, known)}; the pipeline checks are "
                f"{', '.join(sorted(POLICY_CODES))}",
                ctx.at(name, "ignore", position),
            )
    if getattr(resource, "permissions", None):
        grantable = tuple(kind for kind, found in KINDS.items() if ctx.cloud and found.grantable(ctx.cloud))
        check_permissions(ctx, name, resource.permissions, grantable)
    if resource.region and ctx.cloud == "aws":
        _check_region(ctx, resource.region, ctx.at(name, "region"))
    if resource.tags:
        top_level = ctx.data.get("tags") if isinstance(ctx.data.get("tags"), dict) else {}
        inherited = len(set(top_level) - set(resource.tags))
        _check_tags(ctx, resource.tags, ctx.at(name, "tags"), inherited)
    for position, target in enumerate(resource.depends_on):
        if target == name:
            ctx.report("AP304", f"`{name}` depends on itself; remove this entry", ctx.at(name, "depends_on", position))
