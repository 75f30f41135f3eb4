"""The types an SDK constructor argument takes, read from its annotation, and whether a spec value fits.

Only the simple cases are judged: strings, whole numbers, numbers, booleans, lists and mappings. A nested
input type (`pulumi.Input['TableTtlArgs']`) takes a mapping, whose keys are checked against the type's own
arguments when they can be read (`nested`); enums, assets and anything else the annotation names are accepted as
written (the SDK and provider judge them at plan time).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from aipipe.spec.references import parse_references

# pulumi.Input[X], Optional[X], pulumi.InputType[X]: what X takes
_TRANSPARENT = {"Input", "Optional", "InputType"}
_LISTS = {"Sequence", "List", "list"}
_MAPPINGS = {"Mapping", "Dict", "dict"}
_SCALARS = {"str": "str", "int": "int", "float": "float", "bool": "bool"}


@dataclass(frozen=True)
class Shape:
    """A type as far as a spec value can fit it: `str`, `int`, `float`, `bool`, `list` and `dict` (with the
    shape of their items), `object` (a nested input type, by name), `union`, or `any`."""

    kind: str
    items: tuple[Shape, ...] = ()
    name: str = ""

    def describe(self) -> str:
        """How a message names the type: `a string`, `a list of strings`, `a mapping (TableTtlArgs)`."""
        if self.kind == "union":
            return " or ".join(item.describe() for item in self.items)
        if self.kind == "list":
            return "a list" + (f" of {_plural(self.items[0])}" if self.items and self.items[0].kind != "any" else "")
        if self.kind == "object":
            return f"a mapping ({self.name})"
        return _WORDS.get(self.kind, "a value")


@dataclass(frozen=True)
class Argument:
    """One argument of a constructor or nested input type: its Python name, whether it must be given, its type."""

    name: str
    required: bool
    shape: Shape


# the arguments of a nested input type by its name (`TableTtlArgs`), or None when they cannot be read
NestedArguments = Callable[[str], Mapping[str, Argument] | None]


@dataclass(frozen=True)
class Problem:
    """Where a value does not fit: `type` (not the `expected` shape), `unknown` (a key `name` the `expected` nested
    type does not take; it takes `known`) or `missing` (the nested type's required argument `name`)."""

    path: tuple
    kind: str
    expected: Shape | None = None
    name: str = ""
    known: tuple[str, ...] = ()


_WORDS = {"str": "a string", "int": "a whole number", "float": "a number", "bool": "true or false", "dict": "a mapping"}
ANY = Shape("any")
FINITE = Shape("float", name="finite")


def _plural(shape: Shape) -> str:
    plural = {"str": "strings", "int": "whole numbers", "float": "numbers", "bool": "booleans", "dict": "mappings"}
    if shape.kind == "object":
        return f"mappings ({shape.name})"
    return plural.get(shape.kind, "values")


def shape_of(annotation: ast.expr | None) -> Shape:
    """The shape of a parameter annotation as the SDKs write them (`pulumi.Input[Optional[_builtins.str]]`)."""
    if annotation is None:
        return ANY
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        name = annotation.value
        return Shape("object", name=name) if name.endswith(("Args", "ArgsDict")) else ANY
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        return Shape(_SCALARS[_name(annotation)]) if _name(annotation) in _SCALARS else ANY
    if not isinstance(annotation, ast.Subscript):
        return ANY
    outer = _name(annotation.value)
    inner = annotation.slice
    arguments = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    if outer in _TRANSPARENT:
        return shape_of(arguments[0])
    if outer in _LISTS:
        return Shape("list", (shape_of(arguments[0]),))
    if outer in _MAPPINGS:
        return Shape("dict", (shape_of(arguments[-1]),))
    if outer == "Union":
        members = tuple(shape_of(argument) for argument in arguments)
        if any(member.kind == "any" for member in members):
            return ANY
        objects = [member for member in members if member.kind == "object"]
        if objects and len(objects) == len(members):  # Union['XArgs', 'XArgsDict']: one nested type
            return objects[0]
        return Shape("union", members)
    return ANY


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def mismatches(
    value: object, shape: Shape, path: tuple = (), nested: NestedArguments | None = None
) -> Iterator[Problem]:
    """Where `value` does not fit `shape`. A string holding a reference fits anything (its type is known only once
    deployed); null is an argument left out."""
    if isinstance(value, float) and not math.isfinite(value):  # YAML's .nan and .inf: no program literal
        yield Problem(path, "type", FINITE)
        return
    if value is None or shape.kind == "any" or (isinstance(value, str) and _references(value)):
        return
    if shape.kind == "union":
        if not any(next(mismatches(value, member, (), nested), None) is None for member in shape.items):
            yield Problem(path, "type", shape)
    elif shape.kind == "list":
        if not isinstance(value, list):
            yield Problem(path, "type", shape)
            return
        for position, item in enumerate(value):
            yield from mismatches(item, shape.items[0], path + (position,), nested)
    elif shape.kind in ("dict", "object"):
        if not isinstance(value, dict):
            yield Problem(path, "type", shape)
        elif shape.kind == "dict":
            for key, item in value.items():
                yield from mismatches(item, shape.items[0], path + (key,), nested)
        else:
            yield from _nested_problems(value, shape, path, nested)
    elif not _fits_scalar(value, shape.kind):
        yield Problem(path, "type", shape)


def _nested_problems(value: dict, shape: Shape, path: tuple, nested: NestedArguments | None) -> Iterator[Problem]:
    arguments = nested(shape.name) if nested is not None else None
    if arguments is None:
        return  # not readable: any mapping
    for key, item in value.items():
        if key not in arguments:
            yield Problem(path + (key,), "unknown", shape, name=str(key), known=tuple(arguments))
        else:
            yield from mismatches(item, arguments[key].shape, path + (key,), nested)
    for argument in arguments.values():
        if argument.required and value.get(argument.name) is None:
            yield Problem(path, "missing", shape, name=argument.name)


def _fits_scalar(value: object, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _references(text: str) -> bool:
    return any(reference.form != "invalid" for reference in parse_references(text))
