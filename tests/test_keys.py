"""Object key patterns: one rule for "does this object fire the trigger" and "can two filters see one object"."""

from __future__ import annotations

import itertools

import pytest

from aipipe.semantics.keys import KeyPattern, written_keys

PATTERNS = [KeyPattern(p, s) for p in ("", "a", "ab", "b") for s in ("", "z", "yz", "y")]
KEYS = ["".join(chars) for n in range(5) for chars in itertools.product("abyz", repeat=n)]


@pytest.mark.parametrize("pattern", PATTERNS, ids=str)
def test_matches_is_prefix_and_suffix(pattern):
    for key in KEYS:
        assert pattern.matches(key) == (key.startswith(pattern.prefix) and key.endswith(pattern.suffix))


@pytest.mark.parametrize("a, b", list(itertools.combinations(PATTERNS, 2)), ids=str)
def test_overlaps_exactly_when_some_key_matches_both(a, b):
    """Checked against every key of up to four letters, which is long enough for any pair here."""
    assert a.overlaps(b) == b.overlaps(a) == any(a.matches(k) and b.matches(k) for k in KEYS)


def test_a_write_prefix_overlaps_a_trigger_whatever_its_suffix():
    assert written_keys("data/").overlaps(KeyPattern("data/", ".json"))
    assert written_keys("").overlaps(KeyPattern("in/", ".json"))
    assert not written_keys("out/").overlaps(KeyPattern("in/", ""))
    assert written_keys("out/") == KeyPattern("out/", "")
