"""Cloud Functions (gcp) planned offline under Pulumi mocks: what a first `aipipe up` on a fresh project needs
(issue 13) — the build account and the grants the function waits for, trigger regions, caller accounts that
may only invoke, internal-only ingress, source objects named by their code, overwriting writes, and secrets
from Secret Manager. Facts and their sources: aipipe/kinds/function/{build,gcp,secrets}.py,
aipipe/triggers/bucket.py."""

from __future__ import annotations

from aipipe.offline.mocks import SECRET
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec

from conftest import ROOT
from test_programs import spec_of

SPEC = """\
aipipe: 1
name: fx
cloud: gcp
region: europe-west1
project: fx-project
secrets: [API_KEY]
resources:
  raw:
    type: bucket
    location: EU
  out:
    type: bucket
  events:
    type: topic
  on-upload:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    max_instances: 7
    environment:
      API_KEY: ${secret.API_KEY}
      OUT: ${out.name}
    writes: [out/results/]
    triggers:
      - bucket: raw
  on-event:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    triggers:
      - topic: events
  nightly:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    triggers:
      - schedule: cron(0 3 * * ? *)
  by-hand:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
"""


def _spec(write_spec, text=SPEC):
    result = load_spec(str(write_spec(text)), "dev")
    assert result.valid, result.diagnostics
    return result.spec


def _plan(write_spec, text=SPEC):
    return plan_spec(_spec(write_spec, text))


def _one(plan, type_token, name):
    [found] = [r for r in plan.resources if r.type == type_token and r.name == name]
    return found


def _function(plan, name):
    return _one(plan, "gcp:cloudfunctionsv2/function:Function", name)


def _names(plan, resource):
    """The names of everything `resource` is created after: its dependencies and theirs (a function waits for
    its grants through a Sleep that depends on them)."""
    by_urn = {r.urn: r for r in plan.resources}
    seen: set[str] = set()
    todo = list(resource.dependencies)
    while todo:
        urn = todo.pop()
        if urn not in seen:
            seen.add(urn)
            todo.extend(by_urn[urn].dependencies if urn in by_urn else [])
    return {by_urn[urn].name if urn in by_urn else urn for urn in seen}


def test_functions_wait_two_minutes_after_the_grants_they_need():
    plan = plan_spec(spec_of(ROOT / "tests/data/good/gcp-everything.yaml"))
    by_urn = {r.urn: r for r in plan.resources}
    for function in (r for r in plan.resources if r.type == "gcp:cloudfunctionsv2/function:Function"):
        [sleep] = [
            by_urn[u]
            for u in function.dependencies
            if by_urn[u].type == "time:index/sleep:Sleep" and by_urn[u].name.endswith("grants-settled")
        ]
        assert sleep.inputs["createDuration"] == "120s"
        grants = {by_urn[u].name for u in sleep.dependencies if by_urn[u].type.lower().endswith("iammember")}
        assert {"function-builder-logs", "function-builder-images", "function-builder-sources"} <= grants
        # a change of what it waits for re-creates the wait
        assert sleep.inputs["triggers"]["grants"]


def test_every_function_is_built_by_the_program_build_account_once_its_grants_exist(write_spec):
    plan = _plan(write_spec)
    builder = _one(plan, "gcp:serviceaccount/account:Account", "function-builder")
    email = f"{builder.inputs['accountId']}@fx-project.iam.gserviceaccount.com"
    grants = {
        r.name: r
        for r in plan.resources
        if r.type == "gcp:projects/iAMMember:IAMMember" and r.name.startswith("function-builder-")
    }
    assert {g.inputs["role"] for g in grants.values()} == {
        "roles/logging.logWriter",
        "roles/artifactregistry.writer",
        "roles/storage.objectViewer",
    }
    assert all(g.inputs["member"] == f"serviceAccount:{email}" for g in grants.values())
    assert grants["function-builder-sources"].inputs["condition"]["expression"] == (
        'resource.name.startsWith("projects/_/buckets/gcf-v2-sources-")'
    )
    for name in ("on-upload", "on-event", "nightly", "by-hand"):
        function = _function(plan, name)
        # the fully-qualified name, not the email
        assert function.inputs["buildConfig"]["serviceAccount"] == f"projects/fx-project/serviceAccounts/{email}"
        assert set(grants) <= _names(plan, function)
    accounts = [r for r in plan.resources if r.type == "gcp:serviceaccount/account:Account"]
    assert sum(r.name == "function-builder" for r in accounts) == 1  # one per program


def test_a_bucket_trigger_is_in_the_bucket_location_and_waits_for_the_event_grants(write_spec):
    plan = _plan(write_spec)
    function = _function(plan, "on-upload")
    assert function.inputs["eventTrigger"]["triggerRegion"] == "eu"  # the EU multi-region, lower-case
    assert {"storage-events-publisher", "on-upload-event-receiver"} <= _names(plan, function)
    receiver = _one(plan, "gcp:projects/iAMMember:IAMMember", "on-upload-event-receiver")
    assert receiver.inputs["role"] == "roles/eventarc.eventReceiver"
    assert receiver.inputs["member"] == function.inputs["eventTrigger"]["serviceAccountEmail"].join(
        ("serviceAccount:", "")
    )


def test_a_bucket_in_the_function_region_gets_that_region(write_spec):
    plan = _plan(write_spec, SPEC.replace("    location: EU\n", ""))
    assert _function(plan, "on-upload").inputs["eventTrigger"]["triggerRegion"] == "europe-west1"


def test_callers_may_only_invoke_and_runtime_accounts_only_touch_data(write_spec):
    plan = _plan(write_spec)
    event = _function(plan, "on-event")
    runtime = event.inputs["serviceConfig"]["serviceAccountEmail"]
    caller = event.inputs["eventTrigger"]["serviceAccountEmail"]
    assert caller != runtime and caller.startswith("call-on-event-")
    invoker = _one(plan, "gcp:cloudrun/iamMember:IamMember", "on-event-invoker")
    assert (invoker.inputs["role"], invoker.inputs["member"]) == ("roles/run.invoker", f"serviceAccount:{caller}")
    # direct Pub/Sub events: no event-receiver grant at all
    assert not [r for r in plan.resources if r.name == "on-event-event-receiver"]
    # the runtime account holds no invoke or event grants anywhere
    runtime_roles = {r.inputs["role"] for r in plan.resources if r.inputs.get("member") == f"serviceAccount:{runtime}"}
    assert runtime_roles == set()
    # the scheduler presents the caller account, once it may invoke
    job = _one(plan, "gcp:cloudscheduler/job:Job", "nightly-schedule-0")
    nightly = _function(plan, "nightly")
    nightly_caller = job.inputs["httpTarget"]["oidcToken"]["serviceAccountEmail"]
    assert nightly_caller.startswith("call-nightly-")
    assert nightly_caller != nightly.inputs["serviceConfig"]["serviceAccountEmail"]
    assert "nightly-invoker" in _names(plan, job)
    # the run.app address, which internal-only ingress accepts from Cloud Scheduler (not the cloudfunctions.net one)
    assert job.inputs["httpTarget"]["uri"].startswith("https://nightly-")
    assert job.inputs["httpTarget"]["uri"].endswith(".a.run.app")
    assert "uri" not in nightly.inputs["serviceConfig"]  # an output only


def test_ingress_is_internal_only_for_triggered_functions_and_max_instances_is_passed(write_spec):
    plan = _plan(write_spec)
    for name in ("on-upload", "on-event", "nightly"):
        assert _function(plan, name).inputs["serviceConfig"]["ingressSettings"] == "ALLOW_INTERNAL_ONLY"
    assert "ingressSettings" not in _function(plan, "by-hand").inputs["serviceConfig"]
    assert _function(plan, "on-upload").inputs["serviceConfig"]["maxInstanceCount"] == 7
    assert "maxInstanceCount" not in _function(plan, "on-event").inputs["serviceConfig"]


def test_the_source_object_is_named_by_the_built_archive_and_changes_with_the_code(write_spec, tmp_path):
    from aipipe.build.artifacts import build_functions

    spec = _spec(write_spec)
    plan = plan_spec(spec)

    def built_digest() -> str:  # the digest of the archive aipipe builds for on-upload, as the program ships it
        return build_functions(spec).artifacts["on-upload"].digest

    digest = built_digest()
    source = _one(plan, "gcp:storage/bucketObject:BucketObject", "on-upload-source")
    assert source.inputs["name"] == f"on-upload/source-{digest[:16]}.zip"
    assert source.inputs["source"] == "FileAsset(../../build/dev/on-upload.zip)"  # the built archive, as it is
    assert built_digest() == digest  # deterministic
    (tmp_path / "app" / "main.py").write_text("def main(event):\n    return None\n")
    assert built_digest() != digest
    (tmp_path / "app" / "data").mkdir()
    changed = built_digest()
    (tmp_path / "app" / "data" / "x.txt").write_text("x")
    assert built_digest() != changed  # files in subfolders count too
    before = built_digest()
    (tmp_path / "app" / ".pulumi").mkdir()  # bookkeeping folders are never packed
    (tmp_path / "app" / ".pulumi" / "state.json").write_text("{}")
    assert built_digest() == before


def test_writes_may_overwrite_under_the_prefix_only(write_spec):
    plan = _plan(write_spec)
    grant = _one(plan, "gcp:storage/bucketIAMMember:BucketIAMMember", "on-upload-writes-out")
    assert grant.inputs["role"] == "roles/storage.objectUser"
    assert grant.inputs["condition"]["expression"] == (
        'resource.name.startsWith("projects/_/buckets/out/objects/results/")'
        ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("results/")'
    )


def test_a_function_waits_for_its_data_grants_too(write_spec):
    # an event may be queued before the function exists: its first invocation reads and writes at once
    plan = _plan(write_spec)
    [sleep] = [r for r in plan.resources if r.name == "on-upload-grants-settled"]
    by_urn = {r.urn: r.name for r in plan.resources}
    assert "on-upload-writes-out" in {by_urn[u] for u in sleep.dependencies}


def test_secrets_come_from_secret_manager_read_only_by_the_runtime_account(write_spec):
    plan = _plan(write_spec)
    function = _function(plan, "on-upload")
    config = function.inputs["serviceConfig"]
    assert config["environmentVariables"] == {"OUT": "out"}  # the secret is not a plain variable
    secret = _one(plan, "gcp:secretmanager/secret:Secret", "on-upload-secret-api-key")
    assert secret.inputs["secretId"] == "fx-dev-on-upload-API_KEY"
    version = _one(plan, "gcp:secretmanager/secretVersion:SecretVersion", "on-upload-secret-api-key-value")
    assert version.inputs["secretData"] == SECRET  # from the encrypted stack config, never in the program
    assert config["secretEnvironmentVariables"] == [
        {"key": "API_KEY", "projectId": "fx-project", "secret": "fx-dev-on-upload-API_KEY", "version": "1"}
    ]
    grants = [r for r in plan.resources if r.type == "gcp:secretmanager/secretIamMember:SecretIamMember"]
    assert [(g.inputs["secretId"], g.inputs["role"], g.inputs["member"]) for g in grants] == [
        (
            "projects/fx-project/secrets/fx-dev-on-upload-API_KEY",
            "roles/secretmanager.secretAccessor",
            f"serviceAccount:{config['serviceAccountEmail']}",
        )
    ]
    assert {"on-upload-secret-api-key-value", "on-upload-secret-api-key-access"} <= _names(plan, function)
