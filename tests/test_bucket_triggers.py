"""Bucket triggers: which object events fire them, and when two of them (or a write and a trigger) overlap."""

from __future__ import annotations

import pytest

from aipipe.triggers.bucket import BucketTrigger, overlaps


def trigger(**fields) -> BucketTrigger:
    return BucketTrigger.model_validate({"bucket": "raw", **fields})


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (trigger(prefix="in/"), trigger(prefix="in/a/"), True),
        (trigger(prefix="in/"), trigger(prefix="out/"), False),
        (trigger(events=["created"]), trigger(events=["deleted"]), False),  # no shared event: no overlap
        (trigger(events=["created", "deleted"]), trigger(events=["deleted"]), True),
        (trigger(suffix=".json"), trigger(suffix=".csv"), False),
        (trigger(prefix="a/", suffix=".json"), trigger(prefix="b/", suffix=".json"), False),
        (trigger(), trigger(bucket="other"), False),  # another bucket
    ],
)
def test_overlaps(a, b, expected):
    assert overlaps(a, b) is expected and overlaps(b, a) is expected


def test_matches_events_and_keys():
    t = trigger(events=["created"], prefix="data/", suffix=".json")
    assert t.matches("created", "data/x.json")
    assert not t.matches("deleted", "data/x.json")
    assert not t.matches("created", "data/x.csv") and not t.matches("created", "other/x.json")


def test_fires_on_write_needs_the_bucket_a_created_event_and_overlapping_keys():
    t = trigger(prefix="in/", suffix=".json")
    assert t.fires_on_write("raw", "in/") and t.fires_on_write("raw", "")
    assert not t.fires_on_write("other", "in/") and not t.fires_on_write("raw", "out/")
    assert not trigger(events=["deleted"]).fires_on_write("raw", "")
