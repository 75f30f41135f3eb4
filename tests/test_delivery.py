"""The effective delivery of a subscription on each cloud: the spec's values, else the cloud's documented
defaults. AP504 and the coming local runner read it; these tests hold each field to its source."""

from __future__ import annotations

import pytest

from aipipe.kinds.subscription import Subscription
from aipipe.semantics.delivery import LIMITS, Delivery, delivery_of


def subscription(**fields) -> Subscription:
    return Subscription.model_validate({"type": "subscription", "topic": "t", **fields})


@pytest.mark.parametrize(
    "cloud, expected",
    [
        ("aws", Delivery(ack_deadline=30, retention=4 * 86400, max_attempts=None, backoff=None)),
        # no retry policy: "By default, subscriptions use immediate redelivery" (pubsub/docs/handling-failures)
        ("gcp", Delivery(ack_deadline=10, retention=7 * 86400, max_attempts=None, backoff=None)),
    ],
)
def test_defaults_are_the_clouds(cloud, expected):
    assert delivery_of(subscription(), cloud) == expected


def test_an_empty_retry_policy_takes_its_own_defaults():
    assert delivery_of(subscription(retry={}), "gcp").backoff == (10, 600)


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_the_specs_values_win(cloud):
    fields = {"ack_deadline": "2m", "retention": "2d", "dead_letter": {"max_attempts": 7}}
    if cloud == "gcp":
        fields["retry"] = {"min_backoff": "5s", "max_backoff": "1m"}
    delivery = delivery_of(subscription(**fields), cloud)
    assert (delivery.ack_deadline, delivery.retention, delivery.max_attempts) == (120, 2 * 86400, 7)
    assert delivery.backoff == ((5, 60) if cloud == "gcp" else None)


def test_the_documented_ranges():
    assert LIMITS["aws"].retention_range == (60, 14 * 86400)
    assert LIMITS["gcp"].retention_range == (600, 7 * 86400)
    assert LIMITS["aws"].dead_letter_retention == 14 * 86400 and LIMITS["gcp"].dead_letter_retention is None
