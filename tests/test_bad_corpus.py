"""Every spec under tests/data/bad/ is rejected with exactly the diagnostics its header promises.

Each file starts with one or more lines `# expect: CODE LINE:COLUMN` (errors), or
`# expect-warning: CODE LINE:COLUMN`, and optionally `# stack: NAME` to validate one stack only.
The set of errors found must equal the set expected: no missing diagnostic, no extra one.
Binary cases (bad encodings, NUL bytes) are built in test_loader.py instead.
"""

from __future__ import annotations

import re

import pytest

from aipipe.core.diagnostics import Severity
from aipipe.validation import load_spec

from conftest import DATA

BAD = sorted((DATA / "bad").glob("*.yaml"))
_EXPECT = re.compile(r"^# expect(-warning)?: (AP\d{3}) (\d+):(\d+)\s*$")
_STACK = re.compile(r"^# stack: (\S+)\s*$")


def _expectations(path):
    errors, warnings, stack = set(), set(), None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            (warnings if match.group(1) else errors).add((match.group(2), int(match.group(3)), int(match.group(4))))
        stack_match = _STACK.match(line)
        if stack_match:
            stack = stack_match.group(1)
    return errors, warnings, stack


def test_corpus_is_large_enough():
    assert len(BAD) >= 40


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_spec_reports_exactly_the_expected_errors(path):
    expected_errors, expected_warnings, stack = _expectations(path)
    assert expected_errors or expected_warnings, f"{path.name} has no `# expect:` line"
    result = load_spec(str(path), stack)
    found_errors = {(d.code, d.line, d.column) for d in result.diagnostics if d.severity is Severity.ERROR}
    found_warnings = {(d.code, d.line, d.column) for d in result.diagnostics if d.severity is Severity.WARNING}
    listing = "\n".join(f"  {d.code} {d.line}:{d.column} {d.message}" for d in result.diagnostics)
    assert found_errors == expected_errors, f"diagnostics of {path.name}:\n{listing}"
    assert found_warnings == expected_warnings, f"diagnostics of {path.name}:\n{listing}"
    if expected_errors:
        assert result.spec is None and not result.valid
    for diagnostic in result.diagnostics:
        assert diagnostic.file == str(path)
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message and "Traceback" not in diagnostic.message


def test_every_diagnostic_code_has_a_bad_case():
    from aipipe.core.diagnostics import CODES

    used = set()
    for path in BAD:
        used |= {code for code, _, _ in set().union(*_expectations(path)[:2])}
    # AP100 (unreadable file) is built in test_loader.py; AP999 is a bug by definition; AP6xx are found by a
    # function's build, not by validate (tests/test_build_*.py); AP424 needs the provider SDK missing
    # (tests/test_pulumi_kind.py)
    assert set(CODES) - used == {"AP100", "AP424", "AP999"} | {code for code in CODES if code.startswith("AP6")}


@pytest.mark.parametrize(
    "name, message",
    [
        ("workflow-task-step-names-a-bucket", "`step` must name a `function`, but `raw` is a bucket"),
        ("workflow-step-names-bucket", "`step` must name a `function`, but `raw` is a bucket"),
        ("replication-destination-is-a-topic", "`destination` must name a `bucket`, but `events` is a topic"),
        ("dataflow-input-is-a-bucket", "`input` must name a `subscription` or `topic`, but `out` is a bucket"),
    ],
)
def test_a_link_to_the_wrong_kind_names_the_field_and_what_it_takes(name, message):
    [error] = [d for d in load_spec(str(DATA / "bad" / f"{name}.yaml")).diagnostics if d.code == "AP305"]
    assert error.message == message
