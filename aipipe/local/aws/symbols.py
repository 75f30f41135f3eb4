"""Resolving the renderer's symbols (aipipe.semantics.symbols) to local values: the very documents the program
deploys (a state machine with `Attr("train", "arn")` tasks) become documents for the local resources."""

from __future__ import annotations

import os
from typing import Any

from aipipe.local.aws.names import ACCOUNT, PARTITION, LocalNames
from aipipe.semantics.symbols import Attr, Concat, Deployment, Json, Secret, StoredSecret, deep_map

# what each Deployment fact is locally; `project` is the Pulumi project name, the spec's `name`
# (aipipe.codegen.expressions renders it as pulumi.get_project())
_FACTS = {"aws_account_id": ACCOUNT, "aws_partition": PARTITION, "aws_dns_suffix": "amazonaws.com"}


class Resolver:
    """Turns symbols into local strings, given the stack's local names and its stored secrets' local ARNs."""

    def __init__(self, names: LocalNames, secret_arns: dict[str, str] | None = None):
        self.names = names
        self.secret_arns = secret_arns if secret_arns is not None else {}

    def value(self, value: Any) -> Any:
        """`value` with every symbol inside it resolved (nested dicts and lists included)."""
        return deep_map(value, self.symbol)

    def symbol(self, symbol: Any) -> Any:
        """One symbol's local value; LookupError for one that has none locally."""
        if isinstance(symbol, Attr):
            return self.names.attribute(symbol.resource, symbol.attribute)
        if isinstance(symbol, Concat):
            return "".join(part if isinstance(part, str) else str(self.symbol(part)) for part in symbol.parts)
        if isinstance(symbol, Json):
            return self.value(symbol.document)
        if isinstance(symbol, Deployment):
            return self.fact(symbol.fact)
        if isinstance(symbol, StoredSecret):
            return self.secret_arn(symbol.name)
        if isinstance(symbol, Secret):
            if symbol.name not in os.environ:
                raise LookupError(f"secret {symbol.name} is not set in the environment")
            return os.environ[symbol.name]
        raise LookupError(f"{symbol!r} has no local value")

    def fact(self, fact: str) -> str:
        """A deployment fact as the local stack has it."""
        if fact == "stack":
            return self.names.stack
        if fact == "project":
            return self.names.pipeline
        if fact == "region":
            return self.names.home
        if fact in _FACTS:
            return _FACTS[fact]
        raise LookupError(f"`{fact}` is a fact of another cloud")

    def secret_arn(self, name: str) -> str:
        """The local ARN of secret `name`'s copy in Secrets Manager (moto's, when the secret was set at start)."""
        if name in self.secret_arns:
            return self.secret_arns[name]
        local = self.names.secret_name(name)
        return self.names.arn("secretsmanager", self.names.home, f"secret:{local}")
