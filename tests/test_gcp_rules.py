"""Boundaries and messages of GCP validate rules added for issue 13 that the bad corpus (one failing case each)
cannot pin down: the edge that is still valid, and what the message says."""

from __future__ import annotations

import pytest

from aipipe.validation import load_spec

from conftest import DATA

SUBSCRIPTION = (
    "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  t: {type: topic}\n"
    "  s:\n    type: subscription\n    topic: t\n    ignore: [AP502]\n"
)


def _diagnostics(write_spec, text):
    return [(d.code, d.message) for d in load_spec(str(write_spec(text))).diagnostics]


@pytest.mark.parametrize(
    "fields, found",
    [
        ("    expire_after: 1d\n    retention: 1d\n", []),  # exactly Pub/Sub's minimum, exactly the retention
        ("    expire_after: 23h\n    retention: 1d\n", [("AP402", "must be at least 1d (Pub/Sub's minimum), got 23h")]),
        ("    expire_after: 2d\n    retention: 2d\n", []),
        (
            "    expire_after: 2d\n    retention: 3d\n",
            [("AP403", "`expire_after` (2d) must not be shorter than the message retention (3d)")],
        ),
        (
            "    expire_after: 2d\n",  # the default retention, 7 days
            [("AP403", "`expire_after` (2d) must not be shorter than the message retention (7d, the default)")],
        ),
    ],
)
def test_subscription_expiry_bounds(fields, found, write_spec):
    diagnostics = _diagnostics(write_spec, SUBSCRIPTION + fields)
    assert [code for code, _ in diagnostics] == [code for code, _ in found]
    for (_, message), (_, part) in zip(diagnostics, found, strict=True):
        assert part in message


def test_a_dead_letter_table_in_the_outputs_dataset_is_fine(write_spec):
    text = (DATA / "bad" / "dataflow-parameter-deadletter-elsewhere.yaml").read_text()
    assert "AP408" in {c for c, _ in _diagnostics(write_spec, text)}
    assert _diagnostics(write_spec, text.replace("my-project:other.errors", "my-project:analytics.errors")) == []
    malformed = _diagnostics(write_spec, text.replace("my-project:other.errors", "analytics.errors"))
    assert [c for c, _ in malformed] == ["AP408"]
    assert "in the output's dataset `my-project:analytics`" in malformed[0][1]
