"""did_you_mean's length prefilter loses nothing against plain difflib."""

from __future__ import annotations

import difflib
import random
import string

from aipipe.core.suggest import did_you_mean


def test_prefilter_matches_plain_difflib():
    generator = random.Random(7)
    words = sorted(
        {"".join(generator.choices(string.ascii_lowercase + "-", k=generator.randint(1, 30))) for _ in range(2000)}
        | {"event-driven-ingest", "distributed-pubsub"}
    )
    for word in words[:200] + ["event-driven", "buckt", "x"]:
        expected = difflib.get_close_matches(word, words, n=1, cutoff=0.6)
        assert did_you_mean(word, words) == (f" (did you mean `{expected[0]}`?)" if expected else "")
