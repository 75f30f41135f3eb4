"""One Diagnostic type for every problem aipipe reports, and the catalogue of stable codes.

Codes are grouped by area: AP1xx reading the file (YAML, encoding, size), AP2xx the shape of the spec
(fields, types, values), AP3xx references and the dependency graph, AP4xx rules that tie fields and
resources together, AP5xx pipeline policy checks (aipipe/policies/), AP6xx a function's build (aipipe/build/: dependency
files, installs for the target, size limits). A code never changes meaning once
released; new problems get new codes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    """How bad a diagnostic is: errors make a spec invalid, warnings only fail under --strict."""

    ERROR = "error"
    WARNING = "warning"


# code -> one-line title. The title is documentation; the message of each diagnostic says the specifics.
CODES: dict[str, str] = {
    "AP100": "the file cannot be read (missing, a directory, or not permitted)",
    "AP101": "the file is not valid YAML",
    "AP102": "a mapping repeats a key",
    "AP103": "a mapping key is not a string",
    "AP104": "the top level is not a mapping",
    "AP105": "the file is not valid UTF-8",
    "AP106": "the file uses a YAML tag aipipe does not accept",
    "AP107": "the file is too large, too deeply nested, or expands too many aliases",
    "AP108": "the file is empty or holds more than one YAML document",
    "AP110": "too many problems: only the first ones are listed",
    "AP200": "unknown field",
    "AP201": "a required field is missing",
    "AP202": "a value has the wrong type or an invalid form",
    "AP203": "unknown resource type",
    "AP204": "the resource type is not available on the spec's cloud",
    "AP205": "the field is not available on the spec's cloud",
    "AP206": "unknown stack, or a stack override that cannot apply",
    "AP300": "a reference names a resource that does not exist",
    "AP301": "a reference reads an attribute the resource does not have",
    "AP302": "a reference names a secret that is not declared under `secrets`",
    "AP303": "a reference is malformed",
    "AP304": "the resources depend on each other in a cycle",
    "AP305": "a field names a resource of the wrong type",
    "AP306": "a field names a resource that does not exist",
    "AP307": "a declared secret is never used",
    "AP308": "a secret is used where it would be stored in plain text",
    "AP309": "a reference is not allowed in this field",
    "AP400": "a function's code directory does not exist or may not be packaged (outside the spec's repository, "
    "in `.aipipe/` or `.git/`, the spec's folder or one above it)",
    "AP401": "a function runtime is unknown or retired on this cloud",
    "AP402": "a value is outside the range aipipe or the cloud accepts",
    "AP403": "two fields contradict each other",
    "AP404": "GCP label or AWS tag rules are broken",
    "AP405": "a workflow step is wrong (names, next and catch targets, unreachable steps, errors)",
    "AP406": "replication is misconfigured",
    "AP407": "triggers conflict or are not possible on this cloud",
    "AP408": "a Dataflow job is misconfigured",
    "AP409": "a function's code does not define its handler",
    "AP410": "an extra permission (`permissions:`) is malformed",
    "AP460": "a bucket's seed object cannot be uploaded (file missing or outside the spec's repository, key repeated)",
    "AP461": "a bucket's seed object fires a trigger of the bucket",
    "AP450": "a workflow choice condition is malformed",
    "AP451": "workflow steps loop forever with no way to end",
    "AP452": "a workflow JSONPath or timestamp is malformed",
    "AP453": "a workflow service task cannot work as written (its fields, its target's kind or region)",
    "AP454": "a workflow choice has no default",
    "AP420": "a `type: pulumi` resource names a type token the provider's SDK does not have",
    "AP421": "a `type: pulumi` property is no argument of the resource's SDK class, or one aipipe sets itself",
    "AP422": "a `type: pulumi` resource lacks an argument its SDK class requires",
    "AP423": "a `type: pulumi` property has a value of the wrong type for its argument",
    "AP424": "a `type: pulumi` resource could not be checked: the provider SDK is not installed or not readable",
    "AP501": "functions trigger themselves through a bucket",
    "AP502": "a subscription has no dead letter",
    "AP503": "a workflow task has no retry",
    "AP504": "a function may run longer than its source allows",
    "AP505": "a bucket holds temporary or output data but has no lifecycle rule",
    "AP506": "a Dataflow job's temp location is not in a bucket of the spec",
    "AP507": "a bucket or table is deleted with the stack and not protected",
    "AP510": "an extra permission grants more than named actions on named resources",
    "AP600": "a function's dependency file cannot be read or understood",
    "AP601": "a requirement cannot be installed for the function's target",
    "AP602": "a function's package is over the cloud's size limit",
    "AP603": "the package index cannot be reached to build a function's dependencies",
    "AP604": "a function's dependencies failed to install for another reason",
    "AP605": "a function's code folder links to a file outside it",
    "AP999": "internal error: a bug in aipipe (please report it with the spec)",
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec, pointing at the exact place it comes from (1-based line and column)."""

    code: str
    message: str
    file: str
    line: int
    column: int
    path: str = ""
    severity: Severity = Severity.ERROR

    def to_json(self) -> dict:
        """The diagnostic as the JSON object of `validate --format json`."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return {key: data[key] for key in ("code", "severity", "message", "file", "line", "column", "path")}

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.message)


def sorted_unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics sorted by file, line and column, each reported once."""
    return sorted(set(diagnostics), key=lambda d: d.sort_key)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)
