"""A secret's value never appears anywhere aipipe writes or prints: one test per channel.

The value comes from the environment (as at deploy time); each test looks for it where it could leak.
"""

from __future__ import annotations

import json

import pytest
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult
from typer.testing import CliRunner

from aipipe.cli import deploy as cli_deploy
from aipipe.cli.app import app
from aipipe.deploy import settings as deploy_settings
from aipipe.deploy import stack as deploy_stack

import fake_stack as fake
from conftest import copy_example

VALUE = "s3cr3t-value-that-must-never-leak"
runner = CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = tmp_path / "ingest"
    copy_example("event-driven-ingest", folder)
    monkeypatch.setenv("LABELLING_API_KEY", VALUE)
    monkeypatch.setenv("AIPIPE_ALLOW_LOCAL_STATE", "1")  # a first deploy without a terminal
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: False)
    return folder


def everything_under(folder):
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_channel_rendered_files(project, tmp_path):
    assert runner.invoke(app, ["render", str(project), "-o", str(tmp_path / "out")]).exit_code == 0
    rendered = everything_under(tmp_path / "out")
    assert "config.require_secret('LABELLING_API_KEY')" in rendered and VALUE not in rendered


def test_channel_plan_text_and_json(project):
    for arguments in (["plan", str(project)], ["plan", str(project), "--json"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0 and VALUE not in result.output
    assert "[secret]" in runner.invoke(app, ["plan", str(project), "--json"]).output


def test_channel_state_folder_preview_up_and_json(project, monkeypatch):
    stack = fake.FakeStack(preview_events=fake.CREATE_TWO, up_events=fake.DEPLOY_TWO)
    monkeypatch.setattr(deploy_stack, "open_stack", lambda settings, create=True: stack)
    outputs = [
        runner.invoke(app, arguments).output
        for arguments in (
            ["preview", str(project)],
            ["preview", str(project), "--json"],
            ["up", str(project), "--yes"],
            ["up", str(project), "--yes", "--json"],
        )
    ]
    assert all(VALUE not in text for text in outputs)
    assert VALUE not in everything_under(project / ".aipipe")


def test_channel_provider_messages(project, monkeypatch):
    stack = fake.FakeStack(
        preview_events=fake.CREATE_TWO,
        up_events=[fake.diagnostic(f"error creating function: env API_KEY={VALUE} rejected")],
    )
    monkeypatch.setattr(deploy_stack, "open_stack", lambda settings, create=True: stack)
    for arguments in (["up", str(project), "--yes"], ["up", str(project), "--yes", "--json"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 1 and VALUE not in result.output and "[secret]" in result.output


def test_channel_error_messages(project, monkeypatch):
    failure = auto_errors.CommandError(CommandResult("", f"error: invalid value {VALUE} for config", 1))
    stack = fake.FakeStack(preview_events=fake.CREATE_TWO, raises={"up": failure})
    monkeypatch.setattr(deploy_stack, "open_stack", lambda settings, create=True: stack)
    result = runner.invoke(app, ["up", str(project), "--yes"])
    assert result.exit_code == 1 and "pulumi failed" in result.output and VALUE not in result.output


def test_channel_unexpected_exceptions_show_no_locals(project, monkeypatch, capsys):
    def explode(settings, create=True):
        secret_in_a_local = settings.secrets["LABELLING_API_KEY"]  # noqa: F841 - what pretty tracebacks would show
        raise ValueError("boom")

    monkeypatch.setattr(deploy_stack, "open_stack", explode)
    monkeypatch.setattr("sys.argv", ["aipipe", "up", str(project), "--yes"])
    from aipipe.cli.entry import main

    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    assert exit_info.value.code == 1
    assert "internal error: ValueError: boom" in captured.err
    assert VALUE not in captured.out + captured.err and "Traceback" not in captured.err


def test_channel_settings_repr(project):
    from aipipe.validation import load_spec

    settings = deploy_settings.settings_for(load_spec(str(project / "aipipe.yaml")).spec)
    assert VALUE not in repr(settings) and VALUE not in str(settings.environment)


def test_a_secret_passed_by_arn_is_stored_in_secrets_manager_and_only_its_readers_may_get_it(write_spec, tmp_path):
    """`${secret.NAME.arn}`: the value goes to a Secrets Manager secret from the encrypted stack config; the
    function's environment holds the ARN, and only that function may read exactly that secret."""
    from test_plan_aws import find, plan

    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nsecrets: [API_KEY]\nresources:\n"
    fn = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
    spec = head + "  reader:\n" + fn + '    environment: {KEY_ARN: "${secret.API_KEY.arn}"}\n  other:\n' + fn
    planned = plan(write_spec(spec), tmp_path)
    [secret] = find(planned, "secretsmanager/secret:Secret")
    [version] = find(planned, "SecretVersion")
    arn = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{secret.name}-a1B2c3"
    assert version.inputs == {"secretId": arn, "secretString": "[secret]"}
    [reader] = find(planned, "lambda/function:Function", "reader")
    assert reader.inputs["environment"] == {"variables": {"KEY_ARN": arn}}
    grants = {
        p.name: [
            s for s in json.loads(p.inputs["policy"])["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]
        ]
        for p in find(planned, "iam/rolePolicy:RolePolicy")
    }
    assert grants == {
        "reader-policy": [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [arn]}],
        "other-policy": [],
    }
