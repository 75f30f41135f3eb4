"""Rules for Dataflow jobs: the template exists, its input has a kind the template reads, and its locations
are Cloud Storage."""

from __future__ import annotations

import re

from aipipe.core.suggest import did_you_mean, one_of
from aipipe.kinds.dataflow.catalogue import CATALOGUE, INPUT_KINDS
from aipipe.kinds.dataflow.model import Dataflow
from aipipe.spec.context import CheckContext


def check(ctx: CheckContext, name: str, job: Dataflow) -> None:
    """The template exists, the input has a kind the template reads, and locations are Cloud Storage."""
    if job.template.startswith("gs://"):
        if not re.fullmatch(r"gs://[a-z0-9._-]+/\S+", job.template):
            ctx.report("AP408", f"`template` {job.template!r} is not a gs://bucket/path", ctx.at(name, "template"))
    elif job.template not in CATALOGUE:
        ctx.report(
            "AP408",
            f"unknown Dataflow template `{job.template}`{did_you_mean(job.template, CATALOGUE)};"
            f" use {one_of(CATALOGUE)} or a gs:// template path",
            ctx.at(name, "template"),
        )
    else:
        entry = CATALOGUE[job.template]
        if job.input is None and not ctx.was_dropped(name, "input"):
            ctx.report(
                "AP408", f"template `{job.template}` needs `input` (a {one_of(entry.paths)})", ctx.at(name), True
            )
        elif ctx.types.get(job.input) in INPUT_KINDS and ctx.types[job.input] not in entry.paths:
            ctx.report(
                "AP408",
                f"template `{job.template}` reads a {one_of(entry.paths)}, but `{job.input}` is "
                f"a {ctx.types[job.input]}",
                ctx.at(name, "input"),
            )
        if job.output is None and not ctx.was_dropped(name, "output"):
            ctx.report(
                "AP408", f"template `{job.template}` needs `output` ({entry.output_parameter})", ctx.at(name), True
            )
    if not (job.temp.startswith("gs://") or re.match(r"\$\{[a-z][a-z0-9-]*\.url\}", job.temp)):
        ctx.report(
            "AP408", '`temp` must be a Cloud Storage location: gs://… or "${bucket.url}/temp/"', ctx.at(name, "temp")
        )
