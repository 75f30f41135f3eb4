"""Median wall time of `aipipe validate` on an example spec against `python -c "import yaml, pydantic"`.

The ratio is what matters (the machine's speed cancels out). Aim: ratio <= 2.5.
Usage: python benchmarks/validate_speed.py [--runs N] [SPEC]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "specs" / "event-driven-ingest" / "aipipe.yaml"


def _aipipe_command() -> list[str]:
    script = Path(sys.executable).parent / "aipipe"
    if script.exists():
        return [str(script)]
    found = shutil.which("aipipe")
    return [found] if found else [sys.executable, "-m", "aipipe"]


# Measure what users get: bytecode cached. Some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every
# start recompile aipipe's modules; the warm-up run below writes the cache.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC))
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    validate = [*_aipipe_command(), "validate", args.spec]
    baseline = [sys.executable, "-c", "import yaml, pydantic"]
    for command in (validate, baseline):  # warm the file cache and .pyc files
        _time(command)
    validate_times, baseline_times = [], []
    for _ in range(args.runs):  # interleave so load on the machine affects both alike
        validate_times.append(_time(validate))
        baseline_times.append(_time(baseline))
    validate_median = statistics.median(validate_times)
    baseline_median = statistics.median(baseline_times)
    spec = Path(args.spec).resolve()
    print(f"runs: {args.runs} each, spec: {spec.relative_to(ROOT) if ROOT in spec.parents else spec}")
    print(f"aipipe validate          median {validate_median * 1000:7.1f} ms")
    print(f"import yaml, pydantic    median {baseline_median * 1000:7.1f} ms")
    print(f"ratio                    {validate_median / baseline_median:7.2f}  (aim: <= 2.5)")


if __name__ == "__main__":
    main()
