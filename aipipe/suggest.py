"""Did-you-mean suggestions for unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean `x`?)' when a candidate is close to `word`, else ''."""
    word = str(word)
    # Only names of similar length can reach the 0.6 similarity cutoff; filtering first keeps this cheap
    # when a spec has hundreds of names.
    near = sorted({c for c in candidates if abs(len(c) - len(word)) <= max(3, len(word) // 2)})
    matches = difflib.get_close_matches(word, near, n=1, cutoff=0.6)
    return f" (did you mean `{matches[0]}`?)" if matches else ""


def one_of(candidates: Iterable[str]) -> str:
    """A short human list: `a`, `b` or `c`."""
    items = [f"`{c}`" for c in sorted(set(candidates))]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
