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
