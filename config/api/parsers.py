"""Request bodies: JSON, with its nesting bounded before it is parsed.

Python's JSON decoder recurses once per level, so a body of a few kilobytes
nested a thousand deep exhausts the stack inside the parser (a 500 before any
view runs, sign-in included). No body of the contract goes deeper than four
levels; the bound leaves room and is checked on the raw text, before the
decoder and the serializers recurse into it.
"""

import codecs
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json

MAX_DEPTH = 32

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets inside strings do not nest
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]), refusing bodies nested deeper than MAX_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        too_deep(text)
        try:
            return json.loads(text, parse_constant=json.strict_constant if api_settings.STRICT_JSON else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


def too_deep(text: str, limit: int = MAX_DEPTH) -> None:
    """Raises ParseError when the JSON text nests deeper than `limit` or its brackets do not pair up.

    Each round removes the innermost pairs, all at once and without recursion, so a
    body of any size costs at most `limit` passes over its brackets.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return
        brackets, removed = _EMPTY_PAIR.subn("", brackets)
        if not removed:
            raise ParseError("JSON parse error - brackets do not pair up.")
    if brackets:
        raise ParseError(f"JSON nested deeper than {limit} levels.")
