"""Google Cloud Pub/Sub subscription filters, e.g. `attributes.kind = \"image\" AND NOT attributes:test`:
parse, validate and evaluate them (cloud.google.com/pubsub/docs/subscription-message-filter, cited as [GCP];
where it is silent, Google's fake server googleapis/google-cloud-go pubsub/pstest)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from aipipe.semantics.filters.errors import FilterError

_PUBSUB_MAX_BYTES = 256  # "The maximum length of a filter is 256 bytes." [GCP]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # bare keys: "hyphens, underscores, or alphanumeric characters" [GCP]
_KEYLIKE = re.compile(r"[^\s()=!:,<>\"']+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# "You can also use Unicode, hexadecimal, and octal escape sequences within a string literal." [GCP]; the exact set
# is CEL's, as unescaped by einride/aip-go filtering, the parser of Google's fake (google-cloud-go pubsub/pstest).
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "`": "`",
    "?": "?",
}
_HEX_DIGITS = {"x": 2, "X": 2, "u": 4, "U": 8}
_FORMS = '`attributes:KEY`, `attributes.KEY = "value"` or `hasPrefix(attributes.KEY, "prefix")`'


class _PubSubParser:
    """Recursive descent over [GCP]: expression := unary {AND unary} | unary {OR unary};
    unary := (NOT | -) unary | primary; primary := ( expression ) | attributes:KEY | attributes.KEY (= | !=) "v"
    | hasPrefix(attributes.KEY, "v"). A tree is a tuple: ("has", k), ("eq"/"ne"/"prefix", k, v), ("NOT", t),
    ("AND"/"OR", (t, ...))."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self, message: str, at: int | None = None):
        raise FilterError(f"Pub/Sub filter, column {(self.pos if at is None else at) + 1}: {message}")

    def peek(self, literal: str) -> bool:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text.startswith(literal, self.pos)

    def word(self) -> str:
        self.peek("")
        found = _WORD.match(self.text, self.pos)
        return found.group() if found else ""

    def take(self, literal: str, message: str, at: int | None = None) -> None:
        if not self.peek(literal):
            self.fail(message, at)
        self.pos += len(literal)

    def parse(self):
        tree = self.expression()
        if self.peek(")"):
            self.fail("this `)` has no matching `(`: remove it or add the `(`")
        if self.pos < len(self.text):
            # the rest of this line only: a message is one line (peek skipped spaces, so the line is not empty)
            rest = self.text[self.pos : self.pos + 20].splitlines()[0]
            self.fail(f"expected `AND` or `OR` before `{rest}`: join conditions with one")
        return tree

    def expression(self):
        parts, joiner = [self.unary()], None
        while (word := self.word()).upper() in ("AND", "OR"):
            if word != word.upper():  # "The operators must be in uppercase letters." [GCP]
                self.fail(f"`{word}` must be written in uppercase: use `{word.upper()}`")
            if joiner not in (None, word):  # "To combine the AND and OR operators, use parentheses" [GCP]
                self.fail("`AND` and `OR` cannot be mixed without parentheses: write `(a AND b) OR c`")
            joiner, self.pos = word, self.pos + len(word)
            parts.append(self.unary())
        return parts[0] if joiner is None else (joiner, tuple(parts))

    def unary(self):
        if self.peek("-"):  # "You can also use the unary minus operator instead of the NOT operator." [GCP]
            self.pos += 1
            return ("NOT", self.unary())
        if (word := self.word()).upper() == "NOT":  # "The NOT operator has the highest precedence." [GCP]
            if word != "NOT":
                self.fail(f"`{word}` must be written in uppercase: use `NOT`")
            self.pos += 3
            return ("NOT", self.unary())
        return self.primary()

    def primary(self):
        word, start = self.word(), self.pos
        if self.pos >= len(self.text):
            self.fail(f"the filter ends where a condition is expected: finish it with e.g. {_FORMS}")
        if self.peek("("):
            self.pos += 1
            tree = self.expression()
            self.take(")", "this `(` is never closed: add the matching `)`", at=start)
            return tree
        if word in ("attributes", "hasPrefix"):  # "hasPrefix is the only supported function in a filter." [GCP]
            self.pos += len(word)
            return self.attribute_condition() if word == "attributes" else self.has_prefix()
        if self.text[self.pos] in "\"'":  # "Invalid: The left-hand side of the filter is a value" [GCP]
            self.fail('a condition cannot start with a quoted value: put the key first, as in `attributes.KEY = "v"`')
        if word.lower() == "attributes":
            self.fail(f"write `attributes` in lowercase, not `{word}`")
        if word.lower().replace("_", "") == "hasprefix":
            self.fail(f"the function is spelled `hasPrefix`, not `{word}`")
        if word.upper() in ("AND", "OR"):
            self.fail(f"`{word}` needs a condition on its left: add one or remove `{word}`")
        if word and self.text.startswith("(", self.pos + len(word)):
            self.fail(f"`{word}` is not a Pub/Sub filter function: `hasPrefix` is the only one")
        if self.text[self.pos] == ")":
            self.fail(f"expected a condition before `)`: write e.g. {_FORMS}")
        self.fail(f"`{self.text[self.pos : self.pos + 20].split()[0]}` is not a condition: write e.g. {_FORMS}")

    def attribute_condition(self):
        if self.peek(":"):  # "The : operator matches a key in a list of attributes." [GCP]
            self.pos += 1
            return ("has", self.key())
        self.take(".", 'write `attributes:KEY` to test a key or `attributes.KEY = "value"` to compare its value')
        key = self.key()
        for operator, kind in (("!=", "ne"), ("=", "eq")):
            if self.peek(operator):
                self.pos += len(operator)
                return (kind, key, self.value(operator))
        if any(self.peek(other) for other in "<>:"):  # comparison operators are :, = and != [GCP]
            self.fail("Pub/Sub filters compare values only with `=` and `!=`; there is no `<`, `>` or `.KEY:`")
        shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
        self.fail(
            f'`attributes.{shown}` needs a comparison: write `attributes.{shown} = "value"`, '
            f"or `attributes:{shown}` to test that the key is present"
        )

    def has_prefix(self):
        usage = '`hasPrefix(attributes.KEY, "prefix")`'
        self.take("(", f"`hasPrefix` needs its arguments in parentheses: {usage}")
        if self.word() != "attributes" or not self.text.startswith(".", self.pos + len("attributes")):
            self.fail(f"the first argument of `hasPrefix` must be an attribute: {usage}")
        self.pos += len("attributes.")
        key = self.key()
        self.take(",", f"`hasPrefix` takes two arguments separated by a comma: {usage}")
        if not (self.peek('"') or self.peek("'")):
            self.fail(f"the prefix must be a quoted string: {usage}")
        prefix = self.string()
        self.take(")", f"`hasPrefix(` is never closed: add `)` after the prefix, as in {usage}")
        return ("prefix", key, prefix)

    def key(self) -> str:
        if self.peek('"') or self.peek("'"):
            return self.string()
        bare = _BARE_KEY.match(self.text, self.pos)
        if _KEYLIKE.match(self.text, bare.end() if bare else self.pos):
            # "If a key contains characters other than hyphens, underscores, or alphanumeric characters, use a
            # string literal." [GCP]
            whole = _KEYLIKE.match(self.text, self.pos).group()
            self.fail(
                f"the key `{whole}` has characters other than letters, digits, `-` and `_`, so it must be "
                f'quoted: write `"{whole}"`'
            )
        if not bare:
            self.fail('expected an attribute key here, bare (letters, digits, `-`, `_`) or quoted like `"my.key"`')
        self.pos = bare.end()
        return bare.group()

    def value(self, operator: str) -> str:
        if self.peek('"') or self.peek("'"):  # "The value must be a string literal." [GCP]
            return self.string()
        if self.word() == "attributes":  # "Invalid: Filter compares two keys" [GCP]
            self.fail(f'`{operator}` compares a key with a quoted value, not two keys: write `attributes.KEY = "v"`')
        found = re.match(r"[^\s()]*", self.text[self.pos :]).group()
        self.fail(f'the value after `{operator}` must be a quoted string: write `"{found or "value"}"`')

    def string(self) -> str:
        quote, start, i, out = self.text[self.pos], self.pos, self.pos + 1, []
        while True:
            if i >= len(self.text):
                self.fail(f"this string is never closed: add the closing `{quote}`", at=start)
            char = self.text[i]
            if char == quote:
                self.pos = i + 1
                return "".join(out)
            if char == "\\":
                i, char = self.escape(i)
            elif ord(char) < 32 or ord(char) == 127:  # "To use ... non-printing characters ..., escape" [GCP]
                self.fail(f"the control character U+{ord(char):04X} must be escaped in a string, e.g. as `\\n`", at=i)
            else:
                i += 1
            out.append(char)

    def escape(self, i: int) -> tuple[int, str]:
        code = self.text[i + 1 : i + 2]
        if not code:
            self.fail("this string ends in a lone `\\` and is never closed: write `\\\\` for a backslash", at=i)
        if code in _ESCAPES:
            return i + 2, _ESCAPES[code]
        if code in _HEX_DIGITS:
            digits = self.text[i + 2 : i + 2 + _HEX_DIGITS[code]]
            if (
                re.fullmatch(r"[0-9a-fA-F]+", digits)
                and len(digits) == _HEX_DIGITS[code]
                and int(digits, 16) <= 0x10FFFF
                and not 0xD800 <= int(digits, 16) <= 0xDFFF
            ):
                return i + 2 + len(digits), chr(int(digits, 16))
            self.fail(f"`\\{code}` must be followed by {_HEX_DIGITS[code]} hex digits of a valid character", at=i)
        if code in "0123":
            if re.fullmatch(r"[0-7]{3}", digits := self.text[i + 1 : i + 4]):
                return i + 4, chr(int(digits, 8))
            self.fail("an octal escape needs exactly three digits 0-7, as in `\\101`", at=i)
        self.fail(
            f'`\\{code}` is not a valid escape: write `\\\\` for a backslash, `\\"` for a quote or '
            "`\\uXXXX` for a character",
            at=i,
        )


def _parse_pubsub(text: object):
    if not isinstance(text, str):
        raise FilterError(f"a Pub/Sub filter must be a string, got {type(text).__name__}: quote it in the spec")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise FilterError("the Pub/Sub filter is not valid UTF-8 (it holds an unpaired surrogate): remove it") from None
    if size > _PUBSUB_MAX_BYTES:
        raise FilterError(
            f"Pub/Sub filters are limited to {_PUBSUB_MAX_BYTES} bytes, this one has {size}: "
            "shorten it, e.g. with shorter attribute names"
        )
    return _PubSubParser(text).parse() if text.strip() else None  # an empty filter means "no filter"


def _pubsub_eval(tree, attributes: Mapping[str, str]) -> bool:
    kind = tree[0]
    if kind == "has":
        return tree[1] in attributes
    if kind in ("eq", "ne"):
        # "!=" selects "Messages without the name attribute and the value of com" [GCP]: it is NOT "=", so true
        # when the key is absent, as in googleapis/google-cloud-go pubsub/pstest/filtering.go and its tests.
        equal = tree[1] in attributes and attributes[tree[1]] == tree[2]
        return equal if kind == "eq" else not equal
    if kind == "prefix":  # "Messages with the name attribute and a value that starts with co" [GCP]
        value = attributes.get(tree[1])
        return isinstance(value, str) and value.startswith(tree[2])
    if kind == "NOT":
        return not _pubsub_eval(tree[1], attributes)
    return (all if kind == "AND" else any)(_pubsub_eval(part, attributes) for part in tree[1])


@dataclass(frozen=True)
class PubSubFilter:
    """A valid Pub/Sub subscription filter; an empty text means no filter and matches every message."""

    text: str
    _tree: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tree", _parse_pubsub(self.text))

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether Pub/Sub delivers a message with these attributes to the subscription."""
        return self._tree is None or _pubsub_eval(self._tree, attributes)


def parse_pubsub_filter(text: str) -> PubSubFilter:
    """Parse and validate a Pub/Sub subscription ``filter``; raises FilterError if Pub/Sub would refuse it."""
    return PubSubFilter(text)
