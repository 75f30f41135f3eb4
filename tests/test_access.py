"""Which kinds a function may read or write comes from the kinds' access declarations; a link to a kind that
has none on the spec's cloud is a validate error, never a silent grant of nothing."""

from __future__ import annotations

import dataclasses

import pytest

from aipipe.codegen.context import RenderJob
from aipipe.kinds import registry
from aipipe.kinds.registry import KINDS, accessible
from aipipe.validation import load_spec

SPEC = """\
aipipe: 1
name: demo
cloud: aws
region: us-east-1
resources:
  t: {type: topic}
  s: {type: subscription, topic: t, dead_letter: {max_attempts: 5}}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    reads: [s]
"""


def test_readable_and_writable_kinds_come_from_the_access_declarations():
    assert accessible("reads") == ("bucket", "queue", "stream", "subscription", "table")
    assert accessible("writes") == ("bucket", "queue", "stream", "table", "topic")


def test_every_access_declaration_grants_something():
    for kind in KINDS.values():
        for cloud, form in kind.clouds.items():
            for role, builder in form.access.items():
                granted = builder("target", kind.model.model_construct(type=kind.name), "")
                assert granted, f"{kind.name} {role} on {cloud} grants nothing"


def test_a_kind_without_access_on_the_cloud_is_refused_at_validate(write_spec, monkeypatch):
    subscription = KINDS["subscription"]
    aws = dataclasses.replace(subscription.clouds["aws"], access={})
    monkeypatch.setitem(
        registry.KINDS, "subscription", dataclasses.replace(subscription, clouds={**subscription.clouds, "aws": aws})
    )
    result = load_spec(str(write_spec(SPEC)), "dev")
    [error] = [d for d in result.diagnostics if d.severity.value == "error"]
    assert (error.code, error.line) == ("AP305", 13) and "least-privilege" in error.message
    with pytest.raises(LookupError):
        RenderJob(load_spec(str(write_spec(SPEC.replace("    reads: [s]\n", ""))), "dev").spec).access("s", "reads")
