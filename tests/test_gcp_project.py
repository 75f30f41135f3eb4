"""Deploy-time GCP facts of issue 13 that are the program's, checked on plans of every GCP spec: the APIs a fresh
project lacks are enabled before anything that needs them, the service agents exist and have settled before
event triggers are made, CMEK buckets can use their keys, and decommissioned runtimes are refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aipipe.clouds.registry import CLOUDS
from aipipe.codegen.gcp_project import APIS_OF_MODULE, EVENT_TRIGGER_APIS, SETUP_TYPES, apis_used
from aipipe.codegen.project import render_program
from aipipe.codegen.safe import RenderError
from aipipe.offline.plan import plan_spec
from aipipe.semantics.kms import gcp_key_problem
from aipipe.validation import load_spec

from test_programs import ALL, key, spec_of

GCP = [path for path in ALL if spec_of(path).cloud == "gcp"]


@pytest.fixture(scope="module")
def gcp_plans():
    return {key(path): plan_spec(spec_of(path)) for path in GCP}


def _module(token: str) -> str:
    return token.split(":")[1].split("/")[0]


def _needed_apis(resource) -> set[str]:
    apis = set(APIS_OF_MODULE[_module(resource.type)])
    if resource.type == "gcp:cloudfunctionsv2/function:Function" and resource.inputs.get("eventTrigger"):
        apis |= set(EVENT_TRIGGER_APIS)
    return apis


@pytest.mark.parametrize("path", GCP, ids=key)
def test_every_resource_waits_for_the_apis_it_needs(path, gcp_plans):
    plan = gcp_plans[key(path)]
    services = {r.inputs["service"]: r.urn for r in plan.resources if r.type == "gcp:projects/service:Service"}
    checked = 0
    for resource in plan.resources:
        if not resource.type.startswith("gcp:") or resource.type in SETUP_TYPES:
            continue
        for api in _needed_apis(resource):
            assert api in services, f"{resource.name} needs {api}, which the program does not enable"
            assert services[api] in resource.dependencies, f"{resource.name} does not wait for {api}"
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("path", GCP, ids=key)
def test_apis_stay_enabled_on_destroy_and_nothing_unused_is_enabled(path, gcp_plans):
    plan = gcp_plans[key(path)]
    enabled = [r for r in plan.resources if r.type == "gcp:projects/service:Service"]
    # other workloads of the project may use an API: destroying the stack must not switch it off
    assert all(r.inputs["disableOnDestroy"] is False for r in enabled)
    needed = set().union(
        *(_needed_apis(r) for r in plan.resources if r.type.startswith("gcp:") and r.type not in SETUP_TYPES)
    )
    # Resource Manager always, and first: the provider reads every enabled API back through it
    assert {r.inputs["service"] for r in enabled} == needed | {"cloudresourcemanager.googleapis.com"}
    [manager] = [r for r in enabled if r.inputs["service"] == "cloudresourcemanager.googleapis.com"]
    assert all(manager.urn in r.dependencies for r in enabled if r is not manager)


@pytest.mark.parametrize("path", GCP, ids=key)
def test_event_triggers_wait_for_the_eventarc_and_pubsub_agents_to_settle(path, gcp_plans):
    plan = gcp_plans[key(path)]
    functions = [
        r for r in plan.resources if r.type == "gcp:cloudfunctionsv2/function:Function" and r.inputs.get("eventTrigger")
    ]
    sleeps = [r for r in plan.resources if r.type == "time:index/sleep:Sleep" and r.name == "service-agents-settled"]
    agents = {
        r.inputs["service"]: r for r in plan.resources if r.type == "gcp:projects/serviceIdentity:ServiceIdentity"
    }
    if not functions and "pubsub.googleapis.com" not in agents:
        assert not sleeps
        return
    [settled] = sleeps
    assert settled.inputs["createDuration"] == "120s"
    by_urn = {r.urn: r for r in plan.resources}
    for function in functions:
        waits = {u for d in function.dependencies for u in [d, *by_urn[d].dependencies]}
        assert settled.urn in waits
        assert {"eventarc.googleapis.com", "pubsub.googleapis.com"} <= set(agents)
    # each agent gets its role (kept on destroy: the agent serves the whole project), and the wait starts after
    roles = {r.inputs["role"]: r for r in plan.resources if r.name.endswith("-agent-role")}
    for service, agent in agents.items():
        [role] = [r for r in roles.values() if r.inputs["member"] == agent_member(service)]
        assert role.inputs["role"] == f"roles/{service.split('.')[0]}.serviceAgent"
        assert role.options["retain_on_delete"] is True and agent.urn in role.dependencies
        assert role.urn in settled.dependencies
    for agent in agents.values():
        service = next(
            r
            for r in plan.resources
            if r.type == "gcp:projects/service:Service" and r.inputs["service"] == agent.inputs["service"]
        )
        assert service.urn in agent.dependencies


def agent_member(service: str) -> str:
    return f"serviceAccount:service-123456789012@gcp-sa-{service.split('.')[0]}.iam.gserviceaccount.com"


@pytest.mark.parametrize("path", GCP, ids=key)
def test_waits_are_never_protected_so_a_change_can_recreate_them(path, gcp_plans):
    sleeps = [r for r in gcp_plans[key(path)].resources if r.type == "time:index/sleep:Sleep"]
    assert sleeps and all(r.options["protect"] is False for r in sleeps)


def test_the_storage_agents_publisher_grant_is_kept_on_destroy(gcp_plans):
    # the binding is the project's: another stack's bucket triggers need it after this one is destroyed
    plan = gcp_plans["tests/data/good/gcp-everything.yaml"]
    [publisher] = [r for r in plan.resources if r.name == "storage-events-publisher"]
    assert publisher.options["retain_on_delete"] is True


def test_the_pubsub_agent_is_the_created_identity_not_a_project_number_lookup(gcp_plans):
    plan = gcp_plans["specs/distributed-pubsub/aipipe.yaml"]
    [agent] = [
        r
        for r in plan.resources
        if r.type == "gcp:projects/serviceIdentity:ServiceIdentity" and r.name == "pubsub-agent"
    ]
    grants = [r for r in plan.resources if r.name.startswith("batch-workers-dead-letters-")]
    assert grants and all(agent.urn in g.dependencies for g in grants)
    assert all(
        g.inputs["member"] == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
        for g in grants
    )


@pytest.mark.parametrize("path", GCP, ids=key)
def test_no_program_looks_the_project_up_through_resource_manager(path, tmp_path):
    # getProject calls Resource Manager, which a fresh project has not enabled and an invoke cannot wait for;
    # the project id comes from the provider's configuration (getClientConfig) instead
    source = render_program(spec_of(path), tmp_path)["__main__.py"]
    assert "get_project(" not in source and "get_project_output(" not in source


def test_a_module_without_a_known_api_is_a_render_error():
    assert apis_used("x = gcp.pubsub.Topic('t')\n") == ["pubsub.googleapis.com"]
    assert apis_used("x = gcp.cloudfunctionsv2.Function('f', event_trigger={})\n") == sorted(
        {*APIS_OF_MODULE["cloudfunctionsv2"], *EVENT_TRIGGER_APIS}
    )
    with pytest.raises(RenderError, match=r"gcp\.notebooks"):
        apis_used("x = gcp.notebooks.Instance('n')\n")


def test_a_program_that_waits_for_nothing_imports_no_sleep(write_spec, tmp_path):
    text = "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  raw: {type: bucket}\n"
    source = render_program(load_spec(str(write_spec(text))).spec, tmp_path)["__main__.py"]
    assert "pulumiverse_time" not in source and "time.Sleep" not in source
    assert "service.googleapis.com" not in source  # only what a bucket needs: storage
    assert "'storage.googleapis.com'" in source


# --- CMEK buckets ---------------------------------------------------------------------------------------------

CMEK = """aipipe: 1
name: demo
cloud: gcp
region: europe-west1
resources:
  kept:
    type: bucket
    location: EU
    encryption: kms
    kms_key: projects/p-123456/locations/europe/keyRings/r/cryptoKeys/k
  scratch:
    type: bucket
    encryption: kms
    kms_key: projects/p-123456/locations/europe-west1/keyRings/r/cryptoKeys/k
    retain_on_destroy: false
    force_destroy: true
    ignore: [AP507]
"""


def test_a_cmek_bucket_waits_for_the_storage_agents_grant_on_its_key_and_keeps_it(write_spec):
    result = load_spec(str(write_spec(CMEK)))
    assert result.valid, result.diagnostics
    plan = plan_spec(result.spec)
    for name, retained in (("kept", True), ("scratch", False)):
        [bucket] = [r for r in plan.resources if r.type == "gcp:storage/bucket:Bucket" and r.name == name]
        [grant] = [
            r
            for r in plan.resources
            if r.type == "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember" and r.name == f"{name}-key-grant"
        ]
        assert grant.inputs["cryptoKeyId"] == bucket.inputs["encryption"]["defaultKmsKeyName"]
        assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
        assert grant.inputs["member"].endswith("@gs-project-accounts.iam.gserviceaccount.com")
        # the bucket is made two minutes after the grant (Cloud Storage checks the key when it is set)
        [settled] = [r for r in plan.resources if r.name == f"{name}-grants-settled"]
        assert grant.urn in settled.dependencies and settled.urn in bucket.dependencies
        # always kept: a retained bucket's objects stay readable only while the agent may use the key, and
        # the binding is shared with the project's other buckets on that key (destroying one bucket's stack
        # must not take it from the others)
        assert grant.options["retain_on_delete"] is True
        assert bucket.options["retain_on_delete"] is retained


@pytest.mark.parametrize(
    "location, key_location, valid",
    [
        ("EU", "europe", True),  # Cloud KMS's name for Cloud Storage's EU (cloud.google.com/kms/docs/locations)
        ("EU", "eu", False),
        ("EU", "europe-west1", False),
        (None, "europe-west1", True),
        (None, "global", False),
        ("NAM4", "nam4", True),
    ],
)
def test_a_cmek_key_is_in_the_buckets_own_location(location, key_location, valid, write_spec):
    text = CMEK.split("  scratch:")[0].replace("location: EU", f"location: {location}" if location else "")
    text = text.replace("locations/europe/", f"locations/{key_location}/")
    diagnostics = load_spec(str(write_spec(text))).diagnostics
    assert ("resources.kept.kms_key" in {d.path for d in diagnostics if d.code == "AP402"}) is not valid


# --- runtimes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_no_cloud_offers_a_runtime_it_retired(cloud):
    assert not set(CLOUDS[cloud].runtimes) & set(CLOUDS[cloud].retired_runtimes)


@pytest.mark.parametrize(
    "cloud, runtime, retired",
    [
        ("gcp", "nodejs20", True),
        ("gcp", "nodejs24", False),
        ("gcp", "python3.14", False),
        ("gcp", "python3.11", False),
        ("aws", "python3.11", True),
    ],
)
def test_runtime_retirement_is_per_cloud(cloud, runtime, retired):
    assert (runtime in CLOUDS[cloud].retired_runtimes) is retired
    assert (runtime in CLOUDS[cloud].runtimes) is not retired


def test_a_retired_runtime_is_refused_even_where_the_table_still_lists_it(monkeypatch, write_spec):
    gcp = CLOUDS["gcp"]
    monkeypatch.setitem(CLOUDS, "gcp", replace(gcp, runtimes={**gcp.runtimes, "nodejs20": "nodejs20"}))
    text = (
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  fn:\n    type: function\n"
        "    runtime: nodejs20\n    handler: main\n    code: ./app\n"
    )
    messages = [d.message for d in load_spec(str(write_spec(text))).diagnostics if d.code == "AP401"]
    assert messages == ["runtime `nodejs20` is retired; use `nodejs22`"]


@pytest.mark.parametrize(
    "key, message",
    [
        # Cloud KMS's multi-region for Cloud Storage's `EU` is `europe` (cloud.google.com/kms/docs/locations)
        ("projects/p-123456/locations/eu/keyRings/r/cryptoKeys/k", "the key is in `eu` and the bucket in `EU`"),
        ("projects/p-123456/locations/europe-west1/keyRings/r/cryptoKeys/k", "use a key in `europe`"),
        ("${other.id}", "or the name of a `key` resource of the spec"),
        ("$${x}", "or the name of a `key` resource of the spec"),
        ("projects/p-123456/locations/eu/keyRings/r$/cryptoKeys/k", "must be a Cloud KMS key resource name"),
        ("projects/P/locations/eu/keyRings/r/cryptoKeys/k", "must be a Cloud KMS key resource name"),
    ],
)
def test_a_gcp_key_problem_says_what_to_use(key, message):
    assert message in gcp_key_problem(key, "EU")


def test_a_well_formed_key_of_the_location_is_fine():
    assert gcp_key_problem("projects/p-123456/locations/europe/keyRings/ring_1/cryptoKeys/key-2", "EU") is None
    assert gcp_key_problem("projects/p-123456/locations/nam4/keyRings/ring_1/cryptoKeys/key-2", "NAM4") is None


def test_text_of_the_spec_never_decides_what_the_project_enables(write_spec, tmp_path):
    # the program's code decides, not strings inside it: a spec's text naming SDK classes, agents or event
    # triggers enables nothing and creates no agent
    text = (
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  raw:\n    type: bucket\n"
        "  fn:\n    type: function\n    runtime: python3.12\n    handler: main\n    code: ./app\n"
        "    environment:\n      A: 'see gcp.notebooks.Instance'\n      B: service_agent_foo\n"
        "      C: 'gcp.dataflow.Job(event_trigger={})'\n"
    )
    result = load_spec(str(write_spec(text)))
    assert result.valid, result.diagnostics
    source = render_program(result.spec, tmp_path)["__main__.py"]
    assert "notebooks.googleapis.com" not in source and "dataflow.googleapis.com" not in source
    assert "foo-agent" not in source and "ServiceIdentity(" not in source  # no event trigger: no agents
    assert "eventarc.googleapis.com" not in source


def test_a_prefix_is_a_cel_string_literal_in_the_grant_condition():
    from aipipe.codegen.expressions import ExpressionRenderer
    from aipipe.semantics.gcs import object_condition

    condition = object_condition("raw", ['in"coming\\x/'])
    rendered = ExpressionRenderer(None).render(condition["expression"].parts[2:])
    # the quote and the backslash are escaped as CEL (and JSON) escape them: no way out of the string
    assert rendered == [
        '/objects/in\\"coming\\\\x/")',
        ' || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("in\\"coming\\\\x/")',
    ]
    assert object_condition("raw", [""]) is None  # the whole bucket: no condition


@pytest.mark.parametrize(
    "location, valid",
    [
        ("EU", True),
        ("us", True),
        ("NAM4", True),
        ("europe-west1", True),
        ("EUROPE-WEST1", True),
        ("   ", False),
        ("eu west", False),
        ("europe-west1 ", False),
        ("", False),
        ("projects/x", False),
    ],
)
def test_a_bucket_location_has_the_form_of_a_cloud_storage_location(location, valid):
    from aipipe.clouds.gcp import bucket_location_problem

    assert (bucket_location_problem(location) is None) is valid
