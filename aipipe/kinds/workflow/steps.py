"""Walking a workflow's steps: the one place that knows how steps nest (parallel branches, map steps), what
each step's state name is, where it goes next, and where it sits in the spec. Links, checks, the pipeline
checks and the state machine document all walk steps through here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aipipe.core.locations import DataPath
from aipipe.kinds.workflow.model import (
    CatchRule,
    ChoiceStep,
    FailStep,
    MapStep,
    ParallelStep,
    PassStep,
    ServiceStep,
    TaskStep,
    WaitStep,
)
from aipipe.kinds.workflow.services import target_of

DEFAULT_PREFIX = {ParallelStep: "parallel", MapStep: "map", ChoiceStep: "choice", WaitStep: "wait", PassStep: "pass"}


def state_name(step, positions: tuple[int, ...]) -> str:
    """The state name of a step: its `name`, else its function, else its service and target
    (`sns.publish alerts`), else its kind and position path (`parallel-2`, or `choice-2-1-1` for a choice in the
    first branch of a parallel step at position 2)."""
    if isinstance(step, str):
        return step
    if step.name:
        return step.name
    if isinstance(step, TaskStep):
        return step.function
    if isinstance(step, ServiceStep):
        return f"{step.task.service} {target_of(step.task)}"[:80]
    prefix = DEFAULT_PREFIX.get(type(step), "fail")
    return f"{prefix}-" + "-".join(str(p + 1) for p in positions)


def ends(step) -> bool:
    """Whether the workflow succeeds after this step (`end: true`); a bare function name never ends it."""
    return getattr(step, "end", False)


def has_transition(step) -> bool:
    """Whether the state takes Next/End: every kind but choice (rules say where) and fail (it ends)."""
    return not isinstance(step, (ChoiceStep, FailStep))


def flow_targets(steps: list, names: list[str], position: int) -> list[str]:
    """Where a step goes when it succeeds: its `next`, its choice rules and default, else the step written after
    it (none when it is the last, ends or fails)."""
    step = steps[position]
    if isinstance(step, ChoiceStep):
        return [rule.next for rule in step.choice] + ([step.default] if step.default else [])
    if isinstance(step, FailStep):
        return []
    if getattr(step, "next", None):
        return [step.next]
    if ends(step) or position == len(steps) - 1:
        return []
    return [names[position + 1]]


def is_terminal(steps: list, position: int) -> bool:
    """Whether the state is where an execution (or branch) may finish: End, unless it fails there."""
    step = steps[position]
    return has_transition(step) and not getattr(step, "next", None) and (ends(step) or position == len(steps) - 1)


def catch_rules(step) -> list[CatchRule]:
    """A step's catch rules, in order (`catch: NAME` is one rule for every error)."""
    catch = getattr(step, "catch", None)
    if catch is None:
        return []
    return [CatchRule(next=catch)] if isinstance(catch, str) else list(catch)


def catch_targets(step) -> list[str]:
    """The steps a failure of this one may jump to."""
    return [rule.next for rule in catch_rules(step)]


def catch_of(step) -> str | None:
    """The first step a failure jumps to, if the step says (`catch:`)."""
    targets = catch_targets(step)
    return targets[0] if targets else None


def retries_of(step) -> list:
    """A step's retriers, in order (`retry:` may be one or a list)."""
    retry = getattr(step, "retry", None)
    if retry is None:
        return []
    return list(retry) if isinstance(retry, list) else [retry]


def _reach(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [name for name in starts if name in edges]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(target for target in edges[name] if target in edges)
    return seen


def _edges(branch_steps: list, names: list[str]) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for position, name in enumerate(names):
        edges.setdefault(name, flow_targets(branch_steps, names, position))
    return edges


def normal_flow(branch_steps: list, names: list[str]) -> set[str]:
    """The states an execution may enter without any failure: from the first, along `next`, choices and order."""
    return _reach(names[:1], _edges(branch_steps, names))


def failure_only(branch_steps: list, names: list[str]) -> list[bool]:
    """For each step of a branch, whether it runs only after a failure: normal flow cannot reach it and it is a
    `catch` target or normal flow from one reaches it."""
    edges = _edges(branch_steps, names)
    normal = _reach(names[:1], edges)
    failing = _reach([t for step in branch_steps for t in catch_targets(step)], edges) - normal
    return [name in failing for name in names]


def reachable(branch_steps: list, names: list[str]) -> set[str]:
    """Every state an execution may enter: along normal flow and `catch` jumps."""
    edges = _edges(branch_steps, names)
    for position, name in enumerate(names):
        edges[name] = edges[name] + catch_targets(branch_steps[position])
    return _reach(names[:1], edges)


def handled(step) -> bool:
    """Whether the workflow succeeds after this failure handler (`handled: true`); by default it fails."""
    return getattr(step, "handled", False)


def task_of(step) -> TaskStep | None:
    """The function task a step runs (a bare function name is a task with defaults), or None for other steps."""
    if isinstance(step, str):
        return TaskStep(function=step)
    return step if isinstance(step, TaskStep) else None


@dataclass(frozen=True)
class Branch:
    """A list of steps that run in order: the workflow's own, a branch of a parallel step, a map's steps."""

    steps: list
    path: DataPath  # where the list is, relative to the workflow: ("steps",) or (..., "parallel", 1)
    positions: tuple[int, ...]  # of the parallel steps and branches that lead here (for default names)

    @property
    def names(self) -> list[str]:
        """The state name of each step, in order."""
        return [state_name(step, self.positions + (p,)) for p, step in enumerate(self.steps)]

    def step_path(self, position: int) -> DataPath:
        """Where the step at `position` is, relative to the workflow."""
        return self.path + (position,)


def inner_branches(step, branch: Branch, position: int) -> list[Branch]:
    """The lists of steps nested in a step: a parallel step's branches, a map step's steps."""
    if isinstance(step, ParallelStep):
        return [
            Branch(inner, branch.step_path(position) + ("parallel", b), branch.positions + (position, b))
            for b, inner in enumerate(step.parallel)
        ]
    if isinstance(step, MapStep):
        return [Branch(step.map.steps, branch.step_path(position) + ("map", "steps"), branch.positions + (position, 0))]
    return []


def branches(steps: list) -> list[Branch]:
    """Every branch of a workflow, the top-level steps first, then depth-first in the order they are written."""
    found: dict[DataPath, Branch] = {}
    for visit in walk(steps):
        found.setdefault(visit.branch.path, visit.branch)
    return list(found.values())


@dataclass(frozen=True)
class StepVisit:
    """One step with its place: the branch it belongs to and its position there."""

    step: object
    branch: Branch
    position: int

    @property
    def path(self) -> DataPath:
        return self.branch.step_path(self.position)

    @property
    def state(self) -> str:
        return self.branch.names[self.position]

    @property
    def task(self) -> TaskStep | None:
        return task_of(self.step)


def walk(steps: list) -> Iterator[StepVisit]:
    """Every step, depth-first: a parallel or map step, then the steps inside it, then the step after it."""
    yield from _walk(Branch(steps, ("steps",), ()))


def _walk(branch: Branch) -> Iterator[StepVisit]:
    for position, step in enumerate(branch.steps):
        yield StepVisit(step, branch, position)
        for inner in inner_branches(step, branch, position):
            yield from _walk(inner)


def invoked_functions(steps: list) -> list[str]:
    """Every function a workflow's steps invoke, once each, in order."""
    return list(dict.fromkeys(visit.task.function for visit in walk(steps) if visit.task))


def service_calls(steps: list) -> list[StepVisit]:
    """Every service task of a workflow, in order."""
    return [visit for visit in walk(steps) if isinstance(visit.step, ServiceStep)]
