"""Command dispatch of the fake `pulumi`: version, whoami, stack and config commands, plugins; see ops.py for
the engine operations.

Commands are those pulumi.automation (LocalWorkspace, Stack) runs, with the flags it passes. Unknown commands
fail like cobra's "unknown command". Every invocation is first logged to calls.jsonl (state.py).
"""

from __future__ import annotations

import json
import os
import sys
import time

import ops
from state import (
    Args,
    Fail,
    cli_version,
    edit_state,
    exit_code,
    find_project,
    get_stack,
    load_state,
    log_call,
    new_stack,
    print_json,
    require_passphrase,
    write_local_checkpoint,
)

SECRET_SENTINEL = "[secret]"  # what `stack output --json` shows for a secret without --show-secrets


def full_key(key: str, project: str) -> str:
    """A config key as the CLI stores it: a key without a namespace belongs to the project."""
    return key if ":" in key else f"{project}:{key}"


def stack_cmd(args: Args) -> int:
    words = args.positionals[1:]
    sub = words[0] if words else ""
    if sub == "init":
        project, _ = find_project()
        name = args.flag("--stack", "-s") or words[1]
        with edit_state() as state:
            if name in state["stacks"]:
                raise Fail(f"stack '{name}' already exists")  # pkg/backend/backenderr/backenderr.go
            stack = new_stack(args.flag("--secrets-provider"))
            require_passphrase(stack)
            stack["project"] = project
            state["stacks"][name] = stack
            write_local_checkpoint(project, name)
            if not args.has("--no-select"):
                state["current"] = name
        print(f"Created stack '{name}'")
        return 0
    if sub == "select":
        name = args.flag("--stack", "-s") or (words[1] if len(words) > 1 else None)
        with edit_state() as state:
            if name not in state["stacks"] and args.has("--create", "-c") and name:
                project, _ = find_project()
                stack = new_stack(args.flag("--secrets-provider"))
                require_passphrase(stack)
                state["stacks"][name] = stack | {"project": project}
                write_local_checkpoint(project, name)
            name, _ = get_stack(state, name)
            state["current"] = name
        return 0
    if sub in ("", "ls", "rm", "output", "history", "export", "import", "tag"):
        return stack_query(args, sub, words)
    raise Fail(f'unknown command "{sub}" for "pulumi stack"')


def stack_query(args: Args, sub: str, words: list[str]) -> int:
    if sub == "ls":
        state = load_state()
        rows = []
        for name, stack in sorted(state["stacks"].items()):
            row = {"name": name, "current": name == state.get("current"), "updateInProgress": False}
            if stack["history"]:
                row["lastUpdate"] = stack["history"][-1]["endTime"]
            row["resourceCount"] = len(stack["resources"])
            rows.append(row)
        print_json(rows)
        return 0
    if sub == "rm":
        with edit_state() as state:
            name, _ = get_stack(state, args.flag("--stack", "-s") or (words[1] if len(words) > 1 else None))
            del state["stacks"][name]
            if state.get("current") == name:
                state["current"] = None
        print(f"Stack '{name}' has been removed!")
        return 0
    if sub == "import":
        with open(args.flag("--file") or "", encoding="utf-8") as file:
            deployment = json.load(file).get("deployment") or {}
        with edit_state() as state:
            _, stack = get_stack(state, args.flag("--stack", "-s"))
            stack["resources"] = [r["urn"] for r in deployment.get("resources") or []]
        return 0
    if sub == "tag":
        return tag_cmd(args, words)
    state = load_state()
    name, stack = get_stack(state, args.flag("--stack", "-s"))
    show = args.has("--show-secrets")
    if sub == "output":
        secret = set(stack["secret_outputs"])
        outputs = {k: (SECRET_SENTINEL if k in secret and not show else v) for k, v in stack["outputs"].items()}
        if args.has("--json"):
            print_json(outputs)
        else:
            print("Current stack outputs:")
            for key, value in outputs.items():
                print(f"    {key}  {value}")
        return 0
    if sub == "history":
        entries = []
        for entry in reversed(stack["history"]):  # newest first
            config = {}
            for key, value in entry["config"].items():
                config[key] = {"secret": value["secret"]} | ({"value": value["value"]} if show else {})
                if not value["secret"]:
                    config[key]["value"] = value["value"]
            entries.append(entry | {"config": config})
        size = int(args.flag("--page-size") or 0)
        if size:
            page = int(args.flag("--page") or 1)
            entries = entries[(page - 1) * size : page * size]
        print_json(entries)
        return 0
    if sub == "export":
        manifest = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "magic": "", "version": cli_version()}
        # a real export has each resource's type and outputs; FAKE_PULUMI_RESOURCE_OUTPUTS (a JSON object, by
        # resource name) gives the outputs a test needs (a Dataflow job's `state`)
        given = json.loads(os.environ.get("FAKE_PULUMI_RESOURCE_OUTPUTS") or "{}")
        resources = [
            {"urn": urn, "type": urn.split("::")[2].split("$")[-1], "outputs": given.get(urn.rsplit("::", 1)[-1], {})}
            for urn in stack["resources"]
        ]
        print_json({"version": 3, "deployment": {"manifest": manifest, "resources": resources}})
        return 0
    print(f"Current stack is {name}:")
    print(f"    Managed by fake pulumi {cli_version()}")
    print(f"    {len(stack['resources'])} resources")
    return 0


def tag_cmd(args: Args, words: list[str]) -> int:
    action, rest = (words[1] if len(words) > 1 else "ls"), words[2:]
    with edit_state() as state:
        name, stack = get_stack(state, args.flag("--stack", "-s"))
        tags = stack.setdefault("tags", {})
        if action == "set":
            tags[rest[0]] = rest[1]
        elif action == "rm":
            tags.pop(rest[0], None)
        elif action == "get":
            if rest[0] not in tags:
                raise Fail(f"stack tag '{rest[0]}' not found for stack '{name}'")
            print(tags[rest[0]])
        else:
            print_json(tags)
    return 0


def config_cmd(args: Args) -> int:
    words = args.positionals[1:]
    sub = words[0] if words else ""
    project, _ = find_project()
    with edit_state() as state:
        name, stack = get_stack(state, args.flag("--stack", "-s"))
        config = stack["config"]
        if sub == "set":
            secret = args.has("--secret")
            if secret:
                require_passphrase(stack)
            # the value is the second argument (the SDK puts it after "--"); without one the CLI reads stdin and
            # drops one trailing newline (pkg/cmd/pulumi/config/config.go, cmdutil.RemoveTrailingNewline)
            value = words[2] if len(words) > 2 else sys.stdin.read().removesuffix("\n")
            config[full_key(words[1], project)] = {"value": value, "secret": secret}
        elif sub == "set-all":
            if args.flags.get("--secret"):
                require_passphrase(stack)
            for flag, secret in (("--plaintext", False), ("--secret", True)):
                for pair in args.flags.get(flag, []):
                    key, _, value = pair.partition("=")
                    config[full_key(key, project)] = {"value": value, "secret": secret}
            for key, value in json.loads(args.flag("--json") or "{}").items():
                config[full_key(key, project)] = {"value": value.get("value"), "secret": bool(value.get("secret"))}
        elif sub in ("rm", "rm-all"):
            for key in words[1:]:
                config.pop(full_key(key, project), None)
        elif sub == "get":
            key = full_key(words[1], project)
            if key not in config:
                # pkg/cmd/pulumi/config/config.go
                raise Fail(f"configuration key '{words[1]}' not found for stack '{name}'")
            if config[key]["secret"]:
                require_passphrase(stack)
            if args.has("--json"):
                print_json(config[key])
            else:
                print(config[key]["value"])
        elif sub == "refresh":
            pass
        elif sub == "":
            show = args.has("--show-secrets")
            listed = {}
            for key, value in sorted(config.items()):
                shown = not value["secret"] or show
                listed[key] = {"secret": value["secret"]} | ({"value": value["value"]} if shown else {})
            print_json(listed)
        else:
            raise Fail(f'unknown command "{sub}" for "pulumi config"')
    return 0


def run(args: Args) -> int:
    command = args.positionals[0] if args.positionals else ""
    if command == "version":
        print(cli_version())
        return 0
    if args.has("--help", "-h"):
        print(f"Usage:\n  pulumi {command} [flags]\n\nFlags:\n  -s, --stack string")
        return 0
    if command == "whoami":
        user = os.environ.get("FAKE_PULUMI_USER", "fake-user")
        if args.has("--json"):
            print_json({"user": user, "organizations": [], "url": "file://~"})
        else:
            print(user)
        return 0
    if command in ("preview", "up", "update", "destroy", "refresh"):
        if command == "update":
            args.positionals[0] = "up"
        return ops.run_operation(args)
    if command == "cancel":
        return ops.cancel(args)
    if command == "stack":
        return stack_cmd(args)
    if command == "config":
        return config_cmd(args)
    if command == "plugin":
        if args.positionals[1:2] == ["ls"]:
            print_json([])
        return 0
    if command in ("install", "login", "logout"):
        return 0
    if command == "about":
        print(f"CLI\nVersion      {cli_version().lstrip('v')}\nGo Version   fake\n")
        return 0
    raise Fail(f'unknown command "{command}" for "pulumi"')


def main(argv: list[str]) -> int:
    try:
        log_call(argv)
        args = Args(argv)
        cwd = args.flag("--cwd", "-C")
        if cwd:
            os.chdir(cwd)
        return run(args)
    except Fail as error:
        print(f"error: {error}", file=sys.stderr)
        return exit_code(error.kind)
