"""Checks on how resources point at each other: named fields, `${...}` references, secrets, and cycles."""

from __future__ import annotations

from aipipe.core.diagnostics import Severity
from aipipe.core.locations import DataPath
from aipipe.spec.context import CheckContext
from aipipe.spec.links import links_of
from aipipe.spec.references import parse_references, strings_in
from aipipe.spec.registry import attributes_of
from aipipe.core.suggest import did_you_mean, one_of

# Where a secret may appear: places Pulumi keeps as secret outputs, never as plain configuration.
_SECRET_FIELDS = {"environment", "parameters"}


def check_links(ctx: CheckContext, edges: dict[str, set[str]]) -> None:
    """Every field that names a resource names one that exists and has an accepted type."""
    for name, resource in ctx.checkable().items():
        for link in links_of(name, resource):
            if link.role == "depends_on" and link.target == name:
                continue  # reported by check_common at the entry itself
            path = ctx.at(name, *link.path)
            if link.target not in ctx.types:
                if link.target in ctx.raw_resources():
                    continue  # exists but its type is invalid: already reported
                ctx.report("AP306", f"`{link.target}` is not a resource of this spec"
                           f"{did_you_mean(link.target, ctx.types)}", path)
                continue
            actual = ctx.types[link.target]
            if link.allowed and actual not in link.allowed:
                ctx.report("AP305", f"`{link.role}` must name a {one_of(link.allowed)}, "
                           f"but `{link.target}` is a {actual}", path)
                continue
            edges[name].add(link.target)


def check_references(ctx: CheckContext, edges: dict[str, set[str]]) -> None:
    """Every `${...}` is well-formed, points at something that exists, and stands where it may."""
    used_secrets: set[str] = set()
    for root in ("description", "tags", "backend", "resources", "outputs"):
        for path, text, is_key in strings_in(ctx.data.get(root), (root,)):
            for reference in parse_references(text):
                if is_key:
                    ctx.report("AP309", f"`{reference.text}` is in a key; keys are taken literally, references "
                               "work only in values", path, at_key=True)
                elif root == "backend":
                    ctx.report("AP309", f"`{reference.text}`: the backend URL is read before anything exists; "
                               "write it literally", path)
                else:
                    _check_reference(ctx, reference, path, edges, used_secrets)
    for position, secret in ctx.declared_secrets():
        if secret not in used_secrets:
            ctx.report("AP307", f"secret `{secret}` is declared but never used; remove it or reference it as "
                       f"`${{secret.{secret}}}`", ("secrets", position), severity=Severity.WARNING)


def _check_reference(ctx: CheckContext, reference, path: DataPath, edges, used_secrets: set[str]) -> None:
    owner = path[1] if path[0] == "resources" and len(path) > 1 else None
    if reference.kind == "invalid":
        ctx.report("AP303", reference.problem, path)
    elif reference.kind == "secret":
        if reference.target not in ctx.secrets:
            ctx.report("AP302", f"`{reference.text}` uses a secret that is not declared; add "
                       f"`{reference.target}` to `secrets`{did_you_mean(reference.target, ctx.secrets)}", path)
            return
        used_secrets.add(reference.target)
        if not (path[0] == "outputs" or (owner is not None and len(path) > 2 and path[2] in _SECRET_FIELDS)):
            field = path[2] if owner is not None and len(path) > 2 else path[0]
            ctx.report("AP308", f"`{reference.text}` would be stored in plain text in `{field}`; secrets may "
                       "only be used in `environment`, Dataflow `parameters` and `outputs`", path)
    elif reference.kind == "resource":
        if path[0] not in ("resources", "outputs"):
            ctx.report("AP309", f"`{reference.text}`: top-level `{path[0]}` apply to every resource and cannot "
                       "read a resource's attributes; use `${stack}` or `${project}` there", path)
            return
        target = reference.target
        if target not in ctx.types:
            if target not in ctx.raw_resources():
                ctx.report("AP300", f"`{reference.text}` refers to `{target}`, which is not a resource"
                           f"{did_you_mean(target, ctx.types)}", path)
            return
        attributes = attributes_of(ctx.types[target], ctx.cloud) if ctx.cloud else ()
        if attributes and reference.attribute not in attributes:  # none: the type is not on this cloud (AP204)
            ctx.report("AP301", f"`{reference.text}`: a {ctx.types[target]} on {ctx.cloud} has no attribute "
                       f"`{reference.attribute}`{did_you_mean(reference.attribute, attributes)}; it has "
                       f"{one_of(attributes)}", path)
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
        ctx.report("AP304", "dependency cycle: " + " → ".join(ordered) +
                   "; break it by removing one of these references or `depends_on` entries",
                   ctx.at(first), at_key=True)


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a list of names in order) per strongly connected component that has one.

    Tarjan's algorithm, iterative so that a long chain of dependencies cannot exhaust the stack."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(edges):
        if root in order:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, following = work[-1]
            nxt = next(following, None)
            if nxt is not None:
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], order[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    cycles.append(_cycle_within(set(component), edges))
    return cycles


def _cycle_within(members: set[str], edges: dict[str, set[str]]) -> list[str]:
    start = min(members)
    path, seen = [start], {start}
    node = start
    while True:
        following = sorted(n for n in edges.get(node, ()) if n in members)
        if start in following:
            return path
        nxt = next((n for n in following if n not in seen), following[0])
        if nxt in seen:
            return path[path.index(nxt):]
        path.append(nxt)
        seen.add(nxt)
        node = nxt
