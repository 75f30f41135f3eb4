"""How long `aipipe run` takes on the event-driven-ingest example: from the command's start to its first delivery
(the emulators started, the upload put, `preprocess` run in its own process), and the whole run (then the
Kinesis consumer `index-events`, until nothing is left to deliver). Medians over fresh processes, after one
warm-up run (which fills the handler runtime's cache under .aipipe/build/).
Usage: python benchmarks/run_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "specs" / "event-driven-ingest"
RECORDS = '{"id": 1, "text": "Hello"}\n{"id": 2, "text": "World"}\n'


def one_run(folder: Path, records: Path) -> tuple[float, float, int]:
    """(seconds to the first delivery, seconds to the end, deliveries) of one `aipipe run --json`."""
    command = [sys.executable, "-m", "aipipe", "run", "--json", "--put", f"raw/data/batch.json={records}"]
    started = time.perf_counter()
    first = None
    deliveries = 0
    environment = {**os.environ, "LABELLING_API_KEY": "local"}  # the example's secret, read by a local run too
    with subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment
    ) as run:
        assert run.stdout is not None
        for line in run.stdout:
            if json.loads(line).get("type") == "delivery":
                deliveries += 1
                first = first or time.perf_counter() - started
    if run.returncode != 0 or first is None:
        raise SystemExit(f"aipipe run failed (exit {run.returncode})")
    return first, time.perf_counter() - started, deliveries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "ingest"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".aipipe"))
        records = Path(scratch) / "batch.json"
        records.write_text(RECORDS)
        one_run(folder, records)  # warm-up: the handler runtime's links and the bytecode caches
        results = [one_run(folder, records) for _ in range(args.runs)]
    print(f"runs: {args.runs}, spec: specs/event-driven-ingest, deliveries per run: {results[0][2]}")
    print(f"to the first delivery   median {statistics.median(r[0] for r in results) * 1000:7.0f} ms")
    print(f"whole run               median {statistics.median(r[1] for r in results) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
