"""Sizes as the clouds write them: their MB is 2**20 bytes (Lambda's "250 MB" unzipped limit is 262,144,000
bytes, its "50 MB" direct upload 50 * 2**20; Cloud Functions' 100 MB source limit is 100 * 2**20), so a
figure and the limit it is compared with are in the same unit."""

from __future__ import annotations

MB = 2**20
GB = 2**30


def megabytes(size: int) -> str:
    """`55.3 MB`; `1.7 KB` below a tenth of a MB (a function with no dependencies is that small)."""
    return f"{size / MB:.1f} MB" if size >= MB // 10 else f"{size / 2**10:.1f} KB"


def limit_text(limit: int) -> str:
    """A limit as the clouds' documents write it: `250 MB`, `10 GB`."""
    if limit >= GB and limit % GB == 0:
        return f"{limit // GB} GB"
    return f"{limit / MB:g} MB"


def against(size: int | None, limit: int | None) -> str:
    """`55.3 MB 22%` (of `limit`), or the size alone when no limit holds it; `-` when there is no size."""
    if size is None:
        return "-"
    return f"{megabytes(size)} {100 * size / limit:.0f}%" if limit else megabytes(size)
