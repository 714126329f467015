"""One small declarative schema per document format, checked at the boundary before any use.

Every document that comes from outside (an annotations file, a choreography JSON, a shared plan's
``plan.json`` and ``manifest.json``, a library backup's manifest) is parsed with :func:`load_json`
(strict UTF-8, no duplicate keys, no NaN/Infinity, bounded nesting) and then checked against its
schema with :func:`validate`, which raises :class:`SchemaError` (an ``InputError``) naming the first
offending field in one line. Code past the boundary can then trust types and ranges, so a wrong
type deep inside a file never surfaces as a traceback or a half-done import.

Standard library only (``core`` imports nothing else); the specs are plain frozen dataclasses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bachata_desktop.core.errors import InputError

MAX_DEPTH = 32            # no document of ours nests deeper than ~6
MAX_TEXT = 10_000         # characters in one string field unless a spec says otherwise
HEX64 = re.compile(r"[0-9a-f]{64}")


class SchemaError(InputError):
    """A document does not match its format; the message names the field."""


# -- specs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Str:
    max_len: int = MAX_TEXT
    pattern: re.Pattern[str] | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    name_safe: bool = False   # usable as one file/folder name: no separators, not "." or ".."


@dataclass(frozen=True)
class Num:
    lo: float = -math.inf
    hi: float = math.inf
    integer: bool = False
    nullable: bool = False
    numeric_text: bool = False   # also accept "136" (hand-written annotations do this)


@dataclass(frozen=True)
class Bool:
    nullable: bool = False


@dataclass(frozen=True)
class List:
    item: Any
    max_items: int = 10_000
    nullable: bool = False


@dataclass(frozen=True)
class Map:
    """A JSON object with free keys (short strings) and values of one spec."""

    value: Any
    max_items: int = 10_000
    nullable: bool = False


@dataclass(frozen=True)
class Obj:
    fields: Mapping[str, Any]
    required: frozenset[str] = field(default_factory=frozenset)
    nullable: bool = False


@dataclass(frozen=True)
class AnyJson:
    """Anything JSON (already depth-bounded by :func:`load_json`); strings still checked."""

    nullable: bool = True


# -- parsing ---------------------------------------------------------------------------------------
def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise SchemaError(f"the key {k!r} appears twice in one object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise SchemaError(f"{name} is not a number JSON allows")


def load_json(data: bytes | str, what: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a JSON document strictly; SchemaError (one line, prefixed with ``what``) if it is not."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise SchemaError(f"{what} is not UTF-8 text") from None
    if _depth_exceeds(text, max_depth):
        raise SchemaError(f"{what} nests deeper than {max_depth} levels; refused")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except SchemaError as exc:
        raise SchemaError(f"{what} is not valid: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{what} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # very long digit strings, ...
        raise SchemaError(f"{what} is not valid JSON ({exc.__class__.__name__})") from None


def _depth_exceeds(text: str, max_depth: int) -> bool:
    """True if brackets nest deeper than ``max_depth`` (strings skipped); linear, no recursion."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif ch in "]}":
            depth -= 1
    return False


# -- validation ------------------------------------------------------------------------------------
def check_text(value: Any, where: str, max_len: int = MAX_TEXT) -> str:
    """A string safe to store, print and use in SQLite: no NUL, no lone surrogates, bounded."""
    if not isinstance(value, str):
        raise SchemaError(f"{where} must be text, not {_kind(value)}")
    if len(value) > max_len:
        raise SchemaError(f"{where} is longer than {max_len} characters")
    if "\x00" in value:
        raise SchemaError(f"{where} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SchemaError(f"{where} contains an invalid character (a lone surrogate)") from None
    return value


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "an object"}.get(type(v), type(v).__name__)


def validate(spec: Any, value: Any, where: str = "document") -> Any:
    """Check ``value`` against ``spec``; returns it unchanged, raises SchemaError otherwise."""
    path, where = where, where or "the document"
    if value is None:
        if getattr(spec, "nullable", False):
            return None
        raise SchemaError(f"{where} is missing or null")
    if isinstance(spec, Str):
        check_text(value, where, spec.max_len)
        if spec.choices and value not in spec.choices:
            raise SchemaError(f"{where} must be one of {', '.join(spec.choices)} (got {value[:40]!r})")
        if spec.pattern is not None and not spec.pattern.fullmatch(value):
            raise SchemaError(f"{where} is not in the expected form (got {value[:40]!r})")
        if spec.name_safe and (value.strip(" .") == "" or re.search(r'[\x00-\x1f/\\:*?"<>|]', value)):
            raise SchemaError(f"{where} cannot be used as a name (got {value[:40]!r})")
        return value
    if isinstance(spec, Num):
        v = value
        if spec.numeric_text and isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                raise SchemaError(f"{where} must be a number (got {value[:40]!r})") from None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SchemaError(f"{where} must be a number, not {_kind(value)}")
        if not math.isfinite(v):
            raise SchemaError(f"{where} must be a finite number")
        if spec.integer and not (isinstance(v, int) or float(v).is_integer()):
            raise SchemaError(f"{where} must be a whole number (got {v!r})")
        if not spec.lo <= v <= spec.hi:
            raise SchemaError(f"{where} must be between {spec.lo:g} and {spec.hi:g} (got {v!r})")
        return value
    if isinstance(spec, Bool):
        if not isinstance(value, bool):
            raise SchemaError(f"{where} must be true or false, not {_kind(value)}")
        return value
    if isinstance(spec, List):
        if not isinstance(value, list):
            raise SchemaError(f"{where} must be a list, not {_kind(value)}")
        if len(value) > spec.max_items:
            raise SchemaError(f"{where} holds more than {spec.max_items} entries")
        for n, item in enumerate(value):
            validate(spec.item, item, f"{path}[{n}]" if path else f"entry {n + 1}")
        return value
    if isinstance(spec, Map):
        if not isinstance(value, dict):
            raise SchemaError(f"{where} must be an object, not {_kind(value)}")
        if len(value) > spec.max_items:
            raise SchemaError(f"{where} holds more than {spec.max_items} entries")
        for k, v in value.items():
            check_text(k, f"a key of {where}", 1000)
            validate(spec.value, v, f"{path}.{k}" if path else k)
        return value
    if isinstance(spec, Obj):
        if not isinstance(value, dict):
            raise SchemaError(f"{where} must be an object, not {_kind(value)}")
        for k in sorted(spec.required):
            if value.get(k) is None and not getattr(spec.fields.get(k), "nullable", False):
                raise SchemaError(f"{path}.{k} is missing" if path else f"{k} is missing")
            if k not in value:
                raise SchemaError(f"{path}.{k} is missing" if path else f"{k} is missing")
        for k, v in value.items():
            if not isinstance(k, str):
                raise SchemaError(f"{where} has a key that is not text")
            sub = spec.fields.get(k)
            check_text(k, f"a key of {where}", 1000)
            validate(sub if sub is not None else AnyJson(), v, f"{path}.{k}" if path else k)
        return value
    if isinstance(spec, AnyJson):
        _check_any(value, where)
        return value
    raise TypeError(f"unknown schema spec {spec!r}")  # a bug in a schema, not bad input


def _check_any(value: Any, where: str) -> None:
    stack = [(value, where)]
    while stack:
        v, w = stack.pop()
        if isinstance(v, str):
            check_text(v, w, 1 << 20)
        elif isinstance(v, float) and not math.isfinite(v):
            raise SchemaError(f"{w} must be a finite number")
        elif isinstance(v, dict):
            for k, x in v.items():
                check_text(k, f"a key of {w}", 1000)
                stack.append((x, f"{w}.{k}"))
        elif isinstance(v, list):
            stack.extend((x, f"{w}[{n}]") for n, x in enumerate(v))


def load_document(data: bytes | str, spec: Any, what: str) -> Any:
    """:func:`load_json` then :func:`validate`, with ``what`` leading the one-line message."""
    doc = load_json(data, what)
    try:
        return validate(spec, doc, "")
    except SchemaError as exc:
        raise SchemaError(f"{what}: {exc}") from None


__all__ = ["HEX64", "MAX_DEPTH", "AnyJson", "Bool", "List", "Map", "Num", "Obj", "SchemaError",
           "Str", "check_text", "load_document", "load_json", "validate"]
