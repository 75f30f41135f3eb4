"""Walking a workflow's steps: the one place that knows how steps nest (parallel branches), what each step's
state name is, and where it sits in the spec. Links, checks, the pipeline checks and the state machine
document all walk steps through here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aipipe.core.locations import DataPath
from aipipe.kinds.workflow.model import ParallelStep, TaskStep


def state_name(step, positions: tuple[int, ...]) -> str:
    """The state name of a step: its `name`, else its function, else `parallel-` and its position path
    (`parallel-2`, or `parallel-2-1-1` for a parallel step nested in the first branch of another)."""
    if isinstance(step, str):
        return step
    if isinstance(step, TaskStep):
        return step.name or step.function
    return step.name or "parallel-" + "-".join(str(p + 1) for p in positions)


def ends(step) -> bool:
    """Whether the workflow succeeds after this step (`end: true`); a bare function name never ends it."""
    return not isinstance(step, str) and step.end


def failure_only(branch_steps: list, names: list[str]) -> list[bool]:
    """For each step of a branch, whether it runs only after a failure: normal flow cannot reach it (the step
    before it ends the workflow, or runs only after a failure itself) and it is a `catch` target or follows one."""
    targets = {catch_of(step) for step in branch_steps}
    normal, failing = [], []
    for position in range(len(branch_steps)):
        before = position - 1
        flows = position == 0 or (normal[before] and not ends(branch_steps[before]))
        follows_failure = position > 0 and failing[before] and not ends(branch_steps[before])
        normal.append(flows)
        failing.append(not flows and (names[position] in targets or follows_failure))
    return failing


def handled(step) -> bool:
    """Whether the workflow succeeds after this failure handler (`handled: true`); by default it fails."""
    return not isinstance(step, str) and step.handled


def catch_of(step) -> str | None:
    """The step a failure jumps to, if the step says (`catch:`)."""
    return None if isinstance(step, str) else step.catch


def task_of(step) -> TaskStep | None:
    """The task a step runs (a bare function name is a task with defaults), or None for a parallel step."""
    if isinstance(step, str):
        return TaskStep(function=step)
    return step if isinstance(step, TaskStep) else None


@dataclass(frozen=True)
class Branch:
    """A list of steps that run in order: the workflow's own, or one branch of a parallel step."""

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
    """Every step, depth-first: a parallel step, then the steps of its branches, then the step after it."""
    yield from _walk(Branch(steps, ("steps",), ()))


def _walk(branch: Branch) -> Iterator[StepVisit]:
    for position, step in enumerate(branch.steps):
        yield StepVisit(step, branch, position)
        if isinstance(step, ParallelStep):
            for branch_position, inner in enumerate(step.parallel):
                yield from _walk(
                    Branch(
                        inner,
                        branch.path + (position, "parallel", branch_position),
                        branch.positions + (position, branch_position),
                    )
                )


def invoked_functions(steps: list) -> list[str]:
    """Every function a workflow's steps invoke, once each, in order."""
    return list(dict.fromkeys(visit.task.function for visit in walk(steps) if visit.task))
