"""docs/spec.md, the spec-language reference, generated from the models so it cannot drift from them
(`python -m aipipe.offline.spec_docs` rewrites it, as does `python -m aipipe.offline.docs` with the other generated
pages; tests/test_spec_docs.py keeps it current)."""

from __future__ import annotations

from pathlib import Path

from aipipe.kinds.registry import KINDS
from aipipe.offline.spec_fields import Catalogue, field_rows, field_table, nested_tables, reachable_models, table
from aipipe.offline.spec_kinds import kinds_markdown
from aipipe.semantics.secrets import SECRET_FIELDS
from aipipe.spec.document import DEFAULT_STACK, SpecHeader
from aipipe.spec.model import ResourceBase
from aipipe.spec.references import CONTEXT_FACTS
from aipipe.spec.values import PATTERNS

INTRO = """# The aipipe spec language

Generated from aipipe's models (`python -m aipipe.offline.spec_docs` rewrites this page; a test keeps it
current). `aipipe schema` prints the same language as a JSON Schema (`specs/aipipe.schema.json`) for editors, and
`aipipe validate` checks a spec against it and against the rules this page mentions.

Contents: [top level](#top-level), [stacks](#stacks), [secrets](#secrets), [references](#references),
[values](#values), [pipeline checks](#pipeline-checks), [fields every resource has](#fields-every-resource-has),
[resource types](#resource-types), [triggers](#triggers).

A spec is one YAML file:

```yaml
aipipe: 1
name: my-pipeline
cloud: aws
region: us-east-1
resources:
  raw: {type: bucket}
```

In the tables, *clouds* says where a field exists (`all`: on every cloud the type exists on); a field of the
other cloud is a validate error. A *duration* is whole seconds or `90s`, `15m`, `2h`, `7d`; a *memory size* whole
megabytes or `512MB`, `1GB`. *text* is a string (numbers are taken as text).
"""

STACKS = f"""
## Stacks

A spec deploys to one or more stacks (`aipipe up --stack prod`); without `stacks:` there is one, `{DEFAULT_STACK}`.
Each entry of `stacks:` is a stack, and what it says is merged over the spec for that stack:

- mappings merge key by key (`resources: {{train: {{memory: 2GB}}}}` changes one field of `train`);
- any other value, lists included, replaces the spec's value;
- `null` removes a key (the field's default applies again);
- only existing resources can be changed; a stack cannot add one.

`validate` without `--stack` checks every stack. A resource's own `stacks: [prod]` makes it exist in those
stacks only; whatever names it must have the same `stacks:`. What a stack may say: see the
[StackOverride](#stackoverride-object) table.
"""

_SECRET_FIELDS = " or ".join(f"`{name}`" for name in sorted(SECRET_FIELDS))
SECRETS = f"""
## Secrets

`secrets:` lists secret names (uppercase, digits and `_`). Their values are read from environment variables of
the same name when a stack is deployed, kept encrypted in the stack's configuration, and masked in anything
aipipe prints. `${{secret.NAME}}` may appear in a resource's {_SECRET_FIELDS}
only; on aws `${{secret.NAME.arn}}` stores the secret in Secrets Manager instead and gives its ARN (the function
naming it may read exactly that secret).
"""

_CONTEXT_MEANING = {
    "region": "the stack's region",
    "account": "the AWS account id",
    "partition": "the ARN partition (`aws`, `aws-cn`, ...)",
    "gcp_project": "the project id the provider deploys to",
}


def references_markdown() -> str:
    """The section on `${...}` references."""
    rows = [
        ("`${name.attr}`", "all", "an attribute of resource `name` (each type lists its attributes below)"),
        ("`${secret.NAME}`", "all", "the value of secret `NAME` (see [secrets](#secrets))"),
        ("`${secret.NAME.arn}`", "aws", "the ARN of secret `NAME` stored in Secrets Manager"),
        ("`${stack}`", "all", "the stack's name"),
        ("`${project}`", "all", "the spec's `name` (the Pulumi project)"),
    ]
    for reference, (_, cloud) in CONTEXT_FACTS.items():
        rows.append((f"`${{{reference}}}`", cloud or "all", _CONTEXT_MEANING.get(reference, reference)))
    return (
        "\n## References\n\nStrings may hold references, alone (`${curated.name}`) or inside text "
        "(`arn:${partition}:glue:${region}:${account}:job/etl`); `$${` writes a literal `${`. A resource that "
        "refers to another is created after it.\n\n" + table(rows, ("reference", "clouds", "stands for"))
    )


def values_markdown() -> str:
    """The section on the value types: durations, memory sizes and names (every kind's: kinds register their
    patterns as they are imported, and the registry imports a kind on first use)."""
    list(KINDS.values())  # every kind imported
    names = [(f"`{pattern}`", explanation) for pattern, explanation in PATTERNS.items()]
    return (
        "\n## Values\n\n"
        "- **duration**: whole seconds (`90`) or a number and a unit: `s`, `m`, `h`, `d` (`90s`, `15m`, `2h`, "
        "`7d`). Ranges in the tables are inclusive (`1m-6h`).\n"
        "- **memory size**: whole megabytes (`512`) or `MB`, `GB`, `MiB`, `GiB` (`512MB`, `1GB` = 1024 MB).\n"
        "- **schedule**: EventBridge syntax, `rate(1 hour)`, `rate(5 minutes)` or a six-field "
        "`cron(0 12 * * ? *)` (UTC), on every cloud.\n"
        "- **names** follow these patterns:\n\n" + table(names, ("pattern", "meaning"))
    )


CHECKS = """
## Pipeline checks

Besides errors, `validate` runs pipeline checks (codes `AP5xx`, warnings unless they say otherwise; `--strict`
fails on warnings). A resource's `ignore: [AP502]` suppresses a check for that resource. The checks, with why and
how to fix each: [checks.md](checks.md).
"""


def _model_section(heading: str, about: str, model, skip: frozenset[str] = frozenset()) -> str:
    catalogue = Catalogue(models=reachable_models(model, {}))
    rows = list(field_rows(model, catalogue, skip))
    defs = model.model_json_schema(mode="validation").get("$defs", {})
    return f"\n## {heading}\n\n{about}\n\n{field_table(rows)}{nested_tables(catalogue, defs)}"


def spec_markdown(root: Path) -> str:
    """The whole page."""
    return "".join(
        [
            INTRO,
            _model_section("Top level", "Every top-level key of a spec.", SpecHeader),
            STACKS,
            SECRETS,
            references_markdown(),
            values_markdown(),
            CHECKS,
            _model_section(
                "Fields every resource has",
                "Every resource type takes these besides its own (and `type`, which names it).",
                ResourceBase,
                frozenset({"type"}),
            ),
            kinds_markdown(root / "tests" / "data" / "good", root),
        ]
    )


if __name__ == "__main__":
    ROOT = Path(__file__).resolve().parents[2]
    (ROOT / "docs" / "spec.md").write_text(spec_markdown(ROOT), encoding="utf-8")
    print("wrote docs/spec.md")
