"""Progress, change sets and errors over real engine event streams (tests/data/pulumi/events): what Pulumi's
engine really sends, colour tags, root stack, preview outputs and all."""

from __future__ import annotations

import io
import json

import pytest
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult

from aipipe.deploy.progress import ChangeSet, EventPrinter, message_lines
from aipipe.deploy.stack import classify

from engine_streams import derive, engine_events, load, records, with_root_stack

FUNCTION = "aws:lambda/function:Function"
AS_FUNCTION = {"types": {"pkgA:m:typB": FUNCTION}, "names": {"resA-child": "preprocess"}}


def replay(events, mode="plain", phase="update", owners=("preprocess",)):
    stream = io.StringIO()
    printer = EventPrinter(mode, stream, owner_lines=dict.fromkeys(owners, 12), phase=phase)
    with printer:
        for event in events:
            printer.on_event(event)
    return printer, stream.getvalue()


def test_colour_tags_are_stripped_from_engine_messages():
    printer, output = replay(load("create-failed", **AS_FUNCTION))
    assert printer.errors == [
        "preprocess (spec resource `preprocess`, line 12): create failed intentionally",
        "update failed",
    ]
    assert "<{%" not in output and "%}>" not in output


def test_a_multi_line_message_is_printed_line_by_line():
    _, output = replay(load("destroy-preview-with-errors"), phase="destroy")
    first = output.index("will be destroyed but was not specified in --target list.")
    assert output[first:].startswith(
        "will be destroyed but was not specified in --target list.\n"
        "  Either include resource in --target list or pass --target-dependents to proceed."
    )
    assert "\\n" not in output


def test_message_lines_escape_each_line_and_drop_tags():
    assert message_lines("<{%reset%}>Traceback:\n  File \x1b[31mx\n<{%fg 1%}>boom<{%reset%}>\n") == [
        "Traceback:",
        "  File \\x1b[31mx",
        "boom",
    ]


def test_the_root_stack_is_not_a_cloud_change():
    events = engine_events(with_root_stack(derive(records("create"))))
    assert any(e.resource_pre_event and e.resource_pre_event.metadata.type == "pulumi:pulumi:Stack" for e in events)
    changes = ChangeSet(["resA"])
    for event in events:
        changes.on_event(event)
    assert changes.summary() == "3 to create"
    printer, output = replay(events, owners=("resA",))
    assert printer.summary == {"create": 3}  # the engine's summary said 4: the stack's own create
    assert "pulumi:pulumi:Stack" not in output and len(printer.rows) == 3


def test_outputs_during_a_preview_do_not_mean_done():
    events = load("create-preview")
    assert any(e.res_outputs_event for e in events)  # what the engine really sends during a preview
    _, preview = replay(events, mode="json", phase="preview")
    kinds = [json.loads(line)["event"] for line in preview.splitlines()]
    assert "done" not in kinds and "planned" in kinds
    _, update = replay(events, mode="json", phase="update")
    assert [json.loads(line)["event"] for line in update.splitlines()].count("done") == 3


def test_errors_are_printed_in_live_mode():
    _, output = replay(load("create-failed", **AS_FUNCTION), mode="live")
    assert "error: preprocess (spec resource `preprocess`, line 12): create failed intentionally" in output
    assert "error: update failed" in output


class BrokenStream(io.StringIO):
    def write(self, text):
        raise OSError("the terminal went away")


def test_a_printing_failure_never_escapes_the_event_handler_nor_loses_the_failure():
    """The SDK calls on_event on its own thread and turns an exception into a warning: the event would be lost
    silently. The printer keeps what it learnt and says what it could not show."""
    printer = EventPrinter("plain", BrokenStream(), owner_lines={"preprocess": 12})
    for event in load("create-failed", **AS_FUNCTION):
        printer.on_event(event)
    assert printer.failed == ["urn:pulumi:dev::event-driven-ingest::aws:lambda/function:Function::preprocess"]
    assert printer.errors[0].endswith("create failed intentionally")
    assert printer.handler_errors and printer.handler_errors[0] == "OSError: the terminal went away"


@pytest.mark.parametrize("name", sorted(p.stem for p in __import__("engine_streams").EVENTS.glob("*.jsonl")))
def test_every_real_stream_replays_in_every_mode(name):
    for mode in ("plain", "json", "live"):
        printer, _ = replay(load(name), mode=mode)
        assert printer.handler_errors == []


def test_a_python_program_failure_is_a_runtime_error_reported_as_an_aipipe_bug():
    # what pulumi-language-python-exec prints when the program raises (pulumi/pulumi sdk/python/cmd)
    stdout = "Diagnostics:\n  pulumi:pulumi:Stack (demo-dev):\n    error: Program failed with an unhandled exception:\n"
    error = auto_errors.create_command_error(CommandResult(stdout, "", 1))
    assert type(error) is auto_errors.RuntimeError
    message = str(classify(error))
    assert message.startswith("the rendered program failed while running. This is a bug in aipipe")
    assert "Program failed with an unhandled exception" in message


def test_a_command_error_reports_the_clis_stderr_without_pretending_it_has_an_attribute():
    error = auto_errors.create_command_error(CommandResult("Updating (dev)", "error: update failed", 255))
    assert not hasattr(error, "stderr")
    assert str(classify(error)).endswith("stderr: error: update failed")
