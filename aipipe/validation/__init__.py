"""Validating a spec file: load it, apply a stack, check every resource against its kind and the whole spec
against the rules that tie resources together, then the pipeline checks. `load_spec` is the entry point."""

from aipipe.validation.driver import DEFAULT_STACK, ValidationResult, load_spec

__all__ = ["DEFAULT_STACK", "ValidationResult", "load_spec"]
