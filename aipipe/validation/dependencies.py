"""Checks on how resources point at each other: named fields, `${...}` references, secrets, and cycles."""

from __future__ import annotations

from aipipe.core.cycles import find_cycles
from aipipe.core.diagnostics import Severity
from aipipe.core.locations import DataPath
from aipipe.core.suggest import did_you_mean, one_of
from aipipe.kinds.registry import KINDS, accessible, attribute_problem, attributes_of, is_accessible, links_of
from aipipe.semantics.secrets import SECRET_FIELDS
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.references import CONTEXT_FACTS, parse_references, strings_in

ACCESS_ROLES = ("reads", "writes", "deletes")


def check_links(ctx: CheckContext, edges: dict[str, set[str]]) -> None:
    """Every field that names a resource names one that exists and has an accepted type."""
    for name, resource in ctx.checkable().items():
        for link in links_of(resource):
            if link.role == "depends_on" and link.target == name:
                continue  # reported by check_common at the entry itself
            path = ctx.at(name, *link.path)
            if link.target not in ctx.types:
                if link.target in ctx.raw_resources():
                    continue  # exists but its type is invalid: already reported
                ctx.report(
                    "AP306",
                    f"`{link.target}` is not a resource of this spec"
                    f"{ctx.not_here(link.target) or did_you_mean(link.target, ctx.types)}",
                    path,
                )
                continue
            actual = ctx.types[link.target]
            expected = _expected_types(link, actual)
            if expected:
                ctx.report(
                    "AP305", f"`{link.role}` must name a {one_of(expected)}, but `{link.target}` is a {actual}", path
                )
                continue
            if (
                link.role in ACCESS_ROLES
                and ctx.cloud in KINDS[actual].clouds
                and KINDS[actual].access(ctx.cloud, link.role) is None
            ):
                ctx.report(
                    "AP305",
                    f"a {actual} cannot be named under `{link.role}` on {ctx.cloud}: aipipe knows no "
                    f"least-privilege access for it there",
                    path,
                )
                continue
            if ctx.cloud in link.reversed_on:
                edges[link.target].add(name)
            else:
                edges[name].add(link.target)


def check_references(ctx: CheckContext, edges: dict[str, set[str]]) -> None:
    """Every `${...}` is well-formed, points at something that exists, and stands where it may."""
    used_secrets: set[str] = set()
    for root in ("description", "tags", "backend", "resources", "outputs"):
        for path, text, is_key in strings_in(ctx.data.get(root), (root,)):
            for reference in parse_references(text):
                if is_key:
                    ctx.report(
                        "AP309",
                        f"`{reference.text}` is in a key; keys are taken literally, references work only in values",
                        path,
                        at_key=True,
                    )
                elif root == "backend":
                    ctx.report(
                        "AP309",
                        f"`{reference.text}`: the backend URL is read before anything exists; write it literally",
                        path,
                    )
                else:
                    _check_reference(ctx, reference, path, edges, used_secrets)
    for position, secret in ctx.declared_secrets():
        if secret not in used_secrets:
            ctx.report(
                "AP307",
                f"secret `{secret}` is declared but never used; remove it or reference it as `${{secret.{secret}}}`",
                ("secrets", position),
                severity=Severity.WARNING,
            )


def _check_reference(ctx: CheckContext, reference, path: DataPath, edges, used_secrets: set[str]) -> None:
    owner = path[1] if path[0] == "resources" and len(path) > 1 else None
    if reference.form == "invalid":
        ctx.report("AP303", reference.problem, path)
    elif reference.form == "secret":
        if reference.target not in ctx.secrets:
            ctx.report(
                "AP302",
                f"`{reference.text}` uses a secret that is not declared; add "
                f"`{reference.target}` to `secrets`{did_you_mean(reference.target, ctx.secrets)}",
                path,
            )
            return
        used_secrets.add(reference.target)
        if reference.attribute == "arn":
            if ctx.cloud not in (None, "aws"):
                ctx.report(
                    "AP309",
                    f"`{reference.text}` is the ARN of the secret's copy in AWS Secrets Manager, which exists on aws "
                    f"only; on {ctx.cloud} use `${{secret.{reference.target}}}`",
                    path,
                )
            return  # an ARN is no secret: it may stand anywhere a resource's attribute may
        if not (path[0] == "outputs" or (owner is not None and len(path) > 2 and path[2] in SECRET_FIELDS)):
            field = path[2] if owner is not None and len(path) > 2 else path[0]
            ctx.report(
                "AP308",
                f"`{reference.text}` would be stored in plain text in `{field}`; secrets may "
                "only be used in `environment`, Dataflow `parameters` and `outputs`",
                path,
            )
    elif reference.form == "context":
        cloud = CONTEXT_FACTS[reference.target][1]
        if cloud and ctx.cloud and ctx.cloud != cloud:
            others = [f"`${{{name}}}`" for name, (_, only) in CONTEXT_FACTS.items() if only in (None, ctx.cloud)]
            ctx.report(
                "AP309",
                f"`{reference.text}` exists on {cloud} deployments only; on {ctx.cloud} there is {', '.join(others)}",
                path,
            )
    elif reference.form == "resource":
        if path[0] not in ("resources", "outputs"):
            ctx.report(
                "AP309",
                f"`{reference.text}`: top-level `{path[0]}` apply to every resource and cannot "
                "read a resource's attributes; use `${stack}` or `${project}` there",
                path,
            )
            return
        target = reference.target
        if target not in ctx.types:
            if target not in ctx.raw_resources():
                ctx.report(
                    "AP300",
                    f"`{reference.text}` refers to `{target}`, which is not a resource"
                    f"{ctx.not_here(target) or did_you_mean(target, ctx.types)}",
                    path,
                )
            return
        raw = ctx.raw_resources().get(target)
        attributes = attributes_of(ctx.types[target], ctx.cloud, raw) if ctx.cloud else ()
        # none: the type is not on this cloud (AP204), or this resource's attributes are unknown (AP420)
        if attributes and reference.attribute not in attributes:
            ctx.report(
                "AP301",
                f"`{reference.text}`: a {ctx.types[target]} on {ctx.cloud} has no attribute "
                f"`{reference.attribute}`{did_you_mean(reference.attribute, attributes)}; it has "
                f"{one_of(attributes)}",
                path,
            )
        elif attributes:
            problem = attribute_problem(ctx.types[target], ctx.cloud, raw, reference.attribute)
            if problem:
                ctx.report("AP301", f"`{reference.text}`: `{target}` {problem}", path)
        if owner is not None:
            edges[owner].add(target)


def check_cycles(ctx: CheckContext, edges: dict[str, set[str]]) -> None:
    """Report each dependency cycle once, at the first resource of the cycle in the file."""
    for cycle in find_cycles(edges):
        first = min(cycle, key=lambda n: (ctx.index.locate(ctx.at(n), at_key=True).line, n))
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start] + [first]
        if len(ordered) > 12:
            ordered = ordered[:5] + [f"… ({len(cycle) - 7} more) …"] + ordered[-3:]
        ctx.report(
            "AP304",
            "dependency cycle: "
            + " → ".join(ordered)
            + "; break it by removing one of these references or `depends_on` entries",
            ctx.at(first),
            at_key=True,
        )


def _expected_types(link: Link, actual: str) -> tuple[str, ...]:
    """The types `link` may name when `actual` is not one of them, else (). Every kind is imported (to list the
    accessible ones) only when the type named is wrong: validating a spec loads only the kinds it uses."""
    if link.role in ACCESS_ROLES:
        return () if is_accessible(actual, link.role) else accessible(link.role)
    return () if not link.allowed or actual in link.allowed else tuple(link.allowed)
