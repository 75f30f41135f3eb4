"""Render and plan wall time for each example and for generated specs of 10, 100 and 500 resources.

Each measurement runs in a fresh subprocess (imports included, as a user's `aipipe plan` would), so
growth with spec size is visible. Aim: plan of 100 resources under 5 s on a 2-core machine, growing
linearly. Usage: python benchmarks/plan_speed.py [--sizes 10 100 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
MEASURE = r"""
import json, sys, time
started = time.perf_counter()
from aipipe.validation import load_spec
from aipipe.codegen.project import write_project
from aipipe.offline.plan import plan_spec
from pathlib import Path
import tempfile
spec = load_spec(sys.argv[1], "dev").spec
loaded = time.perf_counter()
write_project(spec, Path(tempfile.mkdtemp()))
rendered = time.perf_counter()
plan = plan_spec(spec)
planned = time.perf_counter()
print(json.dumps({"resources": len(spec.resources), "cloud_resources": len(plan.resources),
                  "render": rendered - loaded, "plan": planned - rendered, "total": planned - started}))
"""


def generated_spec(size: int, folder: Path) -> Path:
    """An aws spec of `size` resources in groups of four: bucket, topic, subscription, function."""
    (folder / "app").mkdir(parents=True, exist_ok=True)
    (folder / "app" / "app.py").write_text("def handler(event, context):\n    return event\n")
    lines = ["aipipe: 1", "name: generated", "cloud: aws", "region: us-east-1", "resources:"]
    for index in range(size):
        group, kind = divmod(index, 4)
        name = f"{['data', 'events', 'queue', 'worker'][kind]}-{group}"
        if kind == 0:
            lines.append(f"  {name}: {{type: bucket, lifecycle: {{expire_after: 30d}}}}")
        elif kind == 1:
            lines.append(f"  {name}: {{type: topic}}")
        elif kind == 2:
            lines.append(f"  {name}: {{type: subscription, topic: events-{group}, dead_letter: {{max_attempts: 5}}}}")
        else:
            lines += [
                f"  {name}:",
                "    type: function",
                "    runtime: python3.12",
                "    handler: app.handler",
                "    code: ./app",
                f"    reads: [data-{group}/in/]",
                f"    writes: [events-{group}]",
                f"    triggers: [{{bucket: data-{group}, prefix: in/}}]",
            ]
    path = folder / "aipipe.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(spec: Path, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, "-c", MEASURE, str(spec)], check=True, capture_output=True, text=True, env=ENVIRONMENT
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 500])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'spec':<32} {'spec res':>8} {'cloud res':>9} {'render s':>9} {'plan s':>8} {'total s':>8}")
    cases = [(path.parent.name, path) for path in sorted((ROOT / "specs").glob("*/aipipe.yaml"))]
    with tempfile.TemporaryDirectory() as folder:
        cases += [(f"generated-{size}", generated_spec(size, Path(folder) / str(size))) for size in args.sizes]
        for label, spec in cases:
            result = measure(spec, args.repeat)
            print(
                f"{label:<32} {result['resources']:>8.0f} {result['cloud_resources']:>9.0f} "
                f"{result['render']:>9.2f} {result['plan']:>8.2f} {result['total']:>8.2f}"
            )


if __name__ == "__main__":
    main()
