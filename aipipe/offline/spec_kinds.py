"""The resource-type and trigger sections of the generated spec reference (docs/spec.md): per kind its clouds
and services, fields, nested models, attributes, access, triggers, limits and an example from the good corpus;
per trigger kind its fields, sources and targets."""

from __future__ import annotations

from pathlib import Path

import yaml

from aipipe.clouds.base import FunctionLimits
from aipipe.clouds.registry import CLOUDS
from aipipe.kinds.base import Kind
from aipipe.kinds.registry import KINDS
from aipipe.kinds.workflow.model import STEP_KEYS
from aipipe.kinds.workflow.services import SERVICES
from aipipe.offline.spec_fields import (
    Catalogue,
    anchor,
    field_rows,
    field_table,
    nested_tables,
    reachable_models,
    table,
)
from aipipe.spec.model import ResourceBase
from aipipe.triggers.base import TriggerKind
from aipipe.triggers.registry import TRIGGERS

COMMON_FIELDS = frozenset(ResourceBase.model_fields) - {"type"}
# the good corpus, whose every resource is known valid (tests/test_good_corpus.py); examples come from here
EXAMPLE_FILES = ("aws-everything.yaml", "gcp-everything.yaml", "aws-common-fields.yaml", "gcp-common-fields.yaml")
EXAMPLE_MAX_LINES = 14


def trigger_heading(key: str) -> str:
    """The heading of a trigger kind's section."""
    return f"{key} trigger"


def _size(count: int | None) -> str:
    if count is None:
        return "—"
    if count % 2**30 == 0:
        return f"{count // 2**30} GiB"
    if count % 2**20 == 0:
        return f"{count // 2**20} MiB"
    return f"{count:,} bytes"


def function_limits() -> str:
    """The table of what a function may be on each cloud (aipipe.clouds)."""
    rows = []
    for name, cloud in CLOUDS.items():
        limits: FunctionLimits = cloud.functions
        package = limits.package
        low, high = limits.memory_mb
        memory = f"{low}-{high} MB" + (
            f" (new accounts: up to {limits.new_account_memory_mb} MB until the quota is raised)"
            if limits.new_account_memory_mb
            else ""
        )
        sizes = []
        if package is not None:
            for label, value in (
                ("zip uploaded directly", package.direct_zip),
                ("unzipped", package.unzipped),
                ("container image", package.image),
                ("source archive", package.source_zip),
            ):
                if value is not None:
                    sizes.append(f"{label} {_size(value)}")
        timeout = f"{limits.max_timeout_seconds // 60}m"
        runtimes = ", ".join(f"`{runtime}`" for runtime in cloud.runtimes)
        rows.append((name, memory, timeout, "; ".join(sizes) or "—", runtimes))
    return table(rows, ("cloud", "memory", "longest timeout", "package size", "runtimes"))


def _attributes(kind: Kind) -> str:
    lines = []
    for cloud, form in kind.clouds.items():
        names = ", ".join(f"`{attribute}`" for attribute in form.attributes)
        if form.resource_attributes is not None:
            names += " and every output of the SDK class its `resource` names"
        lines.append(f"- {cloud}: {names or 'none'}")
    return "\n".join(lines) + "\n"


def _access(kind: Kind) -> str:
    lines = []
    for cloud, form in kind.clouds.items():
        roles = [role for role in ("reads", "writes", "deletes") if role in form.access]
        lines.append(f"- {cloud}: " + (", ".join(f"`{role}`" for role in roles) if roles else "none"))
    return "\n".join(lines) + "\n"


def _trigger_links(kind: Kind) -> str:
    accepted = []
    for key, trigger in TRIGGERS.items():
        clouds = [cloud for (cloud, target) in trigger.wiring if target == kind.name]
        if clouds:
            accepted.append(f"[`{key}`](#{anchor(trigger_heading(key))}) ({', '.join(clouds)})")
    sources = [
        f"[`{key}`](#{anchor(trigger_heading(key))})"
        for key, trigger in TRIGGERS.items()
        if kind.name in trigger.source_kinds
    ]
    text = ""
    if accepted:
        text += f"Triggers it accepts (under `triggers:`): {', '.join(accepted)}.\n\n"
    if sources:
        text += f"A resource of this type may start others through: {', '.join(sources)} triggers.\n\n"
    return text


def resource_blocks(text: str) -> list[tuple[str, str]]:
    """Each resource of a spec file as (type, its lines as written under `resources:`)."""
    lines = text.splitlines()
    if "resources:" not in lines:
        return []
    blocks: list[list[str]] = []
    for line in lines[lines.index("resources:") + 1 :]:
        if line.strip() and not line.startswith("  "):
            break
        if line.startswith("  ") and not line.startswith("   ") and not line.lstrip().startswith("#"):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    found = []
    for block in blocks:
        while block and not block[-1].strip():
            block.pop()
        resource = next(iter((yaml.safe_load("\n".join(block)) or {}).values()), None)
        if isinstance(resource, dict) and isinstance(resource.get("type"), str):
            found.append((resource["type"], "\n".join(block)))
    return found


def example(type_name: str, good: Path, root: Path) -> str:
    """A short example of a type from the good corpus: in the first file of EXAMPLE_FILES that has the type, its
    longest resource of at most EXAMPLE_MAX_LINES lines (else its shortest), with the file it comes from."""
    candidates: list[tuple[str, Path]] = []
    for name in EXAMPLE_FILES:
        path = good / name
        if path.exists() and not candidates:  # the first file (the everything specs first) that has one
            for kind, block in resource_blocks(path.read_text(encoding="utf-8")):
                if kind == type_name:
                    candidates.append((block, path))
    if not candidates:
        return ""
    short = [item for item in candidates if item[0].count("\n") < EXAMPLE_MAX_LINES]
    block, path = max(short, key=lambda i: i[0].count("\n")) if short else min(candidates, key=lambda i: len(i[0]))
    source = path.relative_to(root).as_posix()
    return f"Example (from `{source}`, which defines what it names):\n\n```yaml\nresources:\n{block}\n```\n"


def _workflow_steps() -> str:
    forms = [("a function name", "`- train`", "invokes the function with the step's input")]
    forms.append(("`function:`", "`{function: train, retry: ...}`", "[TaskStep](#taskstep-object)"))
    for key, form in STEP_KEYS.items():
        model = form.title().replace(" ", "")
        forms.append((f"`{key}:`", form, f"[{model}](#{anchor(model + ' object')})"))
    services = [
        (
            f"`{name}`",
            ", ".join(f"`{field}`" for field in service.required),
            ", ".join(f"`{field}`" for field in service.optional) or "—",
            ", ".join(f"`{kind}`" for kind in service.target_kinds) or "a name outside the spec",
        )
        for name, service in SERVICES.items()
    ]
    return (
        "Steps run in order. A step is one of these forms (its key says which):\n\n"
        + table(forms, ("key", "form", "model"))
        + "\nService tasks (`task: {service: ...}`):\n\n"
        + table(services, ("service", "requires", "also takes", "names a"))
    )


def kind_section(kind: Kind, catalogue: Catalogue, good: Path, root: Path) -> str:
    """The section of one resource type."""
    catalogue.models.update(reachable_models(kind.model, {}))
    schema = kind.model.model_json_schema(mode="validation")
    rows = list(field_rows(kind.model, catalogue, COMMON_FIELDS))
    clouds = table([(cloud, form.service) for cloud, form in kind.clouds.items()], ("cloud", "service"))
    parts = [
        f"\n### {kind.name}\n\n{kind.model.__doc__ or ''}\n\n{clouds}\n",
        "Fields (besides [those every resource has](#fields-every-resource-has)):\n\n",
        field_table(rows),
        "\n" + _workflow_steps() if kind.name == "workflow" else "",
        nested_tables(catalogue, schema.get("$defs", {})),
        "\nAttributes (`${name.attr}`):\n\n",
        _attributes(kind),
        "\nMay be named under a function's `reads` / `writes` / `deletes`:\n\n",
        _access(kind),
        "\n",
        _trigger_links(kind),
    ]
    if kind.name == "function":
        parts.append("Limits of each cloud (aipipe checks them):\n\n" + function_limits() + "\n")
    parts.append(example(kind.name, good, root))
    return "".join(parts)


def trigger_section(trigger: TriggerKind, catalogue: Catalogue) -> str:
    """The section of one trigger kind."""
    catalogue.models.update(reachable_models(trigger.model, {}))
    schema = trigger.model.model_json_schema(mode="validation")
    rows = list(field_rows(trigger.model, catalogue))
    wired: dict[str, list[str]] = {}
    for cloud, target in trigger.wiring:
        wired.setdefault(target, []).append(cloud)
    targets = ", ".join(f"[`{target}`](#{target}) ({', '.join(clouds)})" for target, clouds in sorted(wired.items()))
    sources = ", ".join(f"[`{kind}`](#{kind})" for kind in trigger.source_kinds)
    source_text = f"`{trigger.key}:` names a {sources}." if sources else f"`{trigger.key}:` holds the value itself."
    return (
        f"\n### {trigger_heading(trigger.key)}\n\n{trigger.model.__doc__ or ''}\n\n{source_text} "
        f"It starts: {targets}.\n\n{field_table(rows)}{nested_tables(catalogue, schema.get('$defs', {}))}"
    )


def kinds_markdown(good: Path, root: Path) -> str:
    """Every resource type's section, then every trigger kind's."""
    catalogue = Catalogue(
        elsewhere={trigger.model.__name__: anchor(trigger_heading(key)) for key, trigger in TRIGGERS.items()}
    )
    types = [(f"[`{name}`](#{name})", ", ".join(kind.clouds)) for name, kind in KINDS.items()]
    parts = ["\n## Resource types\n\n", table(types, ("type", "clouds"))]
    parts.extend(kind_section(kind, catalogue, good, root) for kind in KINDS.values())
    parts.append(
        "\n## Triggers\n\nA function's (or workflow's) `triggers:` list holds mappings whose key says the kind.\n"
    )
    parts.extend(trigger_section(trigger, catalogue) for trigger in TRIGGERS.values())
    return "".join(parts)
