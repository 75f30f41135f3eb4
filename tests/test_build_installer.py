"""uv's error output sorted into what the user can act on (aipipe.build.installer.classify), on the texts uv
0.13 really prints (captured here; the network case from a closed local port)."""

from __future__ import annotations

import pytest

from aipipe.build.installer import classify

NO_WHEEL = """Using CPython 3.11.7 interpreter at: /work/venv/bin/python
error: No solution found when resolving dependencies
  cause: Because numpy==1.24.4 has no usable wheels and you require numpy==1.24.4, we can conclude that your requirements are unsatisfiable.

hint: Wheels are required for `numpy` because building from source is disabled for all packages (i.e., with `--no-build`)
"""
UNKNOWN = """error: No solution found when resolving dependencies
  cause: Because nonexistentpkg-zzqq was not found in the package registry and you require nonexistentpkg-zzqq==1.0, we can conclude that your requirements are unsatisfiable.
"""
DERIVATION = """error: No solution found when resolving dependencies
  ╰─▶ Because only six<=1.17.0 is available and you require six>=2,
      we can conclude that your requirements are unsatisfiable.
      hint: six was found on the index
"""
REFUSED = """warning: no Python 3.12 found
  cause: tcp connect error
error: Request failed after 3 retries in 11.3s
  cause: Failed to fetch: http://127.0.0.1:9/simple/docopt/
  cause: error sending request for url (http://127.0.0.1:9/simple/docopt/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""


def test_no_wheel_for_the_target_is_a_requirement_that_needs_a_build():
    failure = classify(NO_WHEEL)
    assert failure.reason == "needs_build" and failure.packages == ["numpy"]
    assert failure.detail == (
        "Because numpy==1.24.4 has no usable wheels and you require numpy==1.24.4, we can conclude that your "
        "requirements are unsatisfiable."
    )


def test_an_unknown_package_is_unsatisfiable_and_named():
    failure = classify(UNKNOWN)
    assert (failure.reason, failure.packages) == ("unsatisfiable", ["nonexistentpkg-zzqq"])
    assert failure.detail.startswith("Because nonexistentpkg-zzqq was not found in the package registry")


def test_a_derivation_over_several_lines_is_kept_whole_without_its_hint():
    failure = classify(DERIVATION)
    assert failure.reason == "unsatisfiable" and failure.packages[0] == "six"
    assert failure.detail == (
        "Because only six<=1.17.0 is available and you require six>=2, we can conclude that your requirements "
        "are unsatisfiable."
    )


def test_a_refused_connection_names_what_uv_fetched_and_the_innermost_cause():
    failure = classify(REFUSED)
    assert failure.reason == "unreachable"  # the warning's network cause before `error:` is not the failure
    assert failure.detail == "Request failed after 3 retries in 11.3s (Connection refused (os error 111))"


def test_an_error_line_alone_is_its_own_detail():
    assert classify("error: Failed to fetch: https://pypi.org/simple/six/\n").detail == (
        "Failed to fetch: https://pypi.org/simple/six/"
    )
    other = classify("Using CPython 3.11\nsomething went wrong\nhint: try again\n")
    assert other.reason == "failed" and other.detail == "something went wrong hint: try again"


def test_offline_with_a_cold_cache_is_unreachable():
    text = "error: Failed to download `six==1.16.0`\n  cause: Network connectivity is disabled, but the requested data wasn't found in the cache\n  cause: network was disabled\n"
    assert classify(text).reason == "unreachable"


def test_a_reason_with_colons_and_a_deeper_cause_keeps_the_first_reason_whole():
    text = (
        "error: No solution found when resolving dependencies\n"
        "  cause: Because pkg==1: has no usable wheels: none at all, we can conclude that it is unsatisfiable.\n"
        "  cause: a deeper cause\n"
    )
    assert classify(text).detail == (
        "Because pkg==1: has no usable wheels: none at all, we can conclude that it is unsatisfiable."
    )


def test_a_network_failure_with_one_cause_keeps_it():
    text = "error: Failed to fetch: https://pypi.org/simple/six/\n  cause: dns error: no such host\n"
    assert classify(text).detail == "Failed to fetch: https://pypi.org/simple/six/ (dns error: no such host)"


@pytest.mark.parametrize(
    "text",
    [
        "error: No solution found when resolving dependencies for split (python_version >= '3.12')",
        "error: Because six>=2 is unsatisfiable, we cannot go on",
        "error: Because nope was not found in the package registry, we cannot go on",
    ],
)
def test_any_one_of_uvs_resolution_phrases_means_unsatisfiable(text):
    assert classify(text).reason == "unsatisfiable"


def test_offline_names_what_was_missing_and_silence_is_said():
    text = "error: Failed to download `six==1.16.0`\n  cause: network was disabled\n"
    assert classify(text).detail == "network was disabled"
    assert classify("").detail == "the installer failed without a message"


def test_an_explanation_stops_at_the_next_message_and_drops_hints_without_a_cause():
    followed = "error: No solution found\n  cause: Because six>=2 is unavailable,\n  we stop.\nwarning: Hint follows\n"
    assert classify(followed).detail == "Because six>=2 is unavailable, we stop."
    bare = "error: No solution found: six>=2 is unsatisfiable\nsee above\nHint: try six<2\n"
    assert classify(bare).detail == "error: No solution found: six>=2 is unsatisfiable see above"
