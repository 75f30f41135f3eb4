"""Object key patterns: one rule for "does this object fire the trigger" and "can two filters see one object"."""

from __future__ import annotations

import itertools
import re

import pytest

from aipipe.semantics.keys import KeyPattern, eventbridge_key_filter, written_keys

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


# --- EventBridge: the same key sets as pattern values ---------------------------------------------------------


def _wildcard_regex(text: str) -> re.Pattern:
    """aws/event-ruler's wildcard: `*` any run of characters, `\\*` a literal star, `\\\\` a literal backslash."""
    parts, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            assert text[i + 1] in "*\\", "event-ruler refuses escaping any other character"
            parts.append(re.escape(text[i + 1]))
            i += 2
        else:
            assert not (text[i] == "*" and text[i + 1 : i + 2] == "*"), "consecutive wildcards are refused"
            parts.append(".*" if text[i] == "*" else re.escape(text[i]))
            i += 1
    return re.compile("".join(parts), re.DOTALL)


def eventbridge_matches(values: list, key: str) -> bool:
    """Whether `key` matches one of a pattern field's values (they are alternatives)."""
    for value in values:
        if isinstance(value, str):
            found = value == key
        elif "prefix" in value:
            found = key.startswith(value["prefix"])
        elif "suffix" in value:
            found = key.endswith(value["suffix"])
        else:
            found = bool(_wildcard_regex(value["wildcard"]).fullmatch(key))
        if found:
            return True
    return False


TRICKY = [KeyPattern(p, s) for p in ("a", "ab", "a*", "\\", "*a") for s in ("a", "ba", "*", "\\z", "a*")]
ODD_KEYS = ["".join(chars) for n in range(6) for chars in itertools.product("ab*\\z", repeat=n)]


@pytest.mark.parametrize("pattern", [p for p in PATTERNS + TRICKY if p.prefix or p.suffix], ids=str)
def test_eventbridge_filter_matches_exactly_the_keys_s3_would(pattern):
    """Prefix and suffix overlapping inside a short key (`aba` for `ab` + `ba`), stars and backslashes taken
    literally: every key of up to five characters is judged alike by S3's rule and the EventBridge values."""
    values = eventbridge_key_filter(pattern)
    for key in ODD_KEYS if pattern in TRICKY else KEYS:
        assert eventbridge_matches(values, key) == pattern.matches(key), key


def test_eventbridge_filter_uses_the_plain_operators_when_it_can():
    assert eventbridge_key_filter(KeyPattern("raw/")) == [{"prefix": "raw/"}]
    assert eventbridge_key_filter(KeyPattern("", ".json")) == [{"suffix": ".json"}]
    assert eventbridge_key_filter(KeyPattern()) == []
    assert eventbridge_key_filter(KeyPattern("raw/", "/manifest.json")) == [
        {"wildcard": "raw/*/manifest.json"},
        "raw/manifest.json",  # the `/` both share
    ]
