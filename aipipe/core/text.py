"""Text that is safe to show: spec strings with control, bidi and separator characters escaped."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """Escape control, format (bidi) and separator characters, so a spec's strings cannot move the cursor,
    hide text or start a line that CI reads as a command (`::error ...`)."""
    if text.isprintable():
        return text
    out = []
    for character in text:
        if character == " " or unicodedata.category(character) not in ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"):
            out.append(character)
        else:
            out.append(character.encode("unicode_escape").decode("ascii"))
    return "".join(out)
