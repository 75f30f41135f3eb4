"""Did-you-mean suggestions for unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean `x`?)' when a candidate is close to `word`, else ''."""
    word = str(word)
    # difflib's ratio is 2*matches/(len(a)+len(b)) and matches <= the shorter length, so reaching the 0.6
    # cutoff needs shorter/longer >= 3/7. Dropping the others first loses nothing and keeps this cheap when
    # a spec has hundreds of names.
    near = sorted({c for c in candidates if 3 * max(len(c), len(word)) <= 7 * min(len(c), len(word))})
    matches = difflib.get_close_matches(word, near, n=1, cutoff=0.6)
    return f" (did you mean `{matches[0]}`?)" if matches else ""


def one_of(candidates: Iterable[str]) -> str:
    """A short human list: `a`, `b` or `c`."""
    items = [f"`{c}`" for c in sorted(set(candidates))]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
