"""Registries that find their members instead of listing them: every module (or package) of a package that
defines a given name contributes its value. Adding a resource kind, trigger kind or pipeline check is adding a
module; nothing else lists them."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TypeVar

T = TypeVar("T")


def discover(package: ModuleType, attribute: str, kind: type[T], skip: frozenset[str] = frozenset()) -> list[T]:
    """The `attribute` of every module of `package` (in name order, except those in `skip`) that defines one of
    type `kind`."""
    found = []
    for name in sorted(info.name for info in pkgutil.iter_modules(package.__path__)):
        if name in skip:
            continue
        value = getattr(importlib.import_module(f"{package.__name__}.{name}"), attribute, None)
        if isinstance(value, kind):
            found.append(value)
    return found
