"""Symbolic values as Python expressions of the rendered program.

Kinds and trigger kinds build their template values from plain data and symbols (aipipe.semantics.symbols);
this module turns each symbol into `Code` — the only way code enters the program — built from validated
names: an attribute becomes the variable the kind's template defines (`raw_bucket.arn`), text mixing literals
and references `pulumi.Output.concat(...)`, a document `pulumi.Output.json_dumps(...)`, a secret
`config.require_secret(...)`. Plain values pass through, to be rendered as literals.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from aipipe.codegen.safe import Code, RenderError, identifier, literal
from aipipe.codegen.views import top_level_opts
from aipipe.kinds.registry import KINDS
from aipipe.semantics.symbols import (
    Attr,
    Child,
    CodeFolder,
    Concat,
    Deployment,
    Json,
    Options,
    Secret,
    StoredSecret,
    deep_map,
)
from aipipe.spec.references import symbolic


def stored_secret_variable(name: str) -> Code:
    """The variable of secret `name`'s Secrets Manager copy. Secret names are `[A-Z_][A-Z0-9_]*` (validated),
    and the double underscore cannot occur in a resource's variable, so the two never collide."""
    if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
        raise RenderError(f"{name!r} is not a validated secret name")
    return Code("secret__" + name.lower())


# What the program calls for facts of the deployment.
DEPLOYMENT_CODE = {
    "stack": "pulumi.get_stack()",
    "project": "pulumi.get_project()",
    "aws_account_id": "aws.get_caller_identity_output().account_id",
    # `aws`, `aws-cn`, `aws-us-gov`: ARNs and service hosts differ by partition
    "aws_partition": "aws.get_partition_output().partition",
    "aws_dns_suffix": "aws.get_partition_output().dns_suffix",
    # the provider's own configuration: no API call (getProject would need Resource Manager enabled first)
    "gcp_project_id": "gcp.organizations.get_client_config_output().project",
    # the Pub/Sub service agent, created by the project setup (aipipe.codegen.gcp_project)
    "gcp_pubsub_agent": "service_agent_pubsub.member",
    "gcp_storage_agent_email": "gcp.storage.get_project_service_account_output().email_address",
}


class ExpressionRenderer:
    """Turns symbolic values into literals and Code for one spec (it knows every resource's kind), for a program
    that runs from `home` (code folders are written relative to it), with `views` for resource options."""

    def __init__(self, spec, views: dict | None = None, home: Path | None = None):
        self.spec = spec
        self.views = {} if views is None else views
        self.home = home

    def render(self, value: Any) -> Any:
        """`value` with every symbol inside it (nested in dicts and lists) turned into Code or a literal."""
        return deep_map(value, self.code)

    def value(self, text: str) -> Any:
        """A spec string (which may hold references) as a literal string or Code."""
        return self.render(symbolic(text))

    def code(self, symbol: Any) -> Any:
        """One symbol as Code (or the plain value it already is, such as an existing bucket's name)."""
        if isinstance(symbol, Attr):
            resource = self.spec.resources[symbol.resource]
            form = KINDS[resource.type].clouds[self.spec.cloud]
            return self.render(form.attribute(symbol.resource, resource, symbol.attribute))
        if isinstance(symbol, Child):
            variable = identifier(symbol.resource, symbol.role)
            return Code(f"{variable}.{symbol.output}" if symbol.output else variable)
        if isinstance(symbol, Concat):
            return Code("pulumi.Output.concat(" + ", ".join(literal(self.render(part)) for part in symbol.parts) + ")")
        if isinstance(symbol, Json):
            return Code("pulumi.Output.json_dumps(" + literal(self.render(symbol.document)) + ")")
        if isinstance(symbol, Secret):
            return Code(f"config.require_secret({literal(symbol.name)})")
        if isinstance(symbol, StoredSecret):
            return Code(f"{stored_secret_variable(symbol.name)}.arn")
        if isinstance(symbol, Deployment):
            if symbol.fact == "region":  # the stack's region is known when the program is rendered
                return self.spec.header.region
            return Code(DEPLOYMENT_CODE[symbol.fact])
        if isinstance(symbol, CodeFolder):
            return self._code_folder(symbol.path)
        if isinstance(symbol, Options):
            return self._options(symbol)
        raise RenderError(f"cannot render {symbol!r}")

    def _code_folder(self, path: str) -> str:
        """A function's code folder relative to the program's folder, with forward slashes."""
        if self.home is None:
            raise RenderError("code folders need the folder the program runs from")
        return Path(os.path.relpath(self.spec.base_dir / path, self.home.resolve())).as_posix()

    def _options(self, options: Options) -> Code:
        view = self.views[options.owner]
        provider = self.views[options.provider_of].provider if options.provider_of else view.provider
        depends_on = [self.render(item) for item in options.depends_on]
        if options.top_level:
            return top_level_opts(provider, depends_on)
        return view.opts(retain=options.retain, depends_on=depends_on, provider=provider)
