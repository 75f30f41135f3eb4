"""Turn pydantic validation errors into Diagnostics at the right line and column, in plain words."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from aipipe.core.diagnostics import Diagnostic
from aipipe.core.locations import DataPath, LocationIndex, format_path
from aipipe.core.suggest import did_you_mean, one_of
from aipipe.spec.model import FIELD_UNION_TAGS, UNION_TAGS
from aipipe.spec.values import PATTERNS, yaml_text

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
    "greater_than": ("more than", "gt"),
    "less_than": ("less than", "lt"),
}


def diagnostics_from_validation_error(
    error: ValidationError, model: type[BaseModel], prefix: DataPath, index: LocationIndex, file: str
) -> list[Diagnostic]:
    """One Diagnostic per pydantic error of `model` validated at `prefix` of the spec."""
    found = []
    for item in error.errors(include_url=False):
        relative = _without_union_tags(item["loc"])
        if relative[-1:] == ("[key]",):  # the mapping key itself is invalid: point at the key, name it
            relative = relative[:-1]
            path = prefix + relative
            code, message, _ = _describe(item, model, relative, path, index)
            message = message.replace(f"`{_label(relative)}`", f"the name `{relative[-1]}`", 1)
            at_key = True
        else:
            path = prefix + relative
            code, message, at_key = _describe(item, model, relative, path, index)
        location = index.locate(path, at_key=at_key)
        found.append(Diagnostic(code, message, file, location.line, location.column, format_path(path)))
    return found


def _without_union_tags(loc: tuple) -> DataPath:
    """pydantic inserts the chosen member's tag after a tagged union's position; a list item's tag is dropped
    only right after a list index (a user key that happens to equal a tag stays), a field union's tag (they
    hold a space, like `one retry`, so no key of the spec equals one) anywhere."""
    kept: list = []
    for position, part in enumerate(loc):
        if part in UNION_TAGS and position > 0 and isinstance(loc[position - 1], int):
            continue
        if part in FIELD_UNION_TAGS and position > 0:
            continue
        kept.append(part)
    return tuple(kept)


def _describe(item: dict, model: type[BaseModel], relative: DataPath, path: DataPath, index: LocationIndex):
    kind = item["type"]
    label = _label(relative)
    value = item.get("input")
    ctx = item.get("ctx") or {}
    if kind == "missing":
        field = relative[-1]
        description = _field_description(model, relative)
        hint = f" ({description})" if description else ""
        return "AP201", f"missing required field `{field}`{hint}", True
    if kind == "extra_forbidden":
        field = str(relative[-1])
        allowed = _fields_at(model, relative[:-1])
        if field in allowed:  # a field of another member of a union, e.g. `stream` inside a bucket trigger
            return (
                "AP200",
                f"`{field}` cannot be combined with the other fields of this entry; split it into separate entries",
                True,
            )
        suggestion = did_you_mean(field, allowed)
        if not suggestion and allowed:
            suggestion = f"; allowed here: {', '.join(sorted(allowed))}"
        return "AP200", f"unknown field `{field}`{suggestion}", True
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'|(\d+)", ctx.get("expected", ""))
        options = [a or b for a, b in choices]
        return (
            "AP202",
            f"`{label}` must be {one_of(options)}, got {_show(value)}{did_you_mean(str(value), options)}",
            False,
        )
    if kind == "string_pattern_mismatch":
        explanation = PATTERNS.get(ctx.get("pattern", ""), f"match {ctx.get('pattern')}")
        return "AP202", f"`{label}` must be {explanation}, got {_show(value)}", False
    if kind in _TYPE_WORDS:
        hint = ""
        if isinstance(value, bool) and path in index.boolean_words:
            word = index.boolean_words[path]
            hint = f' (YAML reads `{word}` as {str(value).lower()}; quote it: "{word}")'
        return "AP202", f"`{label}` must be {_TYPE_WORDS[kind]}, got {_show(value)}{hint}", False
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return "AP402", f"`{label}` must be {words} {ctx.get(key)}, got {_show(value)}", False
    if kind == "out_of_range":
        return "AP402", f"`{label}` {item['msg']}", False
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return "AP202", f"`{label}` needs at least {minimum} item{'s' if minimum != 1 else ''}", False
    if kind == "too_long":
        return "AP202", f"`{label}` has too many entries (at most {ctx.get('max_length')})", True
    if kind == "value_error":
        message = str(ctx.get("error", item["msg"]))
        return "AP202", f"`{label}`: {message}", False
    return "AP202", f"`{label}`: {item['msg']}", False


def _label(relative: DataPath) -> str:
    """The field as users know it: `memory`, `events[1]`, `parallel[0][1]`."""
    names = [position for position, part in enumerate(relative) if isinstance(part, str)]
    if not names:
        return format_path(relative) or "value"
    return format_path(relative[names[-1] :])


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = yaml_text(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _models_at(model: type[BaseModel], relative: DataPath) -> list[type[BaseModel]]:
    """The model classes that describe the mapping at `relative` inside `model`."""
    annotations: list[Any] = [model]
    for part in relative:
        following: list[Any] = []
        for annotation in _expand(annotations):
            if isinstance(part, int):
                if typing.get_origin(annotation) in (list, tuple):
                    following.extend(typing.get_args(annotation)[:1])
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if part in annotation.model_fields:
                    following.append(annotation.model_fields[part].annotation)
            elif typing.get_origin(annotation) is dict:
                following.append(typing.get_args(annotation)[1])
        annotations = following
    return [a for a in _expand(annotations) if isinstance(a, type) and issubclass(a, BaseModel)]


def _expand(annotations: list[Any]) -> list[Any]:
    """Unwrap Annotated, Optional and Union into their member types."""
    out: list[Any] = []
    pending = list(annotations)
    while pending:
        annotation = pending.pop()
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            pending.append(typing.get_args(annotation)[0])
        elif origin in (typing.Union, types.UnionType):
            pending.extend(typing.get_args(annotation))
        else:
            out.append(annotation)
    return out


def _fields_at(model: type[BaseModel], relative: DataPath) -> set[str]:
    return {name for m in _models_at(model, relative) for name in m.model_fields}


def _field_description(model: type[BaseModel], relative: DataPath) -> str:
    for owner in _models_at(model, relative[:-1]):
        info = owner.model_fields.get(str(relative[-1]))
        if info and info.description:
            return info.description.rstrip(".")
    return ""
