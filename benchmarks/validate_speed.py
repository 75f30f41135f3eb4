"""Median wall time of `aipipe validate` on an example spec against `python -c "import yaml, pydantic"`.

The ratio is what matters (the machine's speed cancels out). Aim: ratio <= 2.5.
With --breakdown it also prints where the time of one validation goes, phase by phase inside one process
(medians): importing yaml and pydantic, pydantic's model machinery (its first model: pydantic.main, fields,
the schema generator, and the plugin loader, which imports importlib.metadata), aipipe's own modules, and the
validation itself (every stack of the spec; the kinds' models are built on first use).
Usage: python benchmarks/validate_speed.py [--runs N] [--breakdown] [SPEC]
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


PHASES = """
import sys, time
t0 = time.perf_counter()
import yaml, pydantic
t1 = time.perf_counter()
from pydantic import BaseModel
class First(BaseModel):
    x: int = 1
First(x=1)
t2 = time.perf_counter()
import aipipe.cli.validating, aipipe.validation
t3 = time.perf_counter()
aipipe.validation.load_spec(sys.argv[1])
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""
PHASE_NAMES = ("import yaml, pydantic", "pydantic model machinery", "aipipe modules", "validation (all stacks)")


def _breakdown(spec: str, runs: int) -> None:
    rows = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", PHASES, spec], check=True, capture_output=True, text=True, env=ENVIRONMENT
        )
        rows.append([float(value) for value in done.stdout.split()])
    for position, name in enumerate(PHASE_NAMES):
        print(f"  {name:26} median {statistics.median(row[position] for row in rows) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC))
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--breakdown", action="store_true", help="also time the phases of one validation")
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
    if args.breakdown:
        print("phases inside one process (no interpreter start):")
        _breakdown(args.spec, args.runs)


if __name__ == "__main__":
    main()
