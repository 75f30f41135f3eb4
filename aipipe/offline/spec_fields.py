"""Field tables of the generated spec reference (docs/spec.md): each field of a spec model with a readable type
(from the model's JSON Schema and, for duration ranges, its annotation), its default, the clouds it exists on
and its description."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from aipipe.spec.values import PATTERNS, RESOURCE_NAME, format_duration

# short names of the patterns the spec's names use (aipipe.spec.values); others are explained in words
_PATTERN_NAMES = {
    RESOURCE_NAME: "resource name",
    r"^[a-z][a-z0-9-]{0,39}(/[^*?\s]*)?$": "resource name, optionally `/key-prefix/`",
    r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$": "step name",
    r"^[A-Za-z_][A-Za-z0-9_.]{0,127}$": "error name",
    r"^[A-Z_][A-Z0-9_]{0,127}$": "secret name",
    r"^AP5[0-9]{2}$": "check code (`AP5xx`)",
}
_DURATION_PATTERN = r"^([0-9]+)(s|m|h|d)$"
_MEMORY_PATTERN = r"^([0-9]+)(MB|GB|MiB|GiB)$"
_SCHEDULE_START = r"^(rate\("  # aipipe.spec.values.ScheduleExpression
# what the duration and memory types say of themselves, which the page says once (not as each field's description)
_TYPE_DESCRIPTIONS = (
    "Whole seconds, or a string such as 90s, 15m, 2h, 7d.",
    "Whole megabytes, or a string such as 512MB, 1GB.",
)
_CLOUD_PREFIX = re.compile(r"^\((aws|gcp) only(, required)?\)\s*")
# a nested model's field that one cloud reads says so first: `(aws) Subnet ids ...`
_CLOUD_NOTE = re.compile(r"^\((aws|gcp)\)\s*")


def cell(text: str) -> str:
    """Text fit for one Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def nested_heading(title: str) -> str:
    """The heading of a nested model's table (`Lifecycle object`), unique beside the kinds' headings."""
    return f"{title} object"


@dataclass
class Catalogue:
    """The nested models documented so far, by title (each gets one table, where it is first used), and the
    ones still to write for the section being built."""

    documented: dict[str, dict] = field(default_factory=dict)
    pending: list[tuple[str, dict]] = field(default_factory=list)
    # titles described elsewhere on the page (trigger models), with the anchor to link to
    elsewhere: dict[str, str] = field(default_factory=dict)
    # the pydantic models behind the titles, for defaults and duration ranges
    models: dict[str, type[BaseModel]] = field(default_factory=dict)

    def link(self, title: str, schema: dict) -> str:
        """A link to the table of a nested model, queueing the table when it is new."""
        if title in self.elsewhere:
            return f"[{title}](#{self.elsewhere[title]})"
        known = self.documented.get(title)
        if known is None:
            self.documented[title] = schema
            self.pending.append((title, schema))
        elif known != schema:
            raise ValueError(f"two different spec models are both called {title}: rename one")
        return f"[{title}](#{anchor(nested_heading(title))})"


def _is_duration(node: dict) -> bool:
    return any(part.get("pattern") == _DURATION_PATTERN for part in node.get("anyOf", ()))


def _is_memory(node: dict) -> bool:
    return any(part.get("pattern") == _MEMORY_PATTERN for part in node.get("anyOf", ()))


def _range(low, high, unit: str = "") -> str:
    if low is not None and high is not None:
        return f" {low}-{high}{unit}"
    if low is not None:
        return f" ≥ {low}{unit}"
    return f" ≤ {high}{unit}" if high is not None else ""


def _count(node: dict, noun: str) -> str:
    low, high = node.get(f"min{noun}"), node.get(f"max{noun}")
    words = {"Items": "items", "Length": "characters", "Properties": "entries"}[noun]
    if low is None and high is None:
        return ""
    return f" ({_range(low, high).strip()} {words})"


def type_text(node: dict, defs: dict, catalogue: Catalogue) -> str:
    """A JSON Schema node as a reader says it: `integer 0-2`, `list of resource name`, `one of a, b`."""
    if "$ref" in node:
        title = node["$ref"].rsplit("/", 1)[-1]
        schema = defs[title]
        return catalogue.link(schema.get("title", title), schema)
    if _is_duration(node):
        return "duration"
    if _is_memory(node):
        return "memory size"
    for union in ("anyOf", "oneOf"):
        if union in node:
            parts = [type_text(part, defs, catalogue) for part in node[union] if part.get("type") != "null"]
            return " or ".join(dict.fromkeys(parts))
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
    kind = node.get("type")
    if kind == ["string", "number"]:
        return "text"
    if kind == "string":
        pattern = node.get("pattern")
        if pattern and pattern.startswith(_SCHEDULE_START):
            return "schedule"
        if pattern:
            return _PATTERN_NAMES.get(pattern) or f"string: {PATTERNS.get(pattern, f'matching `{pattern}`')}"
        return "string" + _count(node, "Length")
    if kind in ("integer", "number"):
        return kind + _range(node.get("minimum"), node.get("maximum"))
    if kind == "boolean":
        return "boolean"
    if kind == "array":
        items = node.get("items")
        inner = type_text(items, defs, catalogue) if items else "any value"
        return f"list of {inner}{_count(node, 'Items')}"
    if kind == "object":
        return _mapping_text(node, defs, catalogue)
    return "any value"


def _mapping_text(node: dict, defs: dict, catalogue: Catalogue) -> str:
    patterns = node.get("patternProperties") or {}
    for value in patterns.values():
        return f"mapping of name to {type_text(value, defs, catalogue)}"
    values = node.get("additionalProperties")
    if isinstance(values, dict):
        return f"mapping to {type_text(values, defs, catalogue)}"
    return "mapping"


def duration_bounds(parts: typing.Iterable[object]) -> tuple[int, int] | None:
    """The range a duration field is kept in (aipipe.spec.values.duration_between), read from its annotation's
    parts (or a field's metadata)."""
    for part in parts:
        bounds = getattr(getattr(part, "func", None), "bounds", None)
        if bounds is None and not isinstance(part, (str, int, float)):
            bounds = duration_bounds(typing.get_args(part))
        if bounds is not None:
            return bounds
    return None


def _default_text(info: FieldInfo, type_shown: str) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("x-required-on"):
        return f"required on {extra['x-required-on']}"
    if info.is_required():
        return "required"
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined or value is None or value in ([], {}):
        return "—"
    if type_shown.startswith("duration") and isinstance(value, int) and not isinstance(value, bool):
        return f"`{format_duration(value)}`"
    if type_shown == "memory size" and isinstance(value, int):
        return f"`{value}MB`"
    return f"`{yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix('...').strip()}`"


def field_rows(
    model: type[BaseModel], catalogue: Catalogue, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, str, str, str]]:
    """(name, type, default, clouds, description) of each field of a model, in the model's order."""
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    yield from schema_rows(model, schema, defs, catalogue, skip)


def schema_rows(
    model: type[BaseModel] | None, schema: dict, defs: dict, catalogue: Catalogue, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, str, str, str]]:
    """The rows of one model's schema (`model` adds defaults and duration ranges; None: a nested schema alone)."""
    required = set(schema.get("required", ()))
    # the fields by the name the spec writes (an alias such as `not` for `not_`)
    by_name = {info.alias or key: info for key, info in model.model_fields.items()} if model is not None else {}
    for name, node in schema.get("properties", {}).items():
        if name in skip:
            continue
        shown = type_text(node, defs, catalogue)
        info = by_name.get(name)
        if info is not None and shown == "duration":
            bounds = duration_bounds(typing.get_args(info.annotation)) or duration_bounds(info.metadata)
            if bounds:
                shown += f" {format_duration(bounds[0])}-{format_duration(bounds[1])}"
        if info is not None and model is not None:
            default = _default_text(info, shown)
        elif name in required:
            default = "required"
        else:
            default = f"`{node['default']}`" if node.get("default") not in (None, [], {}) else "—"
        clouds = node.get("x-clouds")
        description = _CLOUD_PREFIX.sub("", node.get("description", ""))
        note = _CLOUD_NOTE.match(description)
        if note and not clouds:
            clouds, description = [note.group(1)], description[note.end() :]
        if description in _TYPE_DESCRIPTIONS:
            description = ""
        yield name, shown, default, ", ".join(clouds) if clouds else "all", description


def reachable_models(annotation: object, found: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    """Every pydantic model an annotation (or a model) holds, by name, the model itself included."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ in found:
            return found
        found[annotation.__name__] = annotation
        for info in annotation.model_fields.values():
            reachable_models(info.annotation, found)
        return found
    for part in typing.get_args(annotation):
        if not isinstance(part, (str, int, float, bool)) and part is not None:
            reachable_models(part, found)
    return found


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(cell(value) for value in row) + " |")
    return "\n".join(lines) + "\n"


def field_table(rows: list[tuple[str, str, str, str, str]]) -> str:
    """The table of a model's fields."""
    shown = [(f"`{name}`", kind, default, clouds, description) for name, kind, default, clouds, description in rows]
    return table(shown, ("field", "type", "default", "clouds", "description"))


def nested_tables(catalogue: Catalogue, defs: dict) -> str:
    """The tables of the nested models queued while writing a section (and those they use in turn)."""
    parts = []
    while catalogue.pending:
        title, schema = catalogue.pending.pop(0)
        rows = list(schema_rows(catalogue.models.get(title), schema, defs, catalogue))
        about = cell(schema.get("description", ""))
        parts.append(f"\n#### {nested_heading(title)}\n\n{about}\n\n{field_table(rows)}")
    return "".join(parts)
