"""Mutation testing of the semantics and rule modules (pyproject's [tool.mutmut] says which), with the count of
surviving mutants printed: a one-line bug in a rule that no test notices is a missing test.

Usage: python tools/mutation.py [MUTANT_GLOB ...]     default RULES below; e.g. "aipipe.semantics.schedules.*"
Runs `mutmut run` (results are cached in mutants/, so a second run redoes only what changed), then prints the
counts by outcome and every surviving mutant as a diff. Takes long on two cores (about a mutant a second);
not part of CI. Equivalent mutants (the same behaviour written differently) are listed in EQUIVALENT with why.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from collections import Counter

# What "the semantics and rule modules" are, as mutmut mutant names: the pure rules, every check and link, the
# trigger kinds' rules, the pipeline checks and validation, the cloud facts rules read, and ownership. The values
# kinds and triggers build for templates are held by the goldens (any change to a program fails them), which
# are too slow to run for every mutant.
RULES = [
    "aipipe.semantics.*",
    "aipipe.policies.*",
    "aipipe.validation.*",
    "aipipe.codegen.ownership.*",
    "aipipe.triggers.registry.*",
    "aipipe.triggers.*check*",
    "aipipe.triggers.*overlaps*",
    "aipipe.triggers.*matches*",
    "aipipe.triggers.*fires_on_write*",
    "aipipe.triggers.*keys*",
    "aipipe.triggers.*label*",
    "aipipe.clouds.registry.*",
    "aipipe.clouds.base.*",
    "aipipe.clouds.*problem*",
    "aipipe.clouds.*handler_form*",
    "aipipe.clouds.*retains*",
    "aipipe.kinds.*check*",
    "aipipe.kinds.*links*",
    "aipipe.kinds.*special_attribute*",
    "aipipe.spec.permissions.*",
    "aipipe.spec.stacks.*",
    "aipipe.triggers.*takes*",
    "aipipe.local.delivery.*",
]
# mutant name -> why it cannot be killed (it behaves exactly like the original)
EQUIVALENT: dict[str, str] = {}


def run(arguments: list[str]) -> str:
    return subprocess.run(["mutmut", *arguments], capture_output=True, text=True, check=False).stdout


def _shape(line: str) -> str:
    """A line with every string literal (and a bare None standing in for one) replaced by a placeholder."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
    except (tokenize.TokenError, SyntaxError):
        return line.strip()
    kinds = {tokenize.STRING} | {
        getattr(tokenize, name)
        for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
        if hasattr(tokenize, name)
    }
    return " ".join(
        "S" if token.type in kinds or token.string == "None" else token.string
        for token in tokens
        if token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT)
    )


def text_only(diff: list[str]) -> bool:
    """Whether a mutant changes nothing but the text of a message: its lines differ only in string literals, and
    each is a message (in a raise or a report, or a continuation line of one). A changed literal elsewhere (a
    comparison with "*") changes what a rule decides and is not text only."""
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    in_message = all(re.match(r"\s*(raise |.*\.report\(|[rbuf]*[\"']|None\b)", line) for line in removed + added)
    return bool(removed) and in_message and [_shape(line) for line in removed] == [_shape(line) for line in added]


def main(globs: list[str]) -> int:
    globs = globs or RULES
    subprocess.run(["mutmut", "run", *globs], check=False, stdout=subprocess.DEVNULL)
    outcomes = dict(re.findall(r"^\s+(\S+): (.+)$", run(["results", "--all", "true"]), flags=re.MULTILINE))
    patterns = [re.compile(glob.replace(".", r"\.").replace("*", ".*")) for glob in globs]
    outcomes = {name: outcome for name, outcome in outcomes.items() if any(p.fullmatch(name) for p in patterns)}
    counts = Counter(outcomes.values())
    survivors = sorted(name for name, outcome in outcomes.items() if outcome == "survived" and name not in EQUIVALENT)
    logic, text = [], []
    for name in survivors:
        diff = [
            line for line in run(["show", name]).splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")
        ]
        (text if text_only(diff) else logic).append((name, diff))
    for name, diff in logic:
        print(f"{name}\n    " + "\n    ".join(diff))
    print(f"mutants: {len(outcomes)}; " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items())))
    print(f"surviving, changing what a rule decides: {len(logic)}; changing only message text: {len(text)}")
    return 1 if logic else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
