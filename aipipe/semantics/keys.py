"""Sets of object keys, as bucket notifications filter them: keys that start with a prefix and end with a
suffix (either may be empty). One rule answers both "does this object fire this trigger" and "can these two
filters (or a write prefix and a trigger) ever see the same object".

S3 matches a key against `filter_prefix` and `filter_suffix` independently
(docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyPattern:
    """Every object key that starts with `prefix` and ends with `suffix`."""

    prefix: str = ""
    suffix: str = ""

    def matches(self, key: str) -> bool:
        """Whether the object `key` is in the set."""
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    def overlaps(self, other: KeyPattern) -> bool:
        """Whether some key is in both sets. It is exactly when one prefix extends the other and one suffix
        extends the other: then the longer prefix followed by the longer suffix is such a key; otherwise no key
        can start (or end) with both."""
        return _compatible(self.prefix, other.prefix, str.startswith) and _compatible(
            self.suffix, other.suffix, str.endswith
        )


def _compatible(a: str, b: str, extends) -> bool:
    return extends(a, b) or extends(b, a)


def written_keys(prefix: str) -> KeyPattern:
    """The keys a writer narrowed to `prefix` may create (any key when the prefix is empty)."""
    return KeyPattern(prefix)


def wildcard_literal(text: str) -> str:
    """`text` as a literal inside an EventBridge wildcard: `\\` and `*` escaped with a backslash (aws/event-ruler
    README, "Wildcard matching": a backslash escapes `*` or `\\`, and escaping anything else is refused)."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


def eventbridge_key_filter(keys: KeyPattern) -> list:
    """The values of an EventBridge pattern's `detail.object.key` that match exactly the keys of `keys`, as S3
    filters them (prefix and suffix tested independently), for keys written out in full (no references).

    The values of one field are alternatives (docs.aws.amazon.com/eventbridge/latest/userguide/
    eb-create-pattern-operators.html): a prefix alone is `{"prefix": ...}`, a suffix alone `{"suffix": ...}`,
    and both at once need `{"wildcard": "<prefix>*<suffix>"}` (event buses support it, pipes do not). A wildcard
    requires the prefix and the suffix side by side, so a key where they overlap (`data.json` for `data` and
    `ata.json`) is added as an exact value: such keys are the prefix followed by the part of the suffix past an
    overlap, whenever the prefix ends with the start of the suffix.
    """
    if not keys.prefix and not keys.suffix:
        return []
    if not keys.suffix:
        return [{"prefix": keys.prefix}]
    if not keys.prefix:
        return [{"suffix": keys.suffix}]
    prefix, suffix = keys.prefix, keys.suffix
    overlapping = [
        prefix + suffix[overlap:]
        for overlap in range(min(len(prefix), len(suffix)), 0, -1)
        if prefix.endswith(suffix[:overlap])
    ]
    return [{"wildcard": wildcard_literal(prefix) + "*" + wildcard_literal(suffix)}, *overlapping]
