"""Pub/Sub subscription filters and SNS filter policies: documented examples, documented limits, edge cases.

Sources: [GCP] https://cloud.google.com/pubsub/docs/subscription-message-filter,
[pstest] googleapis/google-cloud-go pubsub/pstest/filtering_test.go (Google's fake server),
[SNS] https://docs.aws.amazon.com/sns/latest/dg/ (page named per table),
[AWS-snapshot] localstack tests/aws/services/sns/test_sns_filter_policy.py (requests recorded against real SNS).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipipe.semantics.filters import (
    FilterError,
    PubSubFilter,
    SnsFilterPolicy,
    parse_pubsub_filter,
    parse_sns_filter_policy,
)

# ------------------------------------------------------------------------------------------------ Pub/Sub

PUBSUB_MATCHES = [
    # [GCP] "the filters in the following table select the name attribute"
    ("attributes:name", {"name": "com"}, True),
    ("attributes:name", {"other": "com"}, False),
    ("NOT attributes:name", {"other": "com"}, True),
    ("NOT attributes:name", {"name": "com"}, False),
    ('attributes.name = "com"', {"name": "com"}, True),
    ('attributes.name = "com"', {"name": "net"}, False),
    ('attributes.name != "com"', {"name": "net"}, True),
    ('attributes.name != "com"', {"name": "com"}, False),
    ('hasPrefix(attributes.name, "co")', {"name": "com"}, True),
    ('hasPrefix(attributes.name, "co")', {"name": "net"}, False),
    ('NOT hasPrefix(attributes.name, "co")', {"name": "net"}, True),
    ('NOT hasPrefix(attributes.name, "co")', {"name": "com"}, False),
    # [GCP] boolean operators, valid examples
    ('attributes:"iana.org/language_tag" AND NOT attributes.name = "com"', {"iana.org/language_tag": "en"}, True),
    (
        'attributes:"iana.org/language_tag" AND NOT attributes.name = "com"',
        {"iana.org/language_tag": "en", "name": "com"},
        False,
    ),
    (
        'attributes:"iana.org/language_tag" AND (attributes.name = "net" OR attributes.name = "org")',
        {"iana.org/language_tag": "en", "name": "org"},
        True,
    ),
    (
        'attributes:"iana.org/language_tag" AND (attributes.name = "net" OR attributes.name = "org")',
        {"name": "org"},
        False,
    ),
    ('attributes.name = "com" AND -attributes:"iana.org/language_tag"', {"name": "com"}, True),
    (
        'attributes.name = "com" AND -attributes:"iana.org/language_tag"',
        {"name": "com", "iana.org/language_tag": "en"},
        False,
    ),
    ('attributes."iana.org/language_tag" = "en"', {"iana.org/language_tag": "en"}, True),
    ('attributes:"\\u307F\\u3093\\u306A"', {"\u307f\u3093\u306a": "x"}, True),
    ('attributes.author="unknown"', {"author": "unknown"}, True),  # [GCP] client-library samples, no spaces
    # edge cases: empty attributes, missing keys, case-sensitivity, hyphenated bare keys, escapes
    ("", {}, True),
    ("attributes:name", {}, False),
    ('attributes.name != "com"', {}, True),  # "!=" is NOT "=": true without the key ([pstest] expects 8, 10, 11)
    ('hasPrefix(attributes.name, "")', {}, False),
    ('attributes.name = "com"', {"name": "Com"}, False),
    ('attributes.my-key = "x" AND attributes:my_key2', {"my-key": "x", "my_key2": ""}, True),
    ("attributes.k = 'single quoted'", {"k": "single quoted"}, True),
    (r'attributes.k = "a\"b\\c\n\x41\101\u00e9\U0001F600"', {"k": 'a"b\\c\nAAé\U0001f600'}, True),
    ("NOT (attributes:a OR attributes:b)", {"c": "1"}, True),
    ("((attributes:a))", {"a": "1"}, True),
    ("attributes:a OR attributes:b OR attributes:c", {"c": "1"}, True),
    ("attributes:a AND attributes:b AND attributes:c", {"a": "1", "b": "2"}, False),
]


@pytest.mark.parametrize(("text", "attributes", "expected"), PUBSUB_MATCHES)
def test_pubsub_filter_matches_like_the_service(text, attributes, expected):
    assert parse_pubsub_filter(text).matches(attributes) is expected


PSTEST_MESSAGES = {  # [pstest] getAttrs()
    1: {"lang": "en", "name": "com", "timezone": "UTC"},
    2: {"lang": "en", "name": "net", "timezone": "UTC"},
    3: {"lang": "en", "name": "org", "timezone": "UTC"},
    4: {"lang": "cn", "name": "com", "timezone": "UTC"},
    5: {"lang": "cn", "name": "net", "timezone": "UTC"},
    6: {"lang": "cn", "name": "org", "timezone": "UTC"},
    7: {"lang": "jp", "name": "co", "timezone": "UTC"},
    8: {"lang": "jp", "timezone": "UTC"},
    9: {"name": "com", "timezone": "UTC"},
    10: {"lang": "jp", "\u307f\u3093\u306a": "dummy1"},
    11: {"\u307f\u3093\u306a": "dummy2"},
    12: {"name": "com", "\u307f\u3093\u306a": "dummy3"},
}


@pytest.mark.parametrize(
    ("text", "selected"),
    [  # [pstest] Test_filterByAttrs
        ('attributes.name = "com"', [1, 4, 9, 12]),
        ('attributes.name != "com"', [2, 3, 5, 6, 7, 8, 10, 11]),
        ('hasPrefix(attributes.name, "co")', [1, 4, 7, 9, 12]),
        ("attributes:name", [1, 2, 3, 4, 5, 6, 7, 9, 12]),
        ("NOT attributes:name", [8, 10, 11]),
        ('(NOT attributes:name) OR attributes.name = "co"', [7, 8, 10, 11]),
        ('NOT (attributes:name OR attributes.lang = "jp")', [11]),
        ('attributes.name = "com" AND -attributes:"lang"', [9, 12]),
        ('attributes:"\u307f\u3093\u306a"', [10, 11, 12]),
    ],
)
def test_pubsub_filter_agrees_with_googles_fake_server(text, selected):
    found = [number for number, attributes in PSTEST_MESSAGES.items() if parse_pubsub_filter(text).matches(attributes)]
    assert found == selected


PUBSUB_ERRORS = [
    # [GCP] documented invalid filters
    ('"com" = attributes.name', "cannot start with a quoted value"),
    ("attributes.name = attributes.website", "not two keys"),
    ("attributes:\\u307F\\u3093\\u306A", "must be quoted"),
    (
        'attributes:"iana.org/language_tag" AND attributes.name = "net" OR attributes.name = "org"',
        "`AND` and `OR` cannot be mixed without parentheses: write `(a AND b) OR c`",
    ),
    ('attributes.name = "com" AND ("net" OR "org")', "cannot start with a quoted value"),
    # "The operators must be in uppercase letters." [GCP]
    ("attributes:a and attributes:b", "`and` must be written in uppercase: use `AND`"),
    ("attributes:a Or attributes:b", "use `OR`"),
    ("not attributes:a", "use `NOT`"),
    # keys with other characters than letters, digits, - and _ need a string literal [GCP]
    ('attributes.iana.org/language_tag = "en"', 'write `"iana.org/language_tag"`'),
    ("attributes:na me", "expected `AND` or `OR` before `me`"),
    # only =, != and : compare; hasPrefix is the only function [GCP]
    ('attributes.size > "3"', "only with `=` and `!=`"),
    ('hasSuffix(attributes.x, "a")', "`hasPrefix` is the only one"),
    ('hasprefix(attributes.x, "a")', "spelled `hasPrefix`"),
    ('hasPrefix(attributes:x, "a")', "first argument of `hasPrefix`"),
    ("hasPrefix(attributes.x, a)", "prefix must be a quoted string"),
    ('hasPrefix(attributes.x "a")', "separated by a comma"),
    ('hasPrefix(attributes.x, "a"', "never closed"),
    ("attributes.name = com", 'write `"com"`'),  # "The value must be a string literal." [GCP]
    ("attributes.name", "needs a comparison"),
    ("Attributes:name", "lowercase"),
    ("attributes", "write `attributes:KEY`"),
    # structure
    ("", None),
    ("()", "expected a condition before `)`"),
    ("(attributes:a", "never closed"),
    ("attributes:a)", "no matching `(`"),
    ("attributes:a attributes:b", "expected `AND` or `OR`"),
    ("attributes:a AND", "ends where a condition is expected"),
    ("AND attributes:a", "needs a condition on its left"),
    ("NOT", "ends where a condition is expected"),
    ("kind = 'x'", "`kind` is not a condition"),
    # strings and escapes [GCP]: escape non-printing characters; unicode, hex, octal escapes
    ('attributes.k = "abc', "never closed"),
    ('attributes.k = "a\nb"', "must be escaped"),
    (r'attributes.k = "\q"', "not a valid escape"),
    (r'attributes.k = "\u12"', "4 hex digits"),
    (r'attributes.k = "\uD800"', "valid character"),
    (r'attributes.k = "\18"', "three digits"),
    ('attributes.k = "\\', "never closed"),
    # "The maximum length of a filter is 256 bytes." [GCP], counted in UTF-8 bytes
    ('attributes.k = "' + "x" * 240 + '"', "limited to 256 bytes, this one has 257"),
    ('attributes.k = "' + "\u00e9" * 120 + '"', "limited to 256 bytes, this one has 257"),
]


@pytest.mark.parametrize(("text", "message"), [case for case in PUBSUB_ERRORS if case[1]])
def test_pubsub_filter_errors_name_the_problem_and_the_fix(text, message):
    with pytest.raises(FilterError) as raised:
        parse_pubsub_filter(text)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_pubsub_filter_length_limit_is_inclusive_and_counts_bytes():
    assert parse_pubsub_filter('attributes.k = "' + "x" * 239 + '"').matches({"k": "x" * 239})
    with pytest.raises(FilterError, match="this one has 258"):
        parse_pubsub_filter('attributes.k = "' + "x" * 239 + '\u00e9"')


def test_pubsub_filter_refuses_non_strings_and_keeps_its_text():
    with pytest.raises(FilterError, match="must be a string, got int"):
        parse_pubsub_filter(42)
    assert PubSubFilter("attributes:a").text == "attributes:a"
    with pytest.raises(FilterError):
        PubSubFilter("attributes")


PUBSUB_TOKENS = [
    "attributes",
    ".",
    ":",
    "k",
    "my-key",
    '"v"',
    "'v'",
    '"a\\"b"',
    "=",
    "!=",
    "AND",
    "OR",
    "NOT",
    "and",
    "-",
    "(",
    ")",
    "hasPrefix",
    ",",
    '"\\u00e9"',
    '"',
    "\\",
    "<",
    "x.y",
    "\u00e9",
    "\n",
    " ",
]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(PUBSUB_TOKENS), max_size=40).map("".join),
        st.lists(st.sampled_from(PUBSUB_TOKENS), max_size=40).map(" ".join),
    ),
    st.dictionaries(st.sampled_from(["k", "my-key", "v", "x.y"]), st.sampled_from(["v", 'a"b', ""])),
)
def test_any_pubsub_text_parses_or_raises_filter_error(text, attributes):
    try:
        parsed = parse_pubsub_filter(text)
    except FilterError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert parsed.matches(attributes) in (True, False)


KEYS = st.sampled_from(["k", "my-key", "a.b", 'q"uote', "\u00e9"])
ATOMS = st.one_of(
    st.tuples(st.just("has"), KEYS),
    st.tuples(st.sampled_from(["eq", "ne", "prefix"]), KEYS, st.sampled_from(["", "v", "va", 'x"\\'])),
)
TREES = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.tuples(st.just("NOT"), inner),
        st.tuples(st.sampled_from(["AND", "OR"]), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=6,
)


def render(tree) -> str:
    """A filter text for a tree, written with the documented syntax and no reliance on precedence."""

    def quote(text: str) -> str:  # JSON string escapes are all valid filter escapes
        return json.dumps(text, ensure_ascii=False)

    if tree[0] == "has":
        return f"attributes:{quote(tree[1])}"
    if tree[0] == "prefix":
        return f"hasPrefix(attributes.{quote(tree[1])}, {quote(tree[2])})"
    if tree[0] in ("eq", "ne"):
        return f"attributes.{quote(tree[1])} {'=' if tree[0] == 'eq' else '!='} {quote(tree[2])}"
    if tree[0] == "NOT":
        return f"NOT ({render(tree[1])})"
    return f" {tree[0]} ".join(f"({render(part)})" for part in tree[1])


def oracle(tree, attributes) -> bool:
    """[GCP]'s table, written independently: ":" has the key, "=" has it with the value, "!=" is NOT "="."""
    kind = tree[0]
    if kind == "has":
        return tree[1] in attributes
    if kind == "eq":
        return attributes.get(tree[1]) == tree[2]
    if kind == "ne":
        return attributes.get(tree[1]) != tree[2]
    if kind == "prefix":
        return tree[1] in attributes and attributes[tree[1]].startswith(tree[2])
    if kind == "NOT":
        return not oracle(tree[1], attributes)
    return (all if kind == "AND" else any)(oracle(part, attributes) for part in tree[1])


@settings(max_examples=300, deadline=None)
@given(TREES, st.dictionaries(KEYS, st.sampled_from(["", "v", "value", 'x"\\'])))
def test_pubsub_filter_agrees_with_the_documented_semantics(tree, attributes):
    text = render(tree)
    if len(text.encode()) > 256:
        with pytest.raises(FilterError, match="limited to 256 bytes"):
            parse_pubsub_filter(text)
    else:
        assert parse_pubsub_filter(text).matches(attributes) is oracle(tree, attributes)


# ------------------------------------------------------------------------------------------------ SNS

MESSAGE = {  # [SNS sns-subscription-filter-policies] "Example message with attributes"
    "customer_interests": ["soccer", "rugby", "hockey"],
    "store": "example_corp",
    "event": "order_placed",
    "price_usd": 210.75,
}
CLOUDWATCH_OR = {"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}

SNS_MATCHES = [
    # [SNS example-filter-policies] a policy that accepts the example message, and one that rejects it
    (
        {
            "store": ["example_corp"],
            "event": [{"anything-but": "order_cancelled"}],
            "customer_interests": ["rugby", "football", "baseball"],
            "price_usd": [{"numeric": [">=", 100]}],
        },
        MESSAGE,
        True,
    ),
    (
        {
            "store": ["example_corp"],
            "event": ["order_cancelled"],
            "encrypted": [False],
            "customer_interests": ["basketball", "baseball"],
        },
        MESSAGE,
        False,
    ),
    # [SNS string-value-matching] exact matching, String and String.Array
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": "rugby"}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": "tennis"}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": ["rugby", "tennis"]}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": "baseball"}, False),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": ["baseball"]}, False),
    # anything-but: a String.Array matches when one element is not excluded
    ({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}, {"customer_interests": "baseball"}, True),
    ({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}, {"customer_interests": "football"}, True),
    (
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": ["rugby", "baseball"]},
        True,
    ),
    ({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}, {"customer_interests": "rugby"}, False),
    ({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}, {"customer_interests": ["rugby"]}, False),
    ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "data-entry"}, True),
    ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "order_number"}, True),
    ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "order-cancelled"}, False),
    (
        {"customer_interests": [{"anything-but": {"wildcard": "*ball"}}]},
        {"customer_interests": ["hockey", "rugby", "soccer"]},
        True,
    ),
    (
        {"customer_interests": [{"anything-but": {"wildcard": "*ball"}}]},
        {"customer_interests": ["baseball", "basketball"]},
        False,
    ),
    (
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": ["hockey", "rugby", "soccer"]},
        True,
    ),
    (
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": ["baseball", "basketball"]},
        False,
    ),
    ({"customer_interests": [{"equals-ignore-case": "tennis"}]}, {"customer_interests": "TENNIS"}, True),
    ({"customer_interests": [{"equals-ignore-case": "tennis"}]}, {"customer_interests": "Tennis"}, True),
    ({"customer_interests": [{"equals-ignore-case": "tennis"}]}, {"customer_interests": "teNnis"}, True),
    ({"customer_interests": [{"equals-ignore-case": "tennis"}]}, {"customer_interests": "tennis!"}, False),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.0.0.0"}, True),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.0.0.255"}, True),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.1.1.0"}, False),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "not an address"}, False),
    ({"source_ip": [{"cidr": "2001:db8::/32"}]}, {"source_ip": "2001:db8:1::5"}, True),
    ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": "baseball"}, True),
    ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": "basketball"}, True),
    ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": "rugby"}, False),
    ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": "baseball"}, True),
    ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": "basketball"}, True),
    ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": "rugby"}, False),
    ({"customer_interests": [{"wildcard": "*ball"}]}, {"customer_interests": ["baseball", "basketball"]}, True),
    ({"customer_interests": [{"wildcard": "*ball"}]}, {"customer_interests": "balloon"}, False),
    ({"customer_interests": [{"wildcard": "b*e*l"}]}, {"customer_interests": "baseball"}, True),
    ({"k": [{"wildcard": "a\\*"}]}, {"k": "a*"}, True),
    ({"k": [{"wildcard": "a\\*"}]}, {"k": "ab"}, False),
    ({"customer_interests": ["Rugby"]}, {"customer_interests": "rugby"}, False),  # case-sensitive [constraints]
    # [SNS numeric-value-matching]
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 301.5}, True),
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 3.015e2}, True),
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 301.6}, False),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": 101}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": 100.1}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": [100, 50]}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": 100}, False),
    ({"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": -0.5}, True),
    ({"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": 0}, False),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 150}, True),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 0}, False),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 150.5}, False),
    # [SNS attribute-key-matching]
    ({"store": [{"exists": True}]}, {"store": "fans", "customer_interests": ["baseball", "basketball"]}, True),
    ({"store": [{"exists": True}]}, {"customer_interests": ["baseball", "basketball"]}, False),
    ({"store": [{"exists": False}]}, {"store": "fans", "customer_interests": ["baseball", "basketball"]}, False),
    ({"store": [{"exists": False}]}, {"customer_interests": ["baseball", "basketball"]}, True),
    ({"store": [{"exists": False}]}, {}, False),  # "An empty set of attributes results in the filter not matching."
    ({"store": [{"exists": True}]}, {"store": ""}, False),  # "The key must have a non-null and non-empty value."
    # [SNS and-or-logic]
    (
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": "rugby", "price_usd": 150},
        True,
    ),
    (
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": "rugby", "price_usd": 50},
        False,
    ),
    ({"customer_interests": ["rugby", "football", "baseball"]}, {"customer_interests": "football"}, True),
    (CLOUDWATCH_OR, {"source": "aws.cloudwatch", "metricName": "CPUUtilization"}, True),
    (CLOUDWATCH_OR, {"source": "aws.cloudwatch", "namespace": "AWS/EC2"}, True),
    (CLOUDWATCH_OR, {"source": "aws.cloudwatch"}, False),
    (CLOUDWATCH_OR, {"metricName": "CPUUtilization", "namespace": "AWS/EC2"}, False),
    # an "$or" that is not an OR relationship "is treated as a regular attribute name" [SNS and-or-logic]
    ({"$or": [{"prefix": "ab"}, {"suffix": "yz"}]}, {"$or": "abc"}, True),
    ({"$or": [{"prefix": "ab"}, {"suffix": "yz"}]}, {"a": "abc"}, False),
    # edge cases: empty attributes, missing keys, anything-but without the key, Number vs String, Binary
    ({}, {}, True),
    ({"kind": ["image"]}, {}, False),
    ({"kind": [{"anything-but": "image"}]}, {}, False),
    ({"kind": [{"anything-but": "image"}]}, {"other": "x"}, False),
    ({"kind": [{"anything-but": "image"}, {"exists": False}]}, {"other": "x"}, True),  # "can be combined" [SNS]
    ({"size": [5]}, {"size": 5.0}, True),
    ({"size": [5.0]}, {"size": 5}, True),
    ({"size": [{"numeric": ["=", 5]}]}, {"size": 5.0}, True),
    ({"size": [5]}, {"size": "5"}, False),
    ({"size": ["5"]}, {"size": 5}, False),
    ({"size": [{"numeric": [">", 1]}]}, {"size": "5"}, False),
    ({"size": [{"numeric": [">", 1]}]}, {"size": True}, False),
    ({"size": [{"numeric": ["=", 1.00001]}]}, {"size": 1.000012}, True),  # five digits of accuracy [constraints]
    ({"flag": [True]}, {"flag": [True, "x"]}, True),
    ({"flag": [True]}, {"flag": [1]}, False),
    ({"gone": [None]}, {"gone": ["a", None]}, True),
    ({"sig": [{"exists": False}]}, {"sig": b"\x00", "region": "EU"}, True),  # "ignores ... Binary" [constraints]
    ({"sig": [{"exists": False}]}, {"sig": b"\x00"}, False),
    ({"kind": ["image", "text"], "size": [{"numeric": [">", 0, "<=", 100]}]}, {"kind": "text", "size": 100}, True),
]


@pytest.mark.parametrize(("policy", "attributes", "expected"), SNS_MATCHES)
def test_sns_filter_policy_matches_like_the_service(policy, attributes, expected):
    assert parse_sns_filter_policy(policy).matches(attributes) is expected


def values(count: int) -> list[str]:
    return [f"value{i}" for i in range(count)]


# [AWS-snapshot] test_policy_complexity_with_or: (3 * 6) + (3 * 4 * 4) + (3 * 4 * 7) = 150 is accepted
COMPLEX_OR = {
    "source": values(3),
    "$or": [
        {"metricName": values(6)},
        {"metricType": values(4), "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4, 5, 6, 7]}]},
    ],
}


@pytest.mark.parametrize(
    "policy",
    [
        {"key_a": values(3), "key_b": values(1), "key_c": values(2)},  # 3 x 1 x 2 = 6 [SNS constraints]
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"metricType": ["MetricType"], "$or": [{"metricId": [1234, 4321]}, {"spaceId": [1000, 2000, 3000]}]},
            ],
        },  # 7
        COMPLEX_OR,
        {"key": values(150)},
        {f"key{i}": ["v"] for i in range(5)},
        {"n": [{"numeric": [">=", -1_000_000_000, "<=", 1_000_000_000]}], "m": [0.00001, 123456789.12345]},
        {"k": [{"anything-but": {"prefix": ["a", "b"]}}, {"anything-but": "x"}, {"anything-but": 5}]},
        {"k": [{"cidr": "10.0.0.7/24"}, {"cidr": "::/0"}, "text", 1, True, False, None]},
    ],
)
def test_sns_filter_policy_accepts_what_the_service_accepts(policy):
    assert parse_sns_filter_policy(policy).document is policy


def with_more_spaces(count: int) -> dict:
    policy = json.loads(json.dumps(COMPLEX_OR))
    policy["$or"][1]["$or"][1]["spaceId"] = list(range(1, 8 + count))
    return policy


SNS_ERRORS = [
    # [SNS subscription-filter-policy-constraints] and [AWS-snapshot] test_policy_complexity*
    ({f"key{i}": ["v"] for i in range(6)}, "SNS allows at most 5 attribute names in a filter policy, got 6"),
    (
        {"a": ["v"], "$or": [{f"k{i}": ["v"] for i in range(5)}, {"b": ["v"]}]},
        "attribute names in a filter policy, got 6",
    ),
    ({"key": values(151)}, "value combinations come to 151, more than 150"),
    ({"key1": values(100), "key2": values(51)}, "come to 5100"),
    (with_more_spaces(1), "come to 162"),
    ({"k": ["x" * (256 * 1024)]}, "limited to 256 KB"),
    ({"n": [{"numeric": ["<", 1_000_000_001]}]}, "between -1000000000 and 1000000000"),
    ({"n": [-1e10]}, "between -1000000000 and 1000000000"),
    ({"n": [{"numeric": ["=", 0.000001]}]}, "round it to 5 decimals"),
    ({"n": [float("nan")]}, "between -1000000000 and 1000000000"),
    # MessageAttributes scope: no nesting, lists only ([AWS-snapshot] error texts, event-ruler)
    ({"key_a": {"key_b": ["v"]}}, "cannot nest objects"),
    ({"key_a": "value_one"}, 'write "key_a": ["value_one"]'),
    ({"key": []}, "non-empty list"),
    ({"key": [["value"]]}, "cannot hold another list"),
    ({"key": [{"wrong-operator": True}]}, '`"wrong-operator"` is not an SNS filter operator'),
    ({"key": [{"suffix": "value", "prefix": "value2"}]}, "exactly one key"),
    ({"key": [{"suffix": 100}]}, "`suffix` needs a string"),
    ({"key": [{"prefix": None}]}, "`prefix` needs a string"),
    ({"key": [{"equals-ignore-case": ["a"]}]}, "`equals-ignore-case` needs a string"),
    ({"key": [{"exists": "no"}]}, "`exists` must be true or false"),
    ({"key": [{"exists": None}]}, "`exists` must be true or false"),
    ({"key": [{1, 2}]}, "is not a JSON value"),
    # numeric ([AWS-snapshot] test_validate_policy_numeric_operator)
    ({"key": [{"numeric": []}]}, "starts with an operator"),
    ({"key": [{"numeric": ["operator"]}]}, "`operator` is not a numeric operator"),
    ({"key": [{"numeric": [1, "<="]}]}, "starts with an operator"),
    ({"key": [{"numeric": ["=", "000"]}]}, "must be a number"),
    ({"key": [{"numeric": [">="]}]}, "needs a number after it"),
    ({"key": [{"numeric": ["<", 100, ">", 10]}]}, "lower bound (> or >=) then an upper bound"),
    ({"key": [{"numeric": [">=", 1, ">", 2]}]}, "lower bound (> or >=) then an upper bound"),
    ({"key": [{"numeric": [">", 3, "<", 1]}]}, "must be less than the upper bound"),
    ({"key": [{"numeric": [">", 3, "<", 3]}]}, "must be less than the upper bound"),
    ({"key": [{"numeric": [">", 20, "<="]}]}, "lower bound (> or >=) then an upper bound"),
    ({"key": [{"numeric": [">", 20, 30]}]}, "lower bound (> or >=) then an upper bound"),
    ({"key": [{"numeric": [">", "20", "<", "30"]}]}, "the value of `>` must be a number"),
    ({"key": [{"numeric": [">", 20, "<", "30"]}]}, "the value of `<` must be a number"),
    ({"key": [{"numeric": [">", 20, "<", 30, "<", 50]}]}, "lower bound (> or >=) then an upper bound"),
    ({"key": [{"numeric": ["=", True]}]}, "must be a number"),
    ({"key": [{"numeric": ">"}]}, "needs a list"),
    # cidr ([AWS-snapshot] test_validate_policy_string_operators, event-ruler CIDR.java)
    ({"key": [{"cidr": ["bad-filter"]}]}, "needs a string with one `/`"),
    ({"key": [{"cidr": "bad-filter"}]}, "needs a string with one `/`"),
    ({"key": [{"cidr": "bad-filter/24"}]}, "`bad-filter` in `cidr` is not an IPv4 or IPv6 address"),
    ({"key": [{"cidr": "10.0.0.0/xx"}]}, "must be an integer"),
    ({"key": [{"cidr": "xx.11.xx/24"}]}, "is not an IPv4 or IPv6 address"),
    ({"key": [{"cidr": "10.0.0.0/32"}]}, "must be 0 to 31"),
    ({"key": [{"cidr": "2001:db8::/128"}]}, "must be 0 to 127"),
    # anything-but ([AWS-snapshot] test_validate_policy_nested_anything_but_operator, event-ruler)
    ({"key": [{"anything-but": {"wrong-operator": None}}]}, "exactly one of `prefix`, `suffix` or `wildcard`"),
    ({"key": [{"anything-but": {"exists": False}}]}, "exactly one of `prefix`, `suffix` or `wildcard`"),
    ({"key": [{"anything-but": {"prefix": False}}]}, "`prefix` needs a string"),
    ({"key": [{"anything-but": {"prefix": ""}}]}, "needs a non-empty string"),
    ({"key": [{"anything-but": [True]}]}, "takes strings or numbers"),
    ({"key": [{"anything-but": None}]}, "takes strings or numbers"),
    ({"key": [{"anything-but": ["a", 1]}]}, "only strings or only numbers"),
    ({"key": [{"anything-but": []}]}, "only strings or only numbers"),
    # wildcard (event-ruler WildcardParser)
    ({"key": [{"wildcard": "a**b"}]}, "consecutive `*`"),
    ({"key": [{"wildcard": "a\\b"}]}, "escapes neither"),
    ({"key": [{"wildcard": 3}]}, "`wildcard` needs a string"),
    # $or ([SNS and-or-logic], event-ruler)
    ({"$or": [{"numeric": 123}, {"prefix": "abc"}]}, "`$or` needs a list of at least 2 objects"),
    ({"$or": [{"a": ["x"]}]}, "`$or` needs a list of at least 2 objects"),
    ({"$or": [{"a": ["x"]}, {}]}, "an object inside `$or` is empty"),
    ({"$or": [{"a": ["x"]}, {"b": "y"}]}, 'write "b": ["y"]'),
    # not a policy at all
    (["kind"], "must be a mapping of attribute names to lists, got list"),
    ('{"kind": ["image"]}', "got str"),
    (None, "got NoneType"),
    ({1: ["x"]}, "attribute names must be strings"),
]


@pytest.mark.parametrize(("policy", "message"), SNS_ERRORS)
def test_sns_filter_policy_errors_name_the_problem_and_the_fix(policy, message):
    with pytest.raises(FilterError) as raised:
        parse_sns_filter_policy(policy)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_sns_filter_policy_size_is_measured_in_utf8_bytes():
    parse_sns_filter_policy({"k": ["x" * (256 * 1024 - 10)]})  # {"k":["..."]} is exactly 256 KB
    with pytest.raises(FilterError, match="this one has 262145 bytes"):
        parse_sns_filter_policy({"k": ["x" * (256 * 1024 - 11) + "\u00e9"]})


def test_sns_filter_policy_survives_self_reference_and_deep_nesting():
    looped: dict = {"a": ["x"]}
    looped["$or"] = [looped, {"b": ["y"]}]
    with pytest.raises(FilterError, match="nested too deeply"):
        parse_sns_filter_policy(looped)
    deep: dict = {"a": ["x"]}
    for _ in range(3000):
        deep = {"$or": [deep, {"b": ["y"]}]}
    with pytest.raises(FilterError):
        parse_sns_filter_policy(deep)


def test_sns_filter_policy_is_a_frozen_value():
    policy = SnsFilterPolicy({"kind": ["image"]})
    assert policy.document == {"kind": ["image"]}
    with pytest.raises(AttributeError):
        policy.document = {}  # type: ignore[misc]


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.builds(pow, st.just(10), st.just(5000)),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["=", ">", "<=", "*a", "10.0.0.0/8", "prefix", "$or"]),
)
OPERATOR_NAMES = st.sampled_from(
    [
        "anything-but",
        "cidr",
        "equals-ignore-case",
        "exists",
        "numeric",
        "prefix",
        "suffix",
        "wildcard",
        "$or",
        "kind",
        "size",
    ]
)
json_data = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.one_of(OPERATOR_NAMES, st.text(max_size=4)), inner, max_size=4)
    ),
    max_leaves=25,
)


TEXT = st.sampled_from(["", "a", "ab", "*b", "a**", "a\\*", "x\\", "10.0.0.1", "10.0.0.0/8", "::1/64", "A"])
NUMBER = st.one_of(st.integers(-2_000_000_000, 2_000_000_000), st.floats(-1e10, 1e10), st.sampled_from([0.000001]))
RULES = st.one_of(
    TEXT,
    NUMBER,
    st.booleans(),
    st.none(),
    st.builds(
        lambda op, arg: {op: arg},
        st.sampled_from(["prefix", "suffix", "equals-ignore-case", "wildcard", "cidr"]),
        st.one_of(TEXT, NUMBER),
    ),
    st.builds(
        lambda arg: {"anything-but": arg},
        st.one_of(
            TEXT,
            NUMBER,
            st.lists(st.one_of(TEXT, NUMBER), max_size=3),
            st.builds(lambda op, p: {op: p}, st.sampled_from(["prefix", "suffix", "wildcard"]), TEXT),
        ),
    ),
    st.builds(
        lambda terms: {"numeric": terms},
        st.lists(st.one_of(st.sampled_from(["=", "<", "<=", ">", ">="]), NUMBER), max_size=5),
    ),
    st.builds(lambda flag: {"exists": flag}, st.one_of(st.booleans(), TEXT)),
)
NAMES = st.sampled_from(["kind", "size", "ip", "tags", "a", "b"])
CONJUNCTION = st.dictionaries(NAMES, st.lists(RULES, min_size=1, max_size=3), min_size=1, max_size=3)
POLICIES = st.one_of(
    CONJUNCTION,
    st.builds(
        lambda top, options: {**top, "$or": options},
        st.dictionaries(NAMES, st.lists(RULES, min_size=1, max_size=2), max_size=2),
        st.lists(CONJUNCTION, min_size=2, max_size=3),
    ),
)
ATTRIBUTE_VALUES = st.one_of(
    TEXT, NUMBER, st.booleans(), st.lists(st.one_of(TEXT, NUMBER, st.none()), max_size=3), st.binary(max_size=2)
)


@settings(max_examples=600, deadline=None)
@given(POLICIES, st.dictionaries(NAMES, ATTRIBUTE_VALUES))
def test_policy_shaped_sns_data_parses_and_matches_or_raises_filter_error(policy, attributes):
    try:
        parsed = parse_sns_filter_policy(policy)
    except FilterError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert parsed.matches(attributes) in (True, False)


@settings(max_examples=600, deadline=None)
@given(
    json_data,
    st.dictionaries(
        st.sampled_from(["kind", "size", "$or", "a"]),
        st.one_of(json_scalars, st.lists(json_scalars, max_size=3), st.binary(max_size=2)),
    ),
)
def test_any_sns_data_parses_or_raises_filter_error(policy, attributes):
    try:
        parsed = parse_sns_filter_policy(policy)
    except FilterError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert parsed.matches(attributes) in (True, False)


@pytest.mark.parametrize(
    "text, column, words",
    [
        (r'attributes.k = "\u12"', 17, "4 hex digits"),  # the column of the backslash that starts the escape
        (r'attributes.k = "\UFFFFFFFF"', 17, "8 hex digits of a valid character"),  # beyond U+10FFFF
        (r'attributes.k = "\U00110000"', 17, "valid character"),
        (r'attributes.k = "\uDFFF"', 17, "valid character"),  # the last surrogate
        (r'attributes.k = "\18"', 17, "three digits"),
        (r'attributes.k = "\400"', 17, "`\\4` is not a valid escape"),  # an octal escape starts with 0-3
        ('attributes.k = "abc\\', 20, "never closed"),
    ],
)
def test_bad_escapes_point_at_their_backslash(text, column, words):
    with pytest.raises(FilterError) as caught:
        parse_pubsub_filter(text)
    assert f"column {column}:" in str(caught.value) and words in str(caught.value)


@pytest.mark.parametrize(
    "text, value",
    [
        (r'attributes.k = "\U0010FFFF"', "\U0010ffff"),  # the last character there is
        (r'attributes.k = "\uD7FF"', "\ud7ff"),  # just below the surrogates
        (r'attributes.k = "\uE000"', "\ue000"),  # just above them
        (r'attributes.k = "\101\x42\u0043"', "ABC"),
        (r'attributes.k = "\377"', "\xff"),
    ],
)
def test_escapes_at_the_edges_of_unicode(text, value):
    assert parse_pubsub_filter(text).matches({"k": value})
