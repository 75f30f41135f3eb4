"""`aipipe --help` and `aipipe validate` never import pulumi (or rich): they must stay fast."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT, copy_example

HEAVY = ("pulumi", "pulumi_aws", "pulumi_gcp", "rich")
# the function builder (archives, installer, tar and zip writing): only commands that build load it
BUILDER = ("aipipe.build.artifacts", "aipipe.build.installer", "aipipe.build.archive")
PROBE = """
import sys
from aipipe.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
heavy = sorted({name.split('.')[0] for name in sys.modules} & set(HEAVY)) + sorted(set(sys.modules) & set(BUILDER))
print("HEAVY=" + ",".join(heavy))
""".replace("HEAVY)", f"{HEAVY!r})").replace("BUILDER)", f"{BUILDER!r})")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["validate", *map(str, EXAMPLES)],
        ["validate", "--help"],
        ["validate", "--format", "json", str(EXAMPLES[0])],
        ["build", "--help"],
    ],
)
def test_command_imports_nothing_heavy(arguments):
    assert heavy_modules(arguments) == "HEAVY="


def heavy_modules(arguments, cwd=None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True, cwd=cwd
    )
    return result.stdout.strip().splitlines()[-1]


def test_build_never_imports_pulumi(tmp_path):
    """`aipipe build` is the library call and a rich table: no pulumi (and no rich for --json)."""
    copy_example("event-driven-ingest", tmp_path / "spec")
    builder = ",".join(sorted(BUILDER))  # the one command that builds loads the builder, of course
    assert heavy_modules(["build", "--json", "spec"], cwd=tmp_path) == f"HEAVY={builder}"
    assert heavy_modules(["build", "spec"], cwd=tmp_path) == f"HEAVY=rich,{builder}"


def test_only_deploy_imports_the_automation_api():
    import re

    statement = re.compile(
        r"^\s*(from pulumi\.automation\b|from pulumi import automation|import pulumi\.automation)", re.MULTILINE
    )
    importers = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "aipipe").rglob("*.py")
        if statement.search(path.read_text())
    )
    assert importers == ["aipipe/deploy/stack.py"]


def test_a_plan_leaves_no_event_loop_for_the_garbage_collector_to_close(tmp_path):
    # issue 15: `plan --json` sometimes printed "Invalid file descriptor: -1" at exit, from an event loop of a
    # worker thread of Pulumi's mock monitor collected after its sockets had closed (aipipe.offline.loops)
    script = (
        "import asyncio, gc, sys\n"
        "from aipipe.offline.loops import close_loops\n"
        "from aipipe.offline.plan import plan_spec\n"
        "from aipipe.validation import load_spec\n"
        f"plan_spec(load_spec({str(ROOT / 'specs' / 'event-driven-ingest' / 'aipipe.yaml')!r}).spec)\n"
        "close_loops()\n"
        "loops = [o for o in gc.get_objects() if isinstance(o, asyncio.BaseEventLoop)]\n"
        "print(len(loops), sum(not loop.is_closed() for loop in loops))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loops, open_loops = map(int, done.stdout.split())
    assert loops >= 2 and open_loops == 0  # the main thread's and at least one worker's, all closed


QUICK_PROBE = """
import sys
from aipipe.cli.entry import main
try:
    main()
except SystemExit as exit:
    code = exit.code
loaded = sorted(name for name in ("typer", "click", "rich") if name in sys.modules)
print("EXIT=" + str(code) + " LOADED=" + ",".join(loaded))
"""


def _entry(arguments: list[str], cwd) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", QUICK_PROBE, *arguments], capture_output=True, text=True, check=False, cwd=cwd
    )
    output, _, last = done.stdout.rstrip("\n").rpartition("\n")
    return output + done.stderr, last


BAD = ROOT / "tests" / "data" / "bad" / "bad-trigger-event.yaml"


@pytest.mark.parametrize(
    "arguments",
    [
        ["validate", "{example}"],
        ["validate", "{folder}"],
        ["validate", "--format", "json", "{example}", "{bad}"],
        ["validate", "-f", "github", "{bad}"],
        ["validate", "--strict", "-s", "prod", "{example}"],
        ["validate", "--stack", "nope", "{example}"],
        ["validate", "{missing}"],
        ["validate"],  # ./aipipe.yaml
    ],
)
def test_plain_validate_forms_skip_typer_and_answer_as_the_typer_command_does(arguments, tmp_path):
    """cli/validating takes validate's plain forms without importing Typer; its output and exit code are the
    Typer command's, which still takes every other form."""
    from typer.testing import CliRunner

    from aipipe.cli.app import app

    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "aipipe.yaml").write_text((folder / "aipipe.yaml").read_text())
    names = {"example": str(folder / "aipipe.yaml"), "folder": str(folder), "bad": str(BAD)}
    names["missing"] = str(tmp_path / "missing.yaml")
    arguments = [argument.format(**names) for argument in arguments]
    quick_output, last = _entry(arguments, tmp_path)
    assert last.endswith(" LOADED=")
    assert (
        arguments[-1] != str(BAD) or "AP" in quick_output
    )  # the bad spec's diagnostics are there  # neither typer nor click nor rich
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        typed = CliRunner().invoke(app, arguments)
    finally:
        os.chdir(here)
    assert last.startswith(f"EXIT={typed.exit_code} ")
    assert quick_output.strip() == typed.output.strip()


@pytest.mark.parametrize(
    "arguments",
    [
        ["validate", "--help"],
        ["validate", "--format=json", "x.yaml"],
        ["validate", "--bogus"],
        ["validate", "-f", "xml"],
    ],
)
def test_other_validate_forms_go_to_the_typer_command(arguments, tmp_path):
    output, last = _entry(arguments, tmp_path)
    assert "typer" in last
    assert ("Usage: " in output) or ("valid" in output)


def test_pydantic_plugins_are_not_searched_for_unless_the_user_says_otherwise(tmp_path):
    probe = (
        "import os, sys\nfrom aipipe.cli.entry import main\nsys.argv = ['aipipe', 'validate', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import pydantic.plugin._loader as loader\nprint(os.environ['PYDANTIC_DISABLE_PLUGINS'], loader._plugins)"
    )
    spec = str(EXAMPLES[0])
    for given, expected in ((None, "__all__ None"), ("logfire", "logfire {}")):
        env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
        if given:
            env["PYDANTIC_DISABLE_PLUGINS"] = given
        done = subprocess.run([sys.executable, "-c", probe, spec], capture_output=True, text=True, env=env, check=True)
        assert done.stdout.strip().splitlines()[-1] == expected
