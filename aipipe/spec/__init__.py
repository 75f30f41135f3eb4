"""The aipipe spec language: pydantic models per resource type, references, stacks and cross-field checks.

Entry point: `load_spec(path, stack)` returns a ValidationResult with the validated Spec and diagnostics.
"""

from aipipe.spec.document import DEFAULT_STACK, Spec
from aipipe.spec.validate import ValidationResult, load_spec

__all__ = ["DEFAULT_STACK", "Spec", "ValidationResult", "load_spec"]
