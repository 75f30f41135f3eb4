"""How a Cloud Function (2nd gen) is built: the service account Cloud Build runs as, and the name of the
uploaded source archive.

The build account. Since July 2024 a new project's default Cloud Build service account may lack what a
function build needs (cloud.google.com/functions/docs/securing/build-custom-sa: "new projects deploying
functions for the first time may be using a default Cloud Build service account with insufficient
permissions"), so a first `aipipe up` failed there. The program creates its own build account and names it
in every function's build_config.service_account, in the fully-qualified form the API takes
(`projects/{project}/serviceAccounts/{email}`: pulumi-gcp BuildConfig.service_account "The fully-qualified
name of the service account"; its "Cloudfunctions2 Basic Builder" example passes `account.id`, which is
that form). One account for the program, not one per function: every grant it needs is project-wide and the
same for each function, so more accounts would add IAM bindings and service accounts (a per-project quota)
and isolate nothing. Its roles (cloud.google.com/run/docs/configuring/services/build-service-account, for a
function's build service account): Logs Writer (build logs), Artifact Registry Writer (the built image, in
the `gcf-artifacts` repository the service creates itself, hence project-wide), and read access to the
source: the build fetches a copy the service makes in its own bucket `gcf-v2-sources-<number>-<region>`
(hashicorp/terraform-provider-google#20571: "failed to download archive gs://gcf-v2-sources-.../function-
source.zip: Access to bucket gcf-v2-sources-... denied. You must grant Storage Object Viewer permission to
<the build account>"). That bucket is not ours to grant on, and may not exist yet, so the Object Viewer grant
is project-level with an IAM condition on those buckets' names: the page's Storage Object Admin on the whole
project would let every build rewrite any object of the project.

The source object. A fixed name (`<fn>/source.zip`) made every code change replace the object create-
before-delete under the same name, and the delete of the old resource removed the live object
(pulumi/pulumi-gcp#152). The name carries the digest of the deterministic archive aipipe built, so a change
creates a new object beside the old one."""

from __future__ import annotations

from aipipe.clouds.gcp import service_account_id
from aipipe.semantics.symbols import Child, Deployment

BUILD_ROLES = {
    "build_logs": "roles/logging.logWriter",
    "build_images": "roles/artifactregistry.writer",
    "build_sources": "roles/storage.objectViewer",
}
# The buckets Cloud Functions copies each function's source into before its build (see above).
SOURCE_COPIES = "gcf-v2-sources-"
BUILDER = "function-sources"  # the program part holding the sources bucket and the build account


def build_grants() -> list[Child]:
    """What a function build waits for: the build account's grants (program variables of the part)."""
    return [Child(BUILDER, role) for role in BUILD_ROLES]


def build_account() -> Child:
    """The build account's fully-qualified name (`projects/{project}/serviceAccounts/{email}`: its id)."""
    return Child(BUILDER, "builder", "id")


def builder_values(spec) -> dict:
    """The values of the part that creates the build account and its grants."""
    grants = [
        {
            "variable": Child(BUILDER, role_name),
            "name": f"function-builder-{role_name.removeprefix('build_')}",
            "iam_class": "projects.IAMMember",
            "role": role,
            "condition": None,
        }
        for role_name, role in BUILD_ROLES.items()
    ]
    grants[-1]["condition"] = {
        "title": "Cloud Functions source copies",
        "expression": f'resource.name.startsWith("projects/_/buckets/{SOURCE_COPIES}")',
    }
    return {
        "location": spec.header.region,
        "account_id": service_account_id(spec.header.name, spec.stack, "functions", "build"),
        "project": Deployment("gcp_project_id"),
        "grants": grants,
    }


def source_object(name: str, artifact) -> str:
    """The source archive's object name, `<function>/source-<digest>.zip`, from the digest of the archive
    aipipe built (aipipe.build.artifacts): any change to what is uploaded changes the name."""
    return f"{name}/source-{artifact.digest[:16]}.zip"
