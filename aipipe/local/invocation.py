"""`aipipe invoke`'s work, apart from its switches: the event to deliver (a file, a sample of one of the
function's triggers, or `{}`, the input of a workflow step started without one), and one run of the handler on
a started local cloud. Problems of the user's making are `InvokeProblem`s, which the command shows as usage
errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aipipe.core.suggest import did_you_mean
from aipipe.local.bucket_files import stored_objects
from aipipe.local.contract import Occurrence, Outcome
from aipipe.local.events import SAMPLE_DATA, NoEvent, delivered_event, sample_occurrences
from aipipe.local.values import resolved_use
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import uses_of


class InvokeProblem(Exception):
    """A wrong function name, trigger number or event file."""


@dataclass(frozen=True)
class Invocation:
    """What `aipipe invoke` ran: the event and where it came from, and the handler's outcome."""

    function: str
    source: str  # "file", "trigger N (...)" or "empty input"
    event: Any
    outcome: Outcome


def check_function(spec: Any, function: str) -> Any:
    """The function resource named `function`; an InvokeProblem (with a suggestion) when there is none."""
    names = [name for name, resource in spec.resources.items() if resource.type == "function"]
    if function not in names:
        known = f"its functions: {', '.join(f'`{name}`' for name in names)}" if names else "it has no function"
        raise InvokeProblem(f"{spec.file} has no function `{function}`{did_you_mean(function, names)}; {known}")
    return spec.resources[function]


def trigger_summary(spec: Any, function: str) -> list[str]:
    """`1. bucket raw (created data/*.json)`, `2. topic work-items` for each of the function's triggers."""
    lines = []
    for use in uses_of(function, spec.resources[function]):
        kind = trigger_kind(use.trigger)
        source = kind.source(use.trigger)
        label = kind.label(use.trigger)
        words = [f"{use.position + 1}.", kind.key, source, f"({label})" if label != "triggers" else None]
        lines.append(" ".join(word for word in words if word))
    return lines


def read_event(path: Path) -> Any:
    """The JSON event in a file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvokeProblem(f"cannot read the event file {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvokeProblem(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}") from None


def choose_event(
    spec: Any, function: str, cloud: Any, trigger: int | None, given: tuple[Path, Any] | None
) -> tuple[str, Any]:
    """(where the event comes from, the event): the file, a sample of trigger `trigger` (1-based), or by default
    a sample of the first trigger — `{}` for a function without triggers."""
    if given is not None:  # --event FILE, read already
        event_file, event = given
        if spec.cloud == "gcp" and not _gcp_shaped(event):
            raise InvokeProblem(
                f"{event_file}: a gcp function takes a CloudEvent, "
                '`{"attributes": {"specversion": "1.0", "id": ..., "source": ..., "type": ...}, "data": {...}}`, '
                'or an HTTP request, `{"http": {"method": "POST", "headers": {...}, "body": "..."}}`'
            )
        return "file", event
    uses = uses_of(function, spec.resources[function])
    if trigger is None:
        if not uses:
            return "empty input", {}
        trigger = 1
    if not uses:
        raise InvokeProblem(f"`{function}` has no triggers; give the event with --event FILE")
    if not 1 <= trigger <= len(uses):
        listed = "; ".join(trigger_summary(spec, function))
        raise InvokeProblem(f"`{function}` has {len(uses)} trigger(s), so --trigger takes 1 to {len(uses)}: {listed}")
    use = resolved_use(uses[trigger - 1], spec, cloud)
    occurrences, where = _with_real_objects(use, cloud, sample_occurrences(spec, use, cloud))
    try:
        event = delivered_event(spec, use, occurrences, cloud)
    except NoEvent as error:
        raise InvokeProblem(str(error)) from None
    return f"trigger {trigger} ({trigger_summary(spec, function)[trigger - 1].split('. ', 1)[1]}){where}", event


def _with_real_objects(use: Any, cloud: Any, occurrences: list[Occurrence]) -> tuple[list[Occurrence], str]:
    """A sample bucket event names an object the handler can read: the newest object of the local bucket that
    fires the trigger, else the sample object, written into the local bucket now (and said so)."""
    if trigger_kind(use.trigger).key != "bucket" or occurrences[0].detail.get("event") != "created":
        return occurrences, ""
    sample = occurrences[0]
    folder = cloud.data_dir / sample.source
    stored = [(path.stat().st_mtime, key, path) for key, path in stored_objects(folder)]
    stored = [entry for entry in stored if use.trigger.matches("created", entry[1])]
    if stored:
        _, key, path = max(stored)
        data = path.read_bytes()
        where = f", object {key} of the local bucket"
    else:
        key, data = sample.detail["key"], SAMPLE_DATA.encode()
        cloud.put_object(sample.source, key, data)
        cloud.occurrences()  # the write is this invocation's, not something to deliver later
        where = f", sample object {key} written to {folder} (none there fires the trigger)"
    digest = hashlib.md5(data).hexdigest()  # S3's ETag of a single-part upload
    detail = {**sample.detail, "key": key, "size": len(data), "etag": digest, "md5": digest}
    return [Occurrence(sample.source, sample.kind, detail)], where


def _gcp_shaped(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    if isinstance(event.get("http"), dict):
        return True
    attributes = event.get("attributes")
    required = {"specversion", "id", "source", "type"}  # CloudEvents 1.0's required attributes
    return isinstance(attributes, dict) and required <= set(attributes) and "data" in event


def invoke(spec: Any, function: str, cloud: Any, handlers: Any, trigger: int | None, given: tuple[Path, Any] | None):
    """Run `function`'s handler once on the (started) local cloud; the Invocation."""
    source, event = choose_event(spec, function, cloud, trigger, given)
    return Invocation(function, source, event, handlers.invoke(function, event))
