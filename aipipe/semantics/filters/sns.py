"""Amazon SNS subscription filter policies in the default MessageAttributes scope, e.g.
`{"kind": ["image"], "size": [{"numeric": [">", 0, "<=", 100]}]}`: parse, validate and evaluate them
(docs.aws.amazon.com/sns/latest/dg/ plus the page named in each comment, cited as [SNS page]; where it is
silent, the AWS rule engine whose error texts SNS returns, aws/event-ruler, checked against localstack's
recordings of AWS)."""

from __future__ import annotations

import ipaddress
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from aipipe.semantics.filters.errors import FilterError, _show

_SNS_MAX_KEYS = 5  # "A filter policy can have a maximum of five keys." [SNS subscription-filter-policy-constraints]
_SNS_MAX_COMBINATIONS = 150  # "The total combination of values ... must not exceed 150." [same page]
_SNS_MAX_BYTES = 256 * 1024  # "The maximum size of a filter policy is 256 KB." [same page]
_SNS_LIMIT = Decimal(10) ** 9  # "the value can range from -10^9 to 10^9 (-1 billion to 1 billion)" [same page]
_SNS_STEP = Decimal("0.00001")  # "with five digits of accuracy after the decimal point" [same page]
_OPERATORS = ("anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix", "suffix", "wildcard")
# "None of the objects in the "$or" array have field names that are reserved keywords" [SNS and-or-logic]; the
# keywords are event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP.
_RESERVED_IN_OR = frozenset(
    (
        *_OPERATORS,
        "exactly",
        "=",
        "<",
        "<=",
        ">",
        ">=",
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
    )
)
_COMPARE = {"=": Decimal.__eq__, "<": Decimal.__lt__, "<=": Decimal.__le__, ">": Decimal.__gt__, ">=": Decimal.__ge__}


def _sns_error(key: object, message: str) -> FilterError:
    return FilterError(f"SNS filter policy, {_show(key)}: {message}")


def _number(value: object) -> Decimal | None:
    """A number as SNS compares it (5 == 5.0, five decimals count); None for anything else, bools included."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    with localcontext() as context:
        context.prec = 400
        try:
            return number.quantize(_SNS_STEP)
        except InvalidOperation:  # far outside the documented range: compare exactly
            return number


def _policy_number(key: str, value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _sns_error(key, f"{what} must be a number, got {_show(value)}: write a number without quotes")
    number = _number(value)
    if number is None or abs(number) > _SNS_LIMIT:  # range [SNS subscription-filter-policy-constraints]
        raise _sns_error(
            key,
            f"SNS numbers must lie between -1000000000 and 1000000000, got {_show(value)}: use a number in that range",
        )
    if number != (Decimal(repr(value)) if isinstance(value, float) else value):  # five decimals [same page]
        raise _sns_error(
            key,
            f"SNS compares numbers to 5 decimal places, so {_show(value)} cannot match as written: "
            "round it to 5 decimals",
        )
    return number


def _numeric(key: str, terms: object):
    """`[op, n]` or `[">"|">=", low, "<"|"<=", high]` [SNS numeric-value-matching], checked as event-ruler's
    processNumericMatchExpression does (its errors are the ones SNS returns, per localstack's AWS recordings)."""
    usage = 'as in {"numeric": [">", 0, "<=", 100]}'
    if not isinstance(terms, (list, tuple)) or not terms or not isinstance(terms[0], str):
        raise _sns_error(key, f"`numeric` needs a list that starts with an operator (=, <, <=, >, >=), {usage}")
    if terms[0] not in _COMPARE:
        raise _sns_error(key, f"`{terms[0]}` is not a numeric operator: use one of =, <, <=, >, >=")
    if len(terms) < 2:
        raise _sns_error(key, f"`{terms[0]}` in `numeric` needs a number after it, {usage}")
    bounds = [(terms[0], _policy_number(key, terms[1], f"the value of `{terms[0]}`"))]
    if len(terms) > 2:
        if terms[0] not in (">", ">=") or len(terms) != 4 or terms[2] not in ("<", "<="):
            raise _sns_error(key, f"a numeric range is a lower bound (> or >=) then an upper bound (< or <=), {usage}")
        bounds.append((terms[2], _policy_number(key, terms[3], f"the value of `{terms[2]}`")))
        if bounds[1][1] <= bounds[0][1]:  # "Bottom must be less than top" (event-ruler Range)
            raise _sns_error(key, "the lower bound of a numeric range must be less than the upper bound: swap them")
    return lambda value: (n := _number(value)) is not None and all(_COMPARE[op](n, b) for op, b in bounds)


def _cidr(key: str, block: object):
    """`{"cidr": "10.0.0.0/24"}` [SNS string-value-matching, "IP address matching"]; one `/`, an integer mask,
    IPv4 masks below 32, IPv6 below 128 and host bits allowed, as in event-ruler's CIDR.cidr."""
    if not isinstance(block, str) or block.count("/") != 1:
        raise _sns_error(key, f'`cidr` needs a string with one `/`, as in "10.0.0.0/24", got {_show(block)}')
    address, bits = block.split("/")
    if not re.fullmatch(r"[+-]?[0-9]+", bits):
        raise _sns_error(key, f'the mask bits of `cidr` must be an integer, as in "10.0.0.0/24", got {_show(block)}')
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise _sns_error(key, f"`{address}` in `cidr` is not an IPv4 or IPv6 address: fix the address") from None
    limit = 31 if ip.version == 4 else 127
    if len(bits.lstrip("+-")) > 3 or not 0 <= int(bits) <= limit:
        raise _sns_error(key, f"the mask of an IPv{ip.version} `cidr` must be 0 to {limit}, got {bits}: fix the mask")
    network = ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)

    def inside(value: object) -> bool:
        try:
            return isinstance(value, str) and ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return inside


def _string_test(key: str, operator: str, pattern: object):
    """prefix, suffix, equals-ignore-case and wildcard, which match string values only [SNS string-value-matching].
    In a wildcard `*` is any run of characters and `\\*`, `\\\\` escape; `**` and other `\\` are refused
    (event-ruler input/WildcardParser.java)."""
    if not isinstance(pattern, str):
        raise _sns_error(key, f'`{operator}` needs a string, got {_show(pattern)}: write {{"{operator}": "text"}}')
    if operator == "prefix":
        return lambda value: isinstance(value, str) and value.startswith(pattern)
    if operator == "suffix":
        return lambda value: isinstance(value, str) and value.endswith(pattern)
    if operator == "equals-ignore-case":
        return lambda value: isinstance(value, str) and value.lower() == pattern.lower()
    parts = [part for part in re.split(r"(\\\\|\\\*|\*)", pattern) if part]
    if any(a == b == "*" for a, b in itertools.pairwise(parts)):
        raise _sns_error(key, f"`wildcard` {_show(pattern)} has consecutive `*`: use a single `*`")
    if any("\\" in part for part in parts if part not in ("\\\\", "\\*")):
        raise _sns_error(key, f"`wildcard` {_show(pattern)} has a `\\` that escapes neither `*` nor `\\`: double it")
    regex = re.compile("".join(".*" if p == "*" else re.escape(p[-1] if p[0] == "\\" else p) for p in parts), re.DOTALL)
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _anything_but(key: str, argument: object):
    """A value, a list, or a prefix/suffix/wildcard object to exclude [SNS string-value-matching,
    numeric-value-matching]; lists hold strings or numbers, not both and no true/false/null (event-ruler)."""
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix", "wildcard"):
            raise _sns_error(
                key,
                "an `anything-but` object takes exactly one of `prefix`, `suffix` or `wildcard`, "
                f'as in {{"anything-but": {{"prefix": "order-"}}}}, got {_show(argument)}',
            )
        ((operator, patterns),) = argument.items()
        patterns = list(patterns) if isinstance(patterns, (list, tuple)) else [patterns]
        if not patterns or (operator != "wildcard" and "" in patterns):  # "Null prefix/suffix not allowed"
            raise _sns_error(key, f"`anything-but` `{operator}` needs a non-empty string: give the text to exclude")
        tests = [_string_test(key, operator, pattern) for pattern in patterns]
        return lambda value: not any(test(value) for test in tests)
    values = list(argument) if isinstance(argument, (list, tuple)) else [argument]
    if any(value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)) for value in values):
        raise _sns_error(
            key,
            "`anything-but` takes strings or numbers (or a prefix/suffix/wildcard object), "
            f"not {_show(argument)}: list the values to exclude",
        )
    strings = {value for value in values if isinstance(value, str)}
    if not values or 0 < len(strings) < len(values):
        raise _sns_error(key, "the `anything-but` list must hold only strings or only numbers: split it in two rules")
    numbers = {_policy_number(key, value, "an `anything-but` value") for value in values if not isinstance(value, str)}
    # "it matches any message attribute ... values that don't include any of the policy property values" [SNS]
    return lambda value: not ((isinstance(value, str) and value in strings) or _number(value) in numbers)


def _condition(key: str, rule: object):
    """One item of an attribute's list: ("exists", bool) or ("value", test of one attribute value)."""
    if rule is None or isinstance(rule, bool):  # "the keywords true, false, and null" [SNS constraints]
        return ("value", lambda value: value is rule)
    if isinstance(rule, str):  # exact, case-sensitive string matching [SNS string-value-matching]
        return ("value", lambda value: isinstance(value, str) and value == rule)
    if isinstance(rule, (int, float)):  # a number matches numerically: 301.5 matches 3.015e2 [SNS numeric-value-...]
        number = _policy_number(key, rule, "a match value")
        return ("value", lambda value: _number(value) == number)
    if isinstance(rule, (list, tuple)):  # "Match value must be String, number, true, false, or null" (event-ruler)
        raise _sns_error(key, f"a list cannot hold another list ({_show(rule)}): flatten it into one list of values")
    if not isinstance(rule, Mapping):
        raise _sns_error(key, f"{_show(rule)} is not a JSON value: use a string, number, true, false or null")
    if len(rule) != 1:  # "Only one key allowed in match expression" (event-ruler)
        raise _sns_error(key, f"each operator object needs exactly one key, got {_show(rule)}: split it in two items")
    ((operator, argument),) = rule.items()
    if operator == "exists":  # [SNS attribute-key-matching]
        if not isinstance(argument, bool):
            raise _sns_error(key, f'`exists` must be true or false, got {_show(argument)}: write {{"exists": true}}')
        return ("exists", argument)
    if operator in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        return ("value", _string_test(key, operator, argument))
    if operator in ("numeric", "cidr", "anything-but"):
        return ("value", {"numeric": _numeric, "cidr": _cidr, "anything-but": _anything_but}[operator](key, argument))
    raise _sns_error(key, f"`{_show(operator)}` is not an SNS filter operator: use one of {', '.join(_OPERATORS)}")


def _is_or(value: object) -> bool:
    """The three conditions under which SNS reads "$or" as an OR relationship [SNS and-or-logic]."""
    return (
        isinstance(value, (list, tuple))
        and len(value) >= 2
        and all(isinstance(o, Mapping) for o in value)
        and not any(name in _RESERVED_IN_OR for o in value for name in o)
    )


def _branches(policy: Mapping, current: list[dict], inside_or: bool = False) -> list[dict]:
    """Flatten "$or" into alternative conjunctions, each {attribute: conditions} [SNS and-or-logic]."""
    if not policy and inside_or:  # "Empty objects are not allowed" (event-ruler)
        raise FilterError("SNS filter policy: an object inside `$or` is empty: give it at least one attribute")
    for key, value in policy.items():
        if not isinstance(key, str):
            raise FilterError(f"SNS filter policy: attribute names must be strings, got {_show(key)}: quote it")
        if key == "$or" and _is_or(value):
            alternatives: list[dict] = []
            for option in value:
                alternatives += _branches(option, current, inside_or=True)
                if len(alternatives) > _SNS_MAX_COMBINATIONS:  # every alternative counts at least 1; stop early
                    break
            current = alternatives
        elif isinstance(value, Mapping):  # "doesn't accept a nested filter policy for attribute-based filtering"
            raise _sns_error(
                key,
                "attribute filter policies cannot nest objects: give it a list of values, as in "
                f'{_show(key)}: ["value"] (nesting needs FilterPolicyScope MessageBody)',
            )
        elif not isinstance(value, (list, tuple)) or not value:  # "Empty arrays are not allowed" (event-ruler)
            raise _sns_error(
                key,
                f"the value must be a non-empty list, got {_show(value)}: write {_show(key)}: "
                f"[{_show(value) if isinstance(value, (str, int, float)) else '...'}]",
            )
        else:
            try:
                conditions = tuple(_condition(key, rule) for rule in value)
            except FilterError:  # an "$or" that is not an OR "is treated as a regular attribute name" [and-or-logic]
                if key != "$or":
                    raise
                raise _sns_error(
                    key,
                    "`$or` needs a list of at least 2 objects whose keys are attribute names, "
                    'not operators, as in {"$or": [{"a": ["x"]}, {"b": ["y"]}]}',
                ) from None
            current = [{**branch, key: conditions} for branch in current]  # a repeated key overrides (event-ruler)
        _check_complexity(current)
    return current


def _check_complexity(branches: list[dict]) -> None:
    keys = max((len(branch) for branch in branches), default=0)
    if keys > _SNS_MAX_KEYS:  # counted per "$or" alternative, including the keys outside the "$or"
        raise FilterError(
            f"SNS allows at most {_SNS_MAX_KEYS} attribute names in a filter policy, got {keys}: "
            "drop some or split the subscription"
        )
    # "multiply the number of values in each array" [SNS subscription-filter-policy-constraints]; with "$or", "the
    # sum of the combination complexities for each OR statement" [SNS and-or-logic]
    total = sum(math.prod(len(conditions) for conditions in branch.values()) for branch in branches)
    if total > _SNS_MAX_COMBINATIONS:
        raise FilterError(
            f"SNS filter policy is too complex: its value combinations come to {total}, more than "
            f"{_SNS_MAX_COMBINATIONS} (list lengths multiplied, summed over `$or` branches): use fewer"
        )


def _compile_sns(policy: object) -> list[dict]:
    if not isinstance(policy, Mapping):
        raise FilterError(
            "an SNS filter policy must be a mapping of attribute names to lists, got "
            f'{type(policy).__name__}: write e.g. {{"kind": ["image"]}}'
        )
    try:
        branches = _branches(policy, [{}]) if policy else []  # {} is no filter (as in localstack and moto)
        text = json.dumps(policy, separators=(",", ":"), ensure_ascii=False, default=dict)
    except RecursionError:
        raise FilterError("SNS filter policy is nested too deeply (or contains itself): flatten it") from None
    try:
        size = len(text.encode("utf-8"))  # "you must pass the JSON ... as a valid UTF-8 string" [SNS constraints]
    except UnicodeEncodeError:
        raise FilterError("SNS filter policy is not valid UTF-8 (it holds an unpaired surrogate): remove it") from None
    if size > _SNS_MAX_BYTES:
        raise FilterError(f"SNS filter policies are limited to 256 KB, this one has {size} bytes: shorten it")
    return branches


def _attribute_matches(key: str, conditions: tuple, attributes: Mapping[str, object]) -> bool:
    """Whether one of an attribute's conditions holds; a list (String.Array) value matches if one element does."""
    value = attributes.get(key)
    present = value is not None and not isinstance(value, (bytes, bytearray))  # "ignores ... Binary" [constraints]
    values = list(value) if isinstance(value, (list, tuple)) else [value] if present else []
    for kind, test in conditions:
        if kind == "exists" and test:  # "The key must have a non-null and non-empty value." [attribute-key-matching]
            if present and not (isinstance(value, (str, list, tuple)) and len(value) == 0):
                return True
        elif kind == "exists":  # "exists": false "only matches if at least one attribute is present" [same page]
            if not present and any(
                v is not None and not isinstance(v, (bytes, bytearray)) for v in attributes.values()
            ):
                return True
        elif any(test(item) for item in values):  # an absent key fails every value rule, anything-but included
            return True
    return False


@dataclass(frozen=True)
class SnsFilterPolicy:
    """A valid SNS subscription filter policy for the MessageAttributes scope; {} means no filter."""

    document: Mapping
    _branches: list = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_branches", _compile_sns(self.document))

    def matches(self, attributes: Mapping[str, object]) -> bool:
        """Whether SNS delivers a message with these attributes: str is String, int/float Number, list String.Array."""
        # AND between attribute names, OR within a name's list and between "$or" alternatives [SNS and-or-logic]
        return not self._branches or any(
            all(_attribute_matches(key, conditions, attributes) for key, conditions in branch.items())
            for branch in self._branches
        )


def parse_sns_filter_policy(policy: object) -> SnsFilterPolicy:
    """Validate an SNS filter policy (a mapping, as in the spec); raises FilterError if SNS would refuse it."""
    return SnsFilterPolicy(policy)
