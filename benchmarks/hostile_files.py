"""Hostile spec files: for each, the diagnostic aipipe gives, the wall time and the peak memory of
`aipipe validate` in a fresh process. Every case must end in a clear diagnostic, fast, in bounded memory.

Usage: python benchmarks/hostile_files.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = "aipipe: 1\nname: hostile\ncloud: aws\nregion: us-east-1\n"
FUNCTION = (
    "resources:\n  fn:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: {code}\n"
)


def billion_laughs() -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return ("\n".join(lines) + "\n").encode()


def cases(folder: Path) -> dict[str, bytes]:
    outside = folder.parent / (folder.name + "-outside")
    outside.mkdir(exist_ok=True)
    (folder / "app").mkdir(exist_ok=True)
    if not (folder / "linked").exists():
        os.symlink(outside, folder / "linked")
    return {
        "YAML bomb (9 levels of 9 aliases)": billion_laughs(),
        "nesting 10,000 deep": b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        "10 MB string": HEADER.encode() + b"description: " + b"x" * 10_000_000 + b"\n",
        "900 KB string (under the cap)": HEADER.encode()
        + b"description: "
        + b"x" * 900_000
        + b"\nresources: {r: {type: bucket}}\n",
        "100,000 values in one list": b"a: [" + b"1," * 100_001 + b"1]\n",
        "200,000 duplicate keys": b"a: 1\n" * 200_000,
        "NUL byte": HEADER.encode() + b"description: a\x00b\n",
        "invalid UTF-8": HEADER.encode() + b"description: caf\xe9\n",
        "UTF-16 file": (HEADER + "resources: {r: {type: bucket}}\n").encode("utf-16"),
        "bidi override in a resource name": (HEADER + "resources:\n  ra\u202ew: {type: bucket}\n").encode(),
        "bidi override in a description": (
            HEADER + 'description: "admin\u202e\u2066txt"\nresources: {r: {type: bucket}}\n'
        ).encode(),
        "!!python/object/apply tag": HEADER.encode() + b"description: !!python/object/apply:os.system ['id']\n",
        "code: symlink to outside": (HEADER + FUNCTION.format(code="./linked")).encode(),
        "code: ../../etc": (HEADER + FUNCTION.format(code="../../etc")).encode(),
        "code: /etc": (HEADER + FUNCTION.format(code="/etc")).encode(),
        "5,000-digit integer": HEADER.encode() + b"description: " + b"9" * 5000 + b"\n",
        "2,000 stacks": (
            HEADER + "resources: {r: {type: bucket}}\nstacks:\n" + "".join(f"  s{i}: {{}}\n" for i in range(2000))
        ).encode(),
        "recursive alias": b"a: &x [*x]\n",
    }


def measure(path: Path) -> tuple[float, float, str]:
    """Run validate in a child; return seconds, the child's peak RSS in MB, and the first diagnostic code."""
    script = (
        "import resource, subprocess, sys, json, time\n"
        "started = time.perf_counter()\n"
        "out = subprocess.run([sys.executable, '-m', 'aipipe', 'validate', '--format', 'json', sys.argv[1]],"
        " capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "codes = sorted({d['code'] for d in json.loads(out.stdout)['diagnostics']})\n"
        "print(json.dumps([elapsed, peak, ','.join(codes[:3])]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    elapsed, peak, codes = json.loads(result.stdout)
    return elapsed, peak, codes


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory) / "spec"
        folder.mkdir()
        print(f"{'case':<36} {'diagnostics':<14} {'time s':>7} {'peak MB':>8}")
        for label, content in cases(folder).items():
            path = folder / "aipipe.yaml"
            path.write_bytes(content)
            elapsed, peak, codes = measure(path)
            print(f"{label:<36} {codes:<14} {elapsed:>7.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
