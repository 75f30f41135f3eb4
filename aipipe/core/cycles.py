"""Cycles in a directed graph of names: the dependency graph of a spec, functions triggering each other."""

from __future__ import annotations


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
            return path[path.index(nxt) :]
        path.append(nxt)
        seen.add(nxt)
        node = nxt
