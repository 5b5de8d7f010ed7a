"""What a pydantic error means, in the author's words: the field path as the file spells it
(`start[2].size`, not pydantic's union tags), the TOML type of what was found, the bound or the
choices broken, and "did you mean" for a near miss.

Each problem comes out as (loc, message, hint); the loader adds the file and the line.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from game.content.errors import number, quote, suggest
from game.content.schema.fields import FieldProblems, Loc
from game.engine.scenario import VERBS

Found = tuple[Loc, str, str]  # where, what is wrong, what to do about it


def problems_of(model: type[BaseModel], error: ValidationError) -> list[Found]:
    """Every pydantic error of validating `model` as the author's (loc, message, hint)."""
    found: list[Found] = []
    for item in error.errors(include_url=False):
        found.extend(_problems(model, item))
    return found


def _problems(model: type[BaseModel], item: dict[str, Any]) -> list[Found]:
    """One pydantic error as the author's problems (a FieldProblems error may hold several)."""
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    loc, parent, leaf = _walk(model, item["loc"])
    if kind == "value_error" and isinstance(ctx.get("error"), FieldProblems):
        return [(loc + sub, message, hint) for sub, message, hint in ctx["error"].problems]
    message, hint = _describe(kind, ctx, value, item.get("msg", ""), loc, parent, leaf)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        loc = loc + (_discriminator(ctx),)
    return [(loc, message, hint)]


def _discriminator(ctx: dict[str, Any]) -> str:
    return str(ctx.get("discriminator", "do")).strip("'\"")


_TYPE_WORDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "an array",
    "tuple_type": "an array",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dict_type": "a table",
}


def _describe(
    kind: str, ctx: dict[str, Any], value: Any, msg: str, loc: Loc, parent: Any, leaf: Any
) -> tuple[str, str]:
    """(message, hint) for one pydantic error type, in the author's words."""
    if kind == "missing":
        return "required key is missing", ""
    if kind == "extra_forbidden":
        valid = list(parent.model_fields) if _is_model(parent) else []
        return "unknown key", suggest(str(loc[-1]) if loc else "", valid, "keys here")
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {_show(value)}", ""
    if kind == "finite_number":
        return f"must be a finite number, got {_show(value)}", ""
    bounds = {
        "greater_than": ("greater than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {_bound(ctx.get(key))}, got {_show(value)}", ""
    if kind == "string_too_short":
        return "must not be empty", ""
    if kind == "string_too_long":
        return (
            f"is {_count(value)} characters long, at most {ctx.get('max_length', ctx.get('max'))}",
            "",
        )
    if kind == "too_short":
        return f"needs at least {_entries(ctx.get('min_length'))}, has {_count(value)}", ""
    if kind == "too_long":
        return f"has more than {_entries(ctx.get('max_length'))}", ""
    if kind == "string_pattern_mismatch":
        return (
            f"{_value(value)} is not a valid id",
            "use lowercase letters a-z, digits 0-9 and dashes",
        )
    if kind == "literal_error":
        options = _literal_options(leaf)
        shown = ", ".join(quote(o) if isinstance(o, str) else str(o) for o in options)
        hint = (
            suggest(value, [o for o in options if isinstance(o, str)], "")
            if isinstance(value, str)
            else ""
        )
        return f"must be one of {shown}; got {_value(value)}", hint if hint.startswith(
            "did"
        ) else ""
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]
        tag = value.get(_discriminator(ctx)) if isinstance(value, dict) else value
        if not isinstance(tag, str):
            return f"expected an action name, got {_show(tag)}", f"actions are: {', '.join(tags)}"
        return f"unknown action {quote(tag)}", suggest(tag, tags, "actions are")
    if kind == "union_tag_not_found":
        return (
            "required key is missing",
            f"every action needs do = one of {', '.join(VERBS)}",
        )
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"]), ""
    return msg, ""


def _show(value: Any) -> str:
    """A short, safe rendering of an input value, named by its TOML type."""
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        digits = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
        return f"an integer ({digits})"
    if isinstance(value, float):
        return (
            f"a float ({number(value) if value == value and abs(value) != float('inf') else value})"
        )
    if isinstance(value, str):
        return f"a string ({quote(value)})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # dates and times


def _value(value: Any) -> str:
    """A value itself where that reads well ("cnd"), else described by its type."""
    return quote(value) if isinstance(value, str) else _show(value)


def _bound(value: Any) -> str:
    return number(value) if isinstance(value, float) else str(value)


def _entries(count: Any) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _count(value: Any) -> str:
    return str(len(value)) if isinstance(value, (str, list, dict)) else "?"


# -- field paths ----------------------------------------------------------------------------------


def field_path(loc: Loc) -> str:
    """`start[2].size`, `traffic.mix.read`; odd keys quoted so that nothing unprintable shows."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else quote(part, 60)
            out += f".{key}" if out else key
    return out


def _unwrap(tp: Any) -> Any:
    """A type without Annotated metadata or `| None`."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _walk(model: type[BaseModel], raw: Sequence[str | int]) -> tuple[Loc, Any, Any]:
    """Follow a pydantic error location through the models.

    Returns the location as the file spells it (discriminated-union tags dropped), the type the
    last key lives in (to list valid keys) and the type found at the location (to list choices).
    """
    tp: Any = model
    parent: Any = None
    loc: list[str | int] = []
    for part in raw:
        tp = _unwrap(tp)
        members = (
            typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else ()
        )
        if members and isinstance(part, str) and all(_is_model(m) for m in members):
            chosen = [
                m
                for m in members
                if part in typing.get_args(_unwrap(m.model_fields["do"].annotation))
            ]
            if chosen:  # a discriminated union's tag: not part of the file's path
                tp = chosen[0]
                continue
        parent = tp
        loc.append(part)
        if isinstance(part, int):
            args = typing.get_args(tp)
            if typing.get_origin(tp) is tuple:
                tp = args[part] if part < len(args) else None
            else:
                tp = args[0] if args else None
        elif _is_model(tp) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            tp = None
    return tuple(loc), _unwrap(parent) if parent is not None else None, _unwrap(tp)


def _literal_options(tp: Any) -> tuple[Any, ...]:
    tp = _unwrap(tp)
    return typing.get_args(tp) if typing.get_origin(tp) is typing.Literal else ()
