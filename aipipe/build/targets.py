"""What a function is built for: its cloud, Python version and CPU, and the wheel platform that follows.

AWS Lambda (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, "Operating system" column):
python3.12 and later run on Amazon Linux 2023, whose glibc is 2.34 (docs.aws.amazon.com/linux/al2023/
release-notes: glibc 2.34), so wheels tagged up to manylinux_2_34 load there; python3.10/3.11 ran on Amazon
Linux 2 (glibc 2.26), where manylinux2014 (glibc 2.17) is the newest tag uv offers below it. Lambda's x86_64
and arm64 architectures are the wheel machines x86_64 and aarch64 (docs.aws.amazon.com/lambda/latest/dg/
foundation-arch.html). AWS's own guide installs with `--platform manylinux2014_x86_64 --only-binary=:all:`
(docs.aws.amazon.com/lambda/latest/dg/python-package.html); a newer glibc tag admits the newer wheels that
many packages (pyarrow, torch) only publish as manylinux_2_28.

Cloud Functions builds the dependencies itself (Cloud Build runs pip on the runtime's base image), so a gcp
target only serves to resolve the requirements the way that build will; its x86_64 base images are Ubuntu
22.04 and later (cloud.google.com/functions/docs/runtime-support, "Base image"), glibc 2.35 or newer."""

from __future__ import annotations

import re
from dataclasses import dataclass

ARCHITECTURES = ("x86_64", "arm64")
WHEEL_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
AMAZON_LINUX_2023_FROM = (3, 12)  # python3.12 was the first Lambda Python runtime on Amazon Linux 2023
PYTHON_RUNTIME = re.compile(r"python(\d)\.(\d+)$")


@dataclass(frozen=True)
class Target:
    """The machine a function's dependencies must load on."""

    cloud: str
    runtime: str  # the spec's runtime, `python3.12`
    architecture: str = "x86_64"

    @property
    def python(self) -> str | None:
        """`3.12` for a Python runtime, None for any other language (nothing to install for it)."""
        match = PYTHON_RUNTIME.match(self.runtime)
        return f"{match.group(1)}.{match.group(2)}" if match else None

    @property
    def glibc_tag(self) -> str:
        """The newest manylinux tag whose wheels load on the target (uv's spelling)."""
        if self.cloud == "gcp":
            return "manylinux_2_28"  # Ubuntu 22.04+ base images; 2_28 is the widely published tag below them
        major, minor = (int(part) for part in (self.python or "3.12").split("."))
        return "manylinux_2_34" if (major, minor) >= AMAZON_LINUX_2023_FROM else "manylinux2014"

    @property
    def platform(self) -> str:
        """uv's `--python-platform`: `x86_64-manylinux_2_34`."""
        return f"{WHEEL_MACHINE[self.architecture]}-{self.glibc_tag}"

    @property
    def abi(self) -> str:
        """The CPython ABI tag of the target: `cp312`."""
        return "cp" + (self.python or "").replace(".", "")

    def describe(self) -> str:
        """`cp312 manylinux_2_34 x86_64` — the wheel tags a package must publish for this target."""
        return f"{self.abi} {self.glibc_tag} {WHEEL_MACHINE[self.architecture]}"
