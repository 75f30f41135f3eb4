"""Mutation testing of the semantics and rule modules (pyproject's [tool.mutmut] says which), with the count of
surviving mutants printed: a one-line bug in a rule that no test notices is a missing test.

Usage: python tools/mutation.py [MUTANT_GLOB ...]     e.g. "aipipe.semantics.schedules.*"
Runs `mutmut run` (results are cached in mutants/, so a second run redoes only what changed), then prints the
counts by outcome and every surviving mutant as a diff. Takes long on two cores (about a mutant a second);
not part of CI. Equivalent mutants (the same behaviour written differently) are listed in EQUIVALENT with why.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

# mutant name -> why it cannot be killed (it behaves exactly like the original)
EQUIVALENT: dict[str, str] = {}


def run(arguments: list[str]) -> str:
    return subprocess.run(["mutmut", *arguments], capture_output=True, text=True, check=False).stdout


def main(globs: list[str]) -> int:
    subprocess.run(["mutmut", "run", *globs], check=False, stdout=subprocess.DEVNULL)
    outcomes = dict(re.findall(r"^\s+(\S+): (.+)$", run(["results", "--all", "true"]), flags=re.MULTILINE))
    if globs:
        patterns = [re.compile(glob.replace(".", r"\.").replace("*", ".*")) for glob in globs]
        outcomes = {name: outcome for name, outcome in outcomes.items() if any(p.fullmatch(name) for p in patterns)}
    counts = Counter(outcomes.values())
    survivors = sorted(name for name, outcome in outcomes.items() if outcome == "survived" and name not in EQUIVALENT)
    for name in survivors:
        diff = [line for line in run(["show", name]).splitlines() if line[:1] in "+-" and line[:3] not in "---+++"]
        print(f"{name}\n    " + "\n    ".join(diff))
    print(f"mutants: {len(outcomes)}; " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items())))
    print(f"surviving (not known equivalent): {len(survivors)}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
