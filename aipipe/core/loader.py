"""Read a spec file into plain data plus a LocationIndex, refusing anything unsafe or ambiguous.

Uses a local subclass of PyYAML's SafeLoader (the global loaders are never patched). The file is read as
UTF-8 only and bounded in size; the composed node graph is bounded in depth and in expanded size (so a
"billion laughs" file is refused in milliseconds); duplicate keys, non-string keys and tags outside the
JSON-like core are reported, each at its line and column, all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aipipe.core.diagnostics import Diagnostic
from aipipe.core.locations import DataPath, Location, LocationIndex, format_path

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64  # nesting of the written document
MAX_EXPANDED_NODES = 100_000  # nodes after aliases are expanded
MAX_LOAD_PROBLEMS = 500  # the same bound as the checks' (CheckContext)
MAX_NUMBER_DIGITS = 30  # no spec value needs more; Python refuses to parse ints past 4300 digits anyway

_TAG = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


class _LimitExceeded(Exception):
    def __init__(self, message: str, location: Location):
        super().__init__(message)
        self.location = location


def _location(mark) -> Location:
    return Location(mark.line + 1, mark.column + 1)


class SpecLoader(yaml.SafeLoader):
    """SafeLoader with a depth bound, raw-text timestamps and string-only mapping keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0  # values in the document once every alias is expanded
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, known once it is composed

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(event.anchor)
            if anchored is not None:
                if id(anchored) not in self._sizes:
                    raise _LimitExceeded(
                        "this alias refers to the collection that contains it (a recursive "
                        "alias); aipipe specs cannot be recursive",
                        _location(event.start_mark),
                    )
                self._count(self._sizes[id(anchored)], event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitExceeded(
                    f"the document is nested more than {MAX_DEPTH} levels deep", _location(event.start_mark)
                )
            before = self._expanded
            self._count(1, event.start_mark)
            node = super().compose_node(parent, index)
            self._sizes[id(node)] = self._expanded - before
            return node
        finally:
            self._depth -= 1

    def _count(self, values: int, mark) -> None:
        self._expanded += values
        if self._expanded > MAX_EXPANDED_NODES:
            raise _LimitExceeded(
                f"the document holds more than {MAX_EXPANDED_NODES} values once aliases are expanded; a spec "
                "needs far fewer (if it uses aliases, they may be nested into an alias bomb)",
                _location(mark),
            )

    def construct_mapping(self, node, deep=False):
        # Keys are taken as written, so `1:` or `on:` become "1" / "on" and are reported by the walk.
        self.flatten_mapping(node)
        return {k.value: self.construct_object(v, deep=deep) for k, v in node.value if _is_text_key(k)}


def _is_text_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "str"


def _timestamp_as_text(loader: SpecLoader, node: ScalarNode) -> str:
    # Dates stay strings: no spec field takes a date, and `2024-01-01` in a description should not surprise.
    return loader.construct_scalar(node)


SpecLoader.add_constructor(_TAG + "timestamp", _timestamp_as_text)


@dataclass
class LoadedDocument:
    """The result of reading a spec file: data (None when unreadable), its index, and load problems."""

    path: str
    data: dict | None
    index: LocationIndex = field(default_factory=LocationIndex)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""  # the decoded file, for showing offending lines (empty when it could not be decoded)


class _Walker:
    """Walks the composed node graph once: builds the index, finds duplicate/non-string keys and bad tags."""

    def __init__(self, loader: SpecLoader, file: str):
        self.loader = loader
        self.file = file
        self.index = LocationIndex()
        self.diagnostics: list[Diagnostic] = []

    def problem(self, code: str, message: str, location: Location, path: DataPath) -> None:
        if len(self.diagnostics) == MAX_LOAD_PROBLEMS:
            self.diagnostics.append(
                Diagnostic(
                    "AP110",
                    f"more than {MAX_LOAD_PROBLEMS} problems in the file; these "
                    "are the first, fix them and validate again",
                    self.file,
                    1,
                    1,
                )
            )
        if len(self.diagnostics) > MAX_LOAD_PROBLEMS:
            return
        self.diagnostics.append(Diagnostic(code, message, self.file, location.line, location.column, format_path(path)))

    def walk(self, node: Node, path: DataPath) -> None:
        if len(path) > 2 * MAX_DEPTH:  # aliases can nest written depth twice over at most
            raise _LimitExceeded("the document nests aliases too deeply", _location(node.start_mark))
        self.index.values[path] = _location(node.start_mark)
        if node.tag not in ALLOWED_TAGS:
            self.problem(
                "AP106",
                f"the YAML tag `{node.tag}` is not allowed; aipipe accepts only plain strings, numbers, "
                "booleans, null, lists and mappings (remove the tag)",
                _location(node.start_mark),
                path,
            )
            return
        if isinstance(node, ScalarNode):
            if node.tag == _TAG + "bool" and node.style is None:
                self.index.boolean_words[path] = node.value
            elif node.tag in (_TAG + "int", _TAG + "float") and len(node.value) > MAX_NUMBER_DIGITS:
                self.problem(
                    "AP202",
                    f"this number has more than {MAX_NUMBER_DIGITS} digits; no spec value needs "
                    "that many (quote it if it is text)",
                    _location(node.start_mark),
                    path,
                )
            if any("\ud800" <= character <= "\udfff" for character in node.value):
                self.problem(
                    "AP105",
                    "this string holds a lone surrogate escape (\\uD800-\\uDFFF), which is "
                    "not valid Unicode; remove it",
                    _location(node.start_mark),
                    path,
                )
        elif isinstance(node, SequenceNode):
            for position, child in enumerate(node.value):
                self.walk(child, path + (position,))
        elif isinstance(node, MappingNode):
            self.walk_mapping(node, path)

    def walk_mapping(self, node: MappingNode, path: DataPath) -> None:
        seen: dict[str, Location] = {}
        for key_node, _ in node.value:
            if key_node.tag == _TAG + "merge":
                continue
            key_location = _location(key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                self.problem(
                    "AP103",
                    "mapping keys must be strings, not a list or mapping (`? ...` keys are "
                    "not part of the spec language)",
                    key_location,
                    path,
                )
                continue
            if key_node.tag != _TAG + "str":
                shown = key_node.value
                self.problem(
                    "AP103",
                    f"mapping keys must be strings, but `{shown}` is read as "
                    f'{_tag_name(key_node.tag)}; quote it ("{shown}")',
                    key_location,
                    path,
                )
            key = key_node.value
            if key in seen:
                first = seen[key]
                self.problem(
                    "AP102",
                    f"duplicate key `{key}` (first defined at line {first.line}); remove one of them",
                    key_location,
                    path + (key,),
                )
            else:
                seen[key] = key_location
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not _is_text_key(key_node):
                continue  # reported above, and left out of the data
            child = path + (key_node.value,)
            self.index.keys[child] = _location(key_node.start_mark)
            self.walk(value_node, child)


def _tag_name(tag: str) -> str:
    short = tag.removeprefix(_TAG)
    return {"int": "an integer", "float": "a number", "bool": "a boolean", "null": "null"}.get(short, short)


def load_spec_file(path: str | Path) -> LoadedDocument:
    """Read and parse a spec file. Never raises for bad content: problems come back as diagnostics."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        return _failed(file, "AP100", f"cannot read the spec file: {reason}", Location(1, 1))
    if len(raw) > MAX_FILE_BYTES:
        return _failed(
            file,
            "AP107",
            f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a spec should be far smaller "
            "(split it, or move data out of it)",
            Location(1, 1),
        )
    return load_spec_bytes(raw, file)


def load_spec_bytes(raw: bytes, file: str = "<spec>") -> LoadedDocument:
    """Parse spec bytes (see load_spec_file)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return _failed(
            file,
            "AP105",
            f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); save it as UTF-8",
            Location(line, column),
        )
    text = text.removeprefix("\ufeff")
    document = _parse_text(text, file)
    document.text = text
    return document


def _parse_text(text: str, file: str) -> LoadedDocument:
    try:
        loader = SpecLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            return _failed(
                file, "AP108", "the spec is empty; start from `aipipe init` or an example in specs/", Location(1, 1)
            )
        if not isinstance(node, MappingNode):
            return _failed(
                file,
                "AP104",
                "the top level of a spec must be a mapping (`aipipe: 1`, `name: ...`, ...)",
                _location(node.start_mark),
            )
        walker = _Walker(loader, file)
        walker.walk(node, ())
        if any(d.code in ("AP105", "AP106") or d.message.startswith("this number") for d in walker.diagnostics):
            return LoadedDocument(file, None, walker.index, walker.diagnostics)
        data = loader.construct_document(node)
    except _LimitExceeded as error:
        return _failed(file, "AP107", str(error), error.location)
    except yaml.MarkedYAMLError as error:
        return _failed(file, *_describe_yaml_error(error))
    except yaml.reader.ReaderError as error:
        return _failed(
            file,
            "AP101",
            f"the file contains a character YAML does not allow ({_char_name(error.character)}); remove it",
            _text_location(text, error.position),
        )
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error above is marked or a reader error
        return _failed(file, "AP101", f"invalid YAML: {error}", Location(1, 1))
    except RecursionError:
        return _failed(file, "AP107", "the document is nested too deeply", Location(1, 1))
    except (ValueError, OverflowError) as error:  # a scalar PyYAML cannot convert; the walk refuses known ones
        return _failed(file, "AP202", f"a value cannot be read: {str(error)[:200]}", Location(1, 1))
    return LoadedDocument(file, data, walker.index, walker.diagnostics)


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> tuple[str, str, Location]:
    mark = error.problem_mark or error.context_mark
    location = _location(mark) if mark else Location(1, 1)
    problem = error.problem or "invalid YAML"
    if isinstance(error, yaml.composer.ComposerError) and "expected a single document" in (error.context or ""):
        return "AP108", "the file holds more than one YAML document (`---`); a spec is one document", location
    if "found undefined alias" in (error.problem or "") or "undefined alias" in (error.context or ""):
        return "AP101", f"{problem}; define the anchor (&name) before using it (*name)", location
    opened = error.context_mark
    if (error.context or "").startswith("while parsing a flow") and opened and mark and mark.line > opened.line:
        bracket = "[" if "sequence" in error.context else "{"
        closing = "]" if bracket == "[" else "}"
        return (
            "AP101",
            (
                f"invalid YAML: this `{bracket}` is never closed (YAML expected `,` or `{closing}` before "
                f"line {mark.line + 1}, column {mark.column + 1}); add the `{closing}`"
            ),
            _location(opened),
        )
    context = f" {error.context}" if error.context else ""
    hint = _hint(problem, error.context or "", _problem_line(error))
    return "AP101", f"invalid YAML:{context} {problem}{hint}".replace(": :", ":").strip(), location


def _hint(problem: str, context: str, line: str) -> str:
    """A sentence on how to fix the YAML mistakes people make most in specs."""
    if "\\t" in problem or "\t" in problem:
        return "; indent with spaces, not tabs"
    if "cron(" in line or "while scanning an alias" in context:
        return '; quote values that contain `*` or `?`, such as schedule: "cron(0 3 * * ? *)"'
    if "but got '{'" in problem and "${" in line:
        return '; inside `{...}` or `[...]`, quote values that hold references: "${name.attr}"'
    if "mapping values are not allowed" in problem:
        return "; a value containing `: ` must be quoted"
    return ""


def _problem_line(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark
    if mark is None or mark.buffer is None:
        return ""
    start = mark.buffer.rfind("\n", 0, mark.pointer) + 1
    end = mark.buffer.find("\n", mark.pointer)
    return mark.buffer[start : end if end != -1 else None]


def _char_name(character) -> str:
    code = character if isinstance(character, int) else ord(character)
    return f"U+{code:04X}"


def _text_location(text: str, position: int) -> Location:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return Location(line, column)


def _failed(file: str, code: str, message: str, location: Location) -> LoadedDocument:
    return LoadedDocument(
        file, None, LocationIndex(), [Diagnostic(code, message, file, location.line, location.column)]
    )
