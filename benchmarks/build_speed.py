"""Wall time of building the example specs' functions (aipipe.build): cold (an empty .aipipe/build beside each
spec: every dependency installed or resolved by uv), warm (the same build again: the cache answers, nothing
installed), and after a one-line code change (the cache still answers; only the code is packed again).

The specs are copied to a temporary folder first, so the checkout's own .aipipe/ is never touched. uv's own
download cache is left as it is unless --fresh-uv-cache (then cold builds download every wheel too).
Usage: python benchmarks/build_speed.py [--runs N] [--fresh-uv-cache] [SPEC_FOLDER ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from aipipe.build.artifacts import build_functions
from aipipe.validation import DEFAULT_STACK, load_spec

ROOT = Path(__file__).resolve().parent.parent


def _copy_examples(source: Path, names: list[str], into: Path) -> list[Path]:
    """The examples of `source` (all of them by default) copied under `into`, without their state folders."""
    folders = [source / name for name in names] or sorted(path.parent for path in source.glob("*/aipipe.yaml"))
    for folder in folders:
        shutil.copytree(folder, into / folder.name, ignore=shutil.ignore_patterns(".aipipe"))
    return [into / folder.name / "aipipe.yaml" for folder in folders]


def _functions(spec_path: Path):
    spec = load_spec(str(spec_path), DEFAULT_STACK).spec
    if spec is None:
        raise SystemExit(f"{spec_path}: not valid (aipipe validate says why)")
    return spec, [name for name, resource in spec.resources.items() if resource.type == "function"]


def _timed_build(spec) -> tuple[float, list[str]]:
    started = time.perf_counter()
    report = build_functions(spec)
    elapsed = time.perf_counter() - started
    problems = [f"{d.file}:{d.line}:{d.column}: {d.code} {d.message}" for d in report.diagnostics]
    return elapsed, problems


def _touch_code(spec) -> None:
    """A one-line change in every function's code folder: a comment appended to its first .py file."""
    for resource in spec.resources.values():
        if resource.type == "function":
            code = spec.base_dir / resource.code
            first = min(code.rglob("*.py"), default=None)
            if first is not None:
                with first.open("a", encoding="utf-8") as file:
                    file.write(f"# benchmark change {time.time_ns()}\n")


PHASES = ("cold", "warm", "changed")


def _measure(loaded, runs: int, scratch: Path, fresh_uv_cache: bool):
    """Median seconds of each phase per example, and the problems the first round met."""
    timings: dict[str, dict[str, list[float]]] = {}
    problems: list[str] = []
    for run in range(runs):
        if fresh_uv_cache:
            os.environ["UV_CACHE_DIR"] = str(scratch / f"uv-cache-{run}")
        for path, spec, names in loaded:
            if not names:
                continue
            shutil.rmtree(path.parent / ".aipipe" / "build", ignore_errors=True)
            for phase in PHASES:
                if phase == "changed":
                    _touch_code(spec)
                elapsed, found = _timed_build(spec)
                timings.setdefault(path.parent.name, {}).setdefault(phase, []).append(elapsed)
                problems += [] if run else found
    medians = {
        name: {phase: statistics.median(values) for phase, values in phases.items()} for name, phases in timings.items()
    }
    return medians, problems


def _row(name: str, functions, packages, seconds: dict[str, float]) -> str:
    figures = " ".join(f"{seconds[phase]:>{width}.2f}s" for phase, width in zip(PHASES, (8, 8, 12), strict=True))
    return f"{name:28} {functions:>9} {packages:>9} {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", help="folders of --from (default: every example there)")
    parser.add_argument("--from", dest="source", type=Path, default=ROOT / "specs", help="where the examples are")
    parser.add_argument("--runs", type=int, default=3, help="cold/warm/changed rounds; medians are shown")
    parser.add_argument("--fresh-uv-cache", action="store_true", help="cold builds also download every wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aipipe-build-bench-") as scratch:
        specs = _copy_examples(args.source, args.examples, Path(scratch))
        loaded = [(path, *_functions(path)) for path in specs]
        medians, problems = _measure(loaded, args.runs, Path(scratch), args.fresh_uv_cache)
        print(f"runs: {args.runs} each (medians); uv download cache: {'fresh' if args.fresh_uv_cache else 'as found'}")
        print(f"{'example':28} {'functions':>9} {'packages':>9} {'cold':>9} {'warm':>9} {'code changed':>13}")
        for path, spec, names in loaded:
            if path.parent.name in medians:
                report = build_functions(spec)  # warm: what was built
                packages = sum(len(artifact.packages) for artifact in report.artifacts.values())
                print(_row(path.parent.name, len(names), packages, medians[path.parent.name]))
        totals = {phase: sum(seconds[phase] for seconds in medians.values()) for phase in PHASES}
        print(_row("total", "", "", totals))
        for problem in problems:
            print(f"problem: {problem}")


if __name__ == "__main__":
    main()
