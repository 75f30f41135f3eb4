"""Load a spec file and check it completely: the one entry point for `validate`, `render`, `plan` and deploys.

Phases: read the YAML (loader) -> apply the stack -> validate the top level and each resource against its
type -> cross-field checks, references and the dependency graph. Every phase runs as far as it can, so a
user sees every problem at once; diagnostics come back sorted and without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from aipipe.core.diagnostics import Diagnostic, Severity, has_errors, sorted_unique
from aipipe.core.loader import LoadedDocument, load_spec_file
from aipipe.core.suggest import did_you_mean
from aipipe.kinds.registry import KINDS, RESOURCE_TYPES, clouds_of
from aipipe.policies.registry import run_policies
from aipipe.spec.context import MAX_DIAGNOSTICS, CheckContext, TooManyProblems
from aipipe.spec.document import DEFAULT_STACK, MAX_STACKS, Spec, SpecHeader
from aipipe.spec.errors import diagnostics_from_validation_error
from aipipe.spec.stacks import apply_stack, declared_stacks, stack_only_resources
from aipipe.triggers.registry import TRIGGERS, trigger_uses
from aipipe.validation.dependencies import check_cycles, check_links, check_references
from aipipe.validation.header import check_common, check_header

UNUSED_SECRET = "AP307"


@dataclass
class ValidationResult:
    """The outcome for one file: the validated Spec (None when there are errors) and every diagnostic."""

    file: str
    spec: Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""  # the spec as read, for showing offending lines

    @property
    def valid(self) -> bool:
        return not has_errors(self.diagnostics)


def load_spec(path: str, stack: str | None = None) -> ValidationResult:
    """Validate a spec file for one stack, or — with stack None — for `dev` and every stack it declares.
    The Spec (of `stack`, or of `dev`) comes back only when no stack has an error. Never raises for bad
    content."""
    document = load_spec_file(path)
    if document.data is None:
        return ValidationResult(document.path, None, sorted_unique(document.diagnostics), document.text)
    if stack is not None:
        spec, found = validate_document(document, stack)
        return _result(document, spec, found)
    spec, found = validate_document(document, DEFAULT_STACK)
    seen = set(found)
    unused_everywhere = {d for d in found if d.code == UNUSED_SECRET}
    for other in declared_stacks(document.data)[:MAX_STACKS]:  # more are reported by the header model
        if other == DEFAULT_STACK:
            continue
        _, more = validate_document(document, other)
        unused_everywhere &= set(more)
        for diagnostic in more:
            if diagnostic not in seen and diagnostic.code != UNUSED_SECRET:
                seen.add(diagnostic)
                found.append(_in_stack(diagnostic, other))
    # a secret used by one stack only is used
    found = [d for d in found if d.code != UNUSED_SECRET or d in unused_everywhere]
    return _result(document, spec, found)


def _result(document: LoadedDocument, spec: Spec | None, found: list[Diagnostic]) -> ValidationResult:
    diagnostics = sorted_unique(document.diagnostics + found)
    return ValidationResult(document.path, None if has_errors(diagnostics) else spec, diagnostics, document.text)


def _in_stack(diagnostic: Diagnostic, stack: str) -> Diagnostic:
    if f"stack `{stack}`" in diagnostic.message:
        return diagnostic
    return Diagnostic(
        diagnostic.code,
        f"{diagnostic.message} [stack `{stack}`]",
        diagnostic.file,
        diagnostic.line,
        diagnostic.column,
        diagnostic.path,
        diagnostic.severity,
    )


def validate_document(document: LoadedDocument, stack: str) -> tuple[Spec | None, list[Diagnostic]]:
    """Validate loaded data as seen by `stack`. Returns the Spec only when there is no error."""
    try:
        return _validate_document(document, stack)
    except Exception as error:
        return None, [
            Diagnostic(
                "AP999",
                f"internal error while checking this spec ({type(error).__name__}: {error}); this is a bug "
                "in aipipe, please report it with the spec",
                document.path,
                1,
                1,
            )
        ]


def _validate_document(document: LoadedDocument, stack: str) -> tuple[Spec | None, list[Diagnostic]]:
    data, index, found = apply_stack(document.data or {}, document.index, stack, document.path)
    absent, problems = stack_only_resources(data, index, stack, document.path)
    found += problems
    cloud = data.get("cloud") if data.get("cloud") in ("aws", "gcp") else None
    ctx = CheckContext(document.path, index, data, cloud, stack, absent=absent)
    ctx.secrets = {name for _, name in ctx.declared_secrets()}
    header = None
    try:
        header = SpecHeader.model_validate(data)
    except ValidationError as error:
        found += diagnostics_from_validation_error(error, SpecHeader, (), index, document.path)
    raw_resources = ctx.raw_resources()
    edges: dict[str, set[str]] = {name: set() for name in raw_resources}
    try:
        _check(ctx, raw_resources, edges)
    except TooManyProblems:
        ctx.diagnostics.append(
            Diagnostic(
                "AP110",
                f"more than {MAX_DIAGNOSTICS} problems; these are the first, fix them and validate again",
                document.path,
                1,
                1,
            )
        )
    found += ctx.diagnostics
    if header is None or has_errors(found) or ctx.partial or len(ctx.resources) != len(raw_resources):
        return None, found
    spec = Spec(
        document.path,
        stack,
        header,
        dict(ctx.resources),
        stack_names=tuple(dict.fromkeys([DEFAULT_STACK, *declared_stacks(document.data or {})])),
        resource_lines={name: index.locate(("resources", name), at_key=True).line for name in ctx.resources},
        dependencies={name: tuple(sorted(targets)) for name, targets in edges.items()},
        locations=index,
    )
    return spec, found


def _check(ctx: CheckContext, raw_resources: dict, edges: dict[str, set[str]]) -> None:
    """Every check after the top level: each resource against its type, then the cross-field rules. Fills
    `edges` with the dependency graph."""
    for name, raw in raw_resources.items():
        _validate_resource(ctx, name, raw)
    check_header(ctx)
    for name, resource in ctx.checkable().items():
        check_common(ctx, name, resource)
        KINDS[resource.type].check(ctx, name, resource)
    _check_trigger_uses(ctx)
    check_links(ctx, edges)
    check_references(ctx, edges)
    check_cycles(ctx, edges)
    run_policies(ctx)
    _drop_ignored_warnings(ctx)


def _drop_ignored_warnings(ctx: CheckContext) -> None:
    """Warnings of other codes than the pipeline checks (which skip ignored resources themselves) that their
    resource lists under `ignore:`; errors always stay."""
    resources = ctx.checkable()

    def ignored(diagnostic: Diagnostic) -> bool:
        parts = diagnostic.path.split(".", 2)
        resource = resources.get(parts[1].split("[")[0]) if parts[0] == "resources" and len(parts) > 1 else None
        return diagnostic.severity == Severity.WARNING and resource is not None and diagnostic.code in resource.ignore

    ctx.diagnostics[:] = [diagnostic for diagnostic in ctx.diagnostics if not ignored(diagnostic)]


def _check_trigger_uses(ctx: CheckContext) -> None:
    """Rules across every trigger of a kind (S3 refuses overlapping notifications on one bucket)."""
    for key, uses in trigger_uses(ctx.checkable()).items():
        TRIGGERS[key].check_uses(ctx, uses)


def _validate_resource(ctx: CheckContext, name: str, raw) -> None:
    path = ("resources", name)
    if not isinstance(raw, dict):
        return  # SpecHeader reports a resource that is not a mapping
    type_name = raw.get("type")
    if type_name is None:
        ctx.report("AP201", f"resource `{name}` needs a `type`: one of {', '.join(RESOURCE_TYPES)}", path, True)
        return
    if not isinstance(type_name, str):
        ctx.report("AP202", f"`type` must be a string: one of {', '.join(RESOURCE_TYPES)}", path + ("type",))
        return
    if type_name not in RESOURCE_TYPES:
        ctx.report(
            "AP203",
            f"unknown resource type `{type_name}`{did_you_mean(str(type_name), RESOURCE_TYPES)}; "
            f"types: {', '.join(RESOURCE_TYPES)}",
            path + ("type",),
        )
        return
    ctx.types[name] = type_name
    if ctx.cloud and ctx.cloud not in clouds_of(type_name):
        ctx.report(
            "AP204",
            f"`{type_name}` is not available on {ctx.cloud}; it exists on {', '.join(clouds_of(type_name))}",
            path + ("type",),
        )
    model = RESOURCE_TYPES[type_name]
    try:
        ctx.resources[name] = model.model_validate(raw)
        return
    except ValidationError as error:
        ctx.diagnostics.extend(diagnostics_from_validation_error(error, model, path, ctx.index, ctx.file))
        failing = {item["loc"][0] for item in error.errors() if item["loc"]}
    # Check the rest of the resource too, so one typo does not hide every other problem: validate again
    # without the fields that failed. The result feeds the checks only, never a Spec.
    remaining = {key: value for key, value in raw.items() if key not in failing}
    try:
        ctx.partial[name] = model.model_validate(remaining)
        ctx.dropped[name] = failing
    except ValidationError:
        pass  # a required field is missing or invalid: nothing trustworthy to check


__all__ = ["DEFAULT_STACK", "ValidationResult", "load_spec", "validate_document"]
