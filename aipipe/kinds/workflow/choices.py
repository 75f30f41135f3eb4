"""Choice rules: the spec's readable conditions (`{variable: $.size, greater_than: 100}`) as Amazon States
Language choice rules (docs.aws.amazon.com/step-functions/latest/dg/state-choice.html), and what makes one
well-formed. The comparison operator follows the value's type: a string compares as a string, a number as a
number, a boolean only for equality."""

from __future__ import annotations

from typing import Any

from aipipe.kinds.workflow.model import ChoiceCondition
from aipipe.spec.references import symbolic

# spec operator -> the ASL operator's suffix after String / Numeric / Boolean
COMPARISONS = {
    "equals": "Equals",
    "less_than": "LessThan",
    "greater_than": "GreaterThan",
    "at_most": "LessThanEquals",
    "at_least": "GreaterThanEquals",
}
# spec operator -> ASL operator, for the operators whose value has one type (the model enforces it)
TYPED = {
    "matches": "StringMatches",
    "before": "TimestampLessThan",
    "after": "TimestampGreaterThan",
    "is_present": "IsPresent",
    "is_null": "IsNull",
    "is_string": "IsString",
    "is_number": "IsNumeric",
    "is_boolean": "IsBoolean",
}
COMBINATORS = {"all_of": "And", "any_of": "Or", "not_": "Not"}
SPEC_NAMES = {"all_of": "all", "any_of": "any", "not_": "not"}


def operators(condition: ChoiceCondition) -> list[str]:
    """The comparisons and combinators a condition sets (a well-formed one sets exactly one)."""
    return [
        field
        for field in [*COMPARISONS, *TYPED, *COMBINATORS]
        if field in condition.model_fields_set and getattr(condition, field) is not None
    ]


def value_type(value: Any) -> str:
    """The ASL operator family of a comparison value: `Boolean`, `Numeric` or `String`."""
    if isinstance(value, bool):
        return "Boolean"
    return "Numeric" if isinstance(value, (int, float)) else "String"


def problem(condition: ChoiceCondition) -> tuple[str, str] | None:
    """What is wrong with one condition (not its nested ones), and the field to change; None when well-formed."""
    found = operators(condition)
    if len(found) != 1:
        listed = ", ".join(f"`{SPEC_NAMES.get(f, f)}`" for f in found) or "none"
        return (
            f"a condition has exactly one comparison (`equals`, `greater_than`, `matches`, `is_present`, ...) or one "
            f"of `all`, `any`, `not`; this one has {listed}",
            found[1] if len(found) > 1 else "",
        )
    [operator] = found
    if operator in COMBINATORS:
        if condition.variable is not None:
            return f"`{SPEC_NAMES[operator]}` combines conditions that name their own `variable`; remove it", "variable"
        return None
    if condition.variable is None:
        return f"`{operator}` compares a `variable` (a JSONPath such as `$.size`); add one", operator
    if operator in COMPARISONS and operator != "equals" and isinstance(getattr(condition, operator), bool):
        return f"`{operator}` compares numbers or strings, not a boolean; use `equals`", operator
    return None


def choice_rule(condition: ChoiceCondition, next_state: str | None = None) -> dict:
    """The ASL choice rule of a (well-formed) condition; a top-level rule carries its `Next`."""
    [operator] = operators(condition)
    value = getattr(condition, operator)
    if operator == "not_":
        rule: dict = {"Not": choice_rule(value)}
    elif operator in COMBINATORS:
        rule = {COMBINATORS[operator]: [choice_rule(inner) for inner in value]}
    elif operator in COMPARISONS:
        # a string compared with may hold references (`${raw.name}`), resolved like any other value
        rule = {
            "Variable": condition.variable,
            f"{value_type(value)}{COMPARISONS[operator]}": symbolic(value) if isinstance(value, str) else value,
        }
    else:
        rule = {"Variable": condition.variable, TYPED[operator]: value}
    if next_state is not None:
        rule["Next"] = next_state
    return rule


def nested(condition: ChoiceCondition) -> list[tuple[tuple, ChoiceCondition]]:
    """Every condition inside this one (with its path below it), depth-first, itself first."""
    found = [((), condition)]
    if condition.all_of:
        for i, inner in enumerate(condition.all_of):
            found += [(("all", i) + path, c) for path, c in nested(inner)]
    if condition.any_of:
        for i, inner in enumerate(condition.any_of):
            found += [(("any", i) + path, c) for path, c in nested(inner)]
    if condition.not_ is not None:
        found += [(("not",) + path, c) for path, c in nested(condition.not_)]
    return found
