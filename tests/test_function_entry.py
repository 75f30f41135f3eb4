"""The entry-point rule of Python Cloud Functions (AP409): main.py is parsed, never run, and the handler must be
a name it binds at its top level to something that may be a function."""

from __future__ import annotations

import ast

import pytest

from aipipe.kinds.function.entry import defined_names
from aipipe.validation import load_spec

SPEC = (
    "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  fn:\n    type: function\n"
    "    runtime: {runtime}\n    handler: {handler}\n    code: ./app\n"
)


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("def main(event):\n    pass\n", {"main"}),
        ("async def main(event):\n    pass\n", {"main"}),
        ("from handlers import process as main\nimport os.path\n", {"main", "os"}),
        ("main = make_handler()\nother: int = 1\n", {"main", "other"}),
        ("class Main:\n    pass\nif True:\n    def hidden():\n        pass\n", set()),  # not functions / not top level
    ],
)
def test_defined_names_are_top_level_functions_assignments_and_imports(source, names):
    assert defined_names(ast.parse(source)) == names


def _codes(write_spec, tmp_path, main_py, runtime="python3.12", handler="main"):
    path = write_spec(SPEC.format(runtime=runtime, handler=handler))
    if main_py is None:
        (tmp_path / "app" / "main.py").unlink()
    else:
        (tmp_path / "app" / "main.py").write_text(main_py)
    return [(d.code, d.path) for d in load_spec(str(path), "dev").diagnostics]


def test_a_syntax_error_in_main_py_is_reported_at_code(write_spec, tmp_path):
    assert _codes(write_spec, tmp_path, "def main(:\n") == [("AP409", "resources.fn.code")]


def test_main_py_is_never_executed(write_spec, tmp_path):
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').write('x')\ndef main(event):\n    pass\n"
    assert _codes(write_spec, tmp_path, source) == []
    assert not marker.exists()


def test_only_python_runtimes_need_main_py(write_spec, tmp_path):
    assert _codes(write_spec, tmp_path, None, runtime="nodejs22", handler="onEvent") == []
    assert _codes(write_spec, tmp_path, None) == [("AP409", "resources.fn.code")]
