"""Where every value of a spec came from: a side index from data paths to 1-based lines and columns.

The index lives beside the loaded data, never inside it, so the data stays plain dicts, lists and scalars.
A path is a tuple of mapping keys (str) and sequence positions (int), e.g. ("resources", "raw", "type").
"""

from __future__ import annotations

from dataclasses import dataclass, field

DataPath = tuple  # tuple[str | int, ...]: a place in the spec data


@dataclass(frozen=True)
class Location:
    """A 1-based line and column in a spec file."""

    line: int
    column: int


@dataclass
class LocationIndex:
    """Maps data paths to the location of their value and, for mapping members, of their key."""

    values: dict[DataPath, Location] = field(default_factory=dict)
    keys: dict[DataPath, Location] = field(default_factory=dict)
    # Raw text of plain scalars YAML 1.1 read as booleans (yes/no/on/off...), to explain surprising types.
    boolean_words: dict[DataPath, str] = field(default_factory=dict)

    def locate(self, path: DataPath, at_key: bool = False) -> Location:
        """Location of `path` (its key when `at_key`), else the key of its nearest existing ancestor."""
        path = tuple(path)
        if path in self.values:
            if at_key and path in self.keys:
                return self.keys[path]
            return self.values[path]
        if path in self.keys:  # a key whose value was removed (a stack override set it to null)
            return self.keys[path]
        for end in range(len(path) - 1, -1, -1):
            ancestor = path[:end]
            if ancestor in self.keys:
                return self.keys[ancestor]
            if ancestor in self.values:
                return self.values[ancestor]
        return Location(1, 1)

    def forget(self, prefix: DataPath, subtree: bool = True) -> None:
        """Drop the entries of `prefix` and, with `subtree`, of everything below it (its value was replaced).
        Without `subtree` this is constant time: use it when the old value was a scalar."""
        n = len(prefix)
        for table in (self.values, self.keys, self.boolean_words):
            if subtree:
                for path in [p for p in table if p[:n] == prefix]:
                    del table[path]
            else:
                table.pop(prefix, None)

    def copy_subtree(self, source: DataPath, target: DataPath, subtree: bool = True) -> None:
        """Make `source` (and with `subtree` everything below it) also known at `target`: stacks merging
        overrides. Without `subtree` this is constant time: use it when the value is a scalar."""
        n = len(source)
        for table in (self.values, self.keys, self.boolean_words):
            if subtree:
                for path, value in [(p, v) for p, v in table.items() if p[:n] == source]:
                    table[target + path[n:]] = value
            elif source in table:
                table[target] = table[source]


def format_path(path: DataPath) -> str:
    """A path as users write it: resources.raw.triggers[0].bucket."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
