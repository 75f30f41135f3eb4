"""The loader: UTF-8 only, bounded, safe, every duplicate reported, and positions kept beside the data."""

from __future__ import annotations

import time

import pytest
import yaml

from aipipe.core.loader import MAX_FILE_BYTES, load_spec_bytes, load_spec_file
from aipipe.core.locations import Location


def codes(document):
    return [(d.code, d.line, d.column) for d in document.diagnostics]


def test_invalid_utf8_points_at_the_byte():
    document = load_spec_bytes(b"aipipe: 1\nname: caf\xe9\n", "f.yaml")
    assert document.data is None
    assert codes(document) == [("AP105", 2, 10)]


def test_utf16_file_is_refused_as_not_utf8():
    document = load_spec_bytes("aipipe: 1\n".encode("utf-16"), "f.yaml")
    assert codes(document)[0][0] == "AP105"


def test_byte_order_mark_is_accepted():
    document = load_spec_bytes(b"\xef\xbb\xbfaipipe: 1\n", "f.yaml")
    assert document.data == {"aipipe": 1} and not document.diagnostics


def test_nul_byte_is_refused_at_its_position():
    document = load_spec_bytes(b"aipipe: 1\nname: a\x00b\n", "f.yaml")
    assert codes(document) == [("AP101", 2, 8)]
    assert "U+0000" in document.diagnostics[0].message


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    document = load_spec_file(path)
    assert document.data is None and codes(document) == [("AP107", 1, 1)]


def test_missing_file_is_a_diagnostic_not_an_exception(tmp_path):
    document = load_spec_file(tmp_path / "nope.yaml")
    assert codes(document) == [("AP100", 1, 1)]


def test_directory_is_a_diagnostic(tmp_path):
    assert codes(load_spec_file(tmp_path))[0][0] == "AP100"


def billion_laughs(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def test_billion_laughs_is_refused_quickly():
    started = time.perf_counter()
    document = load_spec_bytes(billion_laughs(), "bomb.yaml")
    elapsed = time.perf_counter() - started
    assert document.data is None
    assert codes(document)[0][0] == "AP107"
    assert elapsed < 1.0, f"took {elapsed:.2f}s"


def test_alias_bomb_is_reported_at_the_alias_that_crosses_the_limit():
    document = load_spec_bytes(billion_laughs(), "bomb.yaml")
    line, column = codes(document)[0][1:]
    assert line >= 5 and billion_laughs().splitlines()[line - 1][column - 1 : column] == b"*"


def test_complex_keys_are_reported_and_left_out():
    document = load_spec_bytes(b"? [a, b]\n: 1\nc: 2\n", "f.yaml")
    assert codes(document) == [("AP103", 1, 3)]
    assert document.data == {"c": 2}


def test_recursive_alias_is_refused():
    document = load_spec_bytes(b"a: &x [*x]\n", "f.yaml")
    assert codes(document) == [("AP107", 1, 8)]
    assert "recursive alias" in document.diagnostics[0].message


def test_deep_nesting_is_refused_without_recursion_error():
    document = load_spec_bytes(b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "f.yaml")
    assert document.data is None and codes(document)[0][0] == "AP107"


def test_every_duplicate_key_is_reported_with_the_first_position():
    document = load_spec_bytes(b"a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yaml")
    assert sorted(codes(document)) == [("AP102", 4, 3), ("AP102", 5, 1)]
    messages = {(d.line, d.column): d.message for d in document.diagnostics}
    assert "duplicate key `c` (first defined at line 3)" in messages[(4, 3)]
    assert "duplicate key `a` (first defined at line 1)" in messages[(5, 1)]


def test_non_string_keys_are_reported_and_explained():
    document = load_spec_bytes(b"1: x\non: y\nnull: z\n", "f.yaml")
    assert codes(document) == [("AP103", 1, 1), ("AP103", 2, 1), ("AP103", 3, 1)]
    assert 'quote it ("on")' in document.diagnostics[1].message


@pytest.mark.parametrize(
    "source",
    [
        b"a: !!python/object/apply:os.system ['echo hacked']\n",
        b"a: !!binary aGk=\n",
        b"a: !custom x\n",
        b"a: !!set {x, y}\n",
    ],
)
def test_foreign_tags_are_refused_and_nothing_is_constructed(source):
    document = load_spec_bytes(source, "f.yaml")
    assert document.data is None
    assert codes(document)[0][:2] == ("AP106", 1)


def test_merge_keys_and_anchors_work_and_locations_follow():
    document = load_spec_bytes(b"base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert document.data["c"] == {"x": 1, "y": 3}
    assert document.index.values[("c", "y")] == Location(4, 6)
    assert not document.diagnostics


def test_dates_stay_strings():
    document = load_spec_bytes(b"description: 2024-01-01\n", "f.yaml")
    assert document.data == {"description": "2024-01-01"}


def test_boolean_words_are_remembered_for_hints():
    document = load_spec_bytes(b"tags:\n  legacy: no\n  quoted: 'no'\n", "f.yaml")
    assert document.index.boolean_words == {("tags", "legacy"): "no"}


def test_index_locates_values_keys_and_missing_paths():
    document = load_spec_bytes(b"resources:\n  raw:\n    type: bucket\n    tags: [a, b]\n", "f.yaml")
    index = document.index
    assert index.locate(("resources", "raw", "type")) == Location(3, 11)
    assert index.locate(("resources", "raw", "type"), at_key=True) == Location(3, 5)
    assert index.locate(("resources", "raw", "tags", 1)) == Location(4, 15)
    # a missing field falls back to the key of its nearest existing parent
    assert index.locate(("resources", "raw", "nothing", "deeper")) == Location(2, 3)


def test_global_safe_loader_is_not_patched():
    before = dict(yaml.SafeLoader.yaml_constructors)
    load_spec_bytes(b"d: 2024-01-01\n", "f.yaml")
    assert yaml.SafeLoader.yaml_constructors == before
    assert yaml.safe_load("d: 2024-01-01").get("d").year == 2024


@pytest.mark.parametrize(
    "source, position, fragment",
    [
        (b"a:\n  b: [x, y\n  c: 1\n", (2, 6), "this `[` is never closed"),
        (b"a:\n\t- b\n", (2, 1), "indent with spaces, not tabs"),
        (b"env: {A: ${b.name}}\n", (1, 11), "quote values that hold references"),
        (b"t: {schedule: cron(0 * * * ? *)}\n", (1, 28), "quote values that contain `*` or `?`"),
        (b"description: a: b\n", (1, 15), "a value containing `: ` must be quoted"),
    ],
    ids=["unclosed-bracket", "tab", "reference-in-flow", "cron-in-flow", "colon-in-value"],
)
def test_common_yaml_mistakes_get_a_position_and_a_fix(source, position, fragment):
    document = load_spec_bytes(source, "f.yaml")
    assert codes(document) == [("AP101", *position)]
    assert fragment in document.diagnostics[0].message


def test_loader_problems_are_capped():
    document = load_spec_bytes(b"a: 1\n" * 30_000, "f.yaml")
    assert len(document.diagnostics) == 501
    assert sum(d.code == "AP110" for d in document.diagnostics) == 1
