"""Loading level and plan files: TOML in, engine dataclasses out, or a LevelError that says why.

Files are untrusted: they are size-checked before parsing, parsed with tomllib only (no code
runs), validated by the pydantic models of game.content.schema, and any failure on the way,
expected or not, becomes a LevelError whose problems carry a field path and a line number.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from game.content.errors import LevelError, Problem, number, quote, suggest
from game.content.schema import (
    MAX_LEVEL_BYTES,
    MAX_PLAN_BYTES,
    FieldProblems,
    LevelFile,
    PlanFile,
)
from game.engine.actions import Action
from game.engine.scenario import Component, Incident, RandomFailures, Scenario, Settings
from game.engine.scoring import Goal, Objectives, default_objectives
from game.engine.traffic import Mix, Spike, Traffic

__all__ = [
    "LevelFile",
    "actions_of",
    "field_line",
    "level_json_schema",
    "load_level",
    "load_plan",
    "load_plan_file",
    "parse_level",
    "parse_plan",
    "parse_plan_file",
    "scenario_of",
]

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


# -- public API -----------------------------------------------------------------------------------


def load_level(path: str | os.PathLike[str]) -> tuple[LevelFile, Scenario]:
    """Read, validate and build a level file."""
    source = os.fspath(path)
    return parse_level(_read(source, MAX_LEVEL_BYTES, "a level"), source)


def parse_level(text: str | bytes, source: str = "<level>") -> tuple[LevelFile, Scenario]:
    """Validate and build a level from its TOML text (or undecoded bytes)."""
    with _as_level_error(source):
        text = _decode(text, source, MAX_LEVEL_BYTES, "a level")
        level = _validate(LevelFile, _parse_toml(text, source), text, source)
        try:
            scenario = scenario_of(level)
        except FieldProblems as found:
            problems = [_located(source, text, loc, m, h) for loc, m, h in found.problems]
            raise _level_error(problems) from None
        return level, scenario


def load_plan(path: str | os.PathLike[str]) -> tuple[Action, ...]:
    """Read and validate a plan file of timed actions."""
    return load_plan_file(path)[1]


def load_plan_file(path: str | os.PathLike[str]) -> tuple[PlanFile, tuple[Action, ...]]:
    """Read a plan or solution file: the validated file and its engine Actions."""
    source = os.fspath(path)
    return parse_plan_file(_read(source, MAX_PLAN_BYTES, "a plan"), source)


def parse_plan(text: str | bytes, source: str = "<plan>") -> tuple[Action, ...]:
    """Validate a plan's TOML text into engine Actions, in file order."""
    return parse_plan_file(text, source)[1]


def parse_plan_file(
    text: str | bytes, source: str = "<plan>"
) -> tuple[PlanFile, tuple[Action, ...]]:
    """Validate a plan's TOML text: the file (with a solution's expectation) and its Actions.

    Only the shape is checked (each verb's keys and their types); whether an action makes sense
    at its tick (budget, a target that exists by then) is the engine's call when it runs.
    """
    with _as_level_error(source):
        text = _decode(text, source, MAX_PLAN_BYTES, "a plan")
        plan = _validate(PlanFile, _parse_toml(text, source), text, source)
        return plan, actions_of(plan)


def actions_of(plan: PlanFile) -> tuple[Action, ...]:
    """The engine Actions of a validated plan, in file order."""
    return tuple(Action(verb=step.do, **step.model_dump(exclude={"do"})) for step in plan.actions)


def load_file(model: type[M], path: str | os.PathLike[str], limit: int, what: str) -> M:
    """Read and validate any small TOML file of the pack format (pack.toml, codex entries)."""
    source = os.fspath(path)
    return parse_file(model, _read(source, limit, what), source, limit, what)


def parse_file(model: type[M], text: str | bytes, source: str, limit: int, what: str) -> M:
    with _as_level_error(source):
        text = _decode(text, source, limit, what)
        return _validate(model, _parse_toml(text, source), text, source)


def level_json_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a level file, as the TOML parses into JSON-like data.

    It states types, bounds and allowed names; the cross-field rules (mix sums to 1, incident
    targets exist, ...) are only enforced by the loader.
    """
    schema = LevelFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def scenario_of(level: LevelFile) -> Scenario:
    """The engine Scenario of a validated level (raises FieldProblems if the engine objects)."""
    t = level.traffic
    objectives = default_objectives()
    if level.objectives is not None:
        goals = tuple(
            _engine(("objectives", metric), Goal, metric, *lines)
            for metric, lines in level.objectives.goals().items()
        )
        objectives = _engine(
            ("objectives",), Objectives, goals, level.objectives.latency_percentile
        )
    scenario = _engine(
        (),
        Scenario,
        id=level.id,
        title=level.title,
        duration=level.duration,
        seed=level.seed,
        budget=level.budget,
        start=tuple(
            _engine(("start", i), Component, p.kind, p.size, p.id)
            for i, p in enumerate(level.start)
        ),
        settings=_engine(("settings",), Settings, **level.settings.model_dump()),
        unlocked=None if level.unlocked is None else frozenset(level.unlocked),
        traffic=_engine(
            ("traffic",),
            Traffic,
            points=tuple((tick, float(rate)) for tick, rate in t.points),
            curve=t.curve,
            wave_amplitude=t.wave_amplitude,
            wave_period=t.wave_period,
            spikes=tuple(Spike(s.start, s.duration, s.multiplier) for s in t.spikes),
            mix=_engine(("traffic", "mix"), Mix, **t.mix.model_dump()),
            keys=t.keys,
            zipf_alpha=t.zipf_alpha,
            origin_rtt_s=t.origin_rtt_ms / 1000,
            edge_rtt_s=t.edge_rtt_ms / 1000,
        ),
        incidents=tuple(Incident(i.tick, i.target) for i in level.incidents),
        failures=_engine(
            ("failures",), RandomFailures, level.failures.random, level.failures.mtbf_scale
        ),
        objectives=objectives,
        timeout_s=level.timeout_s,
    )
    _check_start(scenario)
    return scenario


# -- reading and parsing --------------------------------------------------------------------------


def _read(source: str, limit: int, what: str) -> bytes:
    """The bytes of a file, refused unread when it is bigger than `limit`."""
    try:
        with open(source, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise _too_big(source, size, limit, what)
            data = file.read(limit + 1)  # a file may grow, or report no size (a pipe)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise LevelError.single(source, f"cannot read the file: {reason}") from None
    if len(data) > limit:
        raise _too_big(source, len(data), limit, what)
    return data


def _too_big(source: str, size: int, limit: int, what: str) -> LevelError:
    return LevelError.single(
        source, f"the file is {_kib(size)}, more than the {_kib(limit)} {what} may have"
    )


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} bytes"


def _decode(text: str | bytes, source: str, limit: int, what: str) -> str:
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > limit:
            raise _too_big(source, len(data), limit, what)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            bad = data[error.start : error.start + 1].hex()
            raise LevelError.single(
                source,
                f"not UTF-8 text: byte 0x{bad} cannot be decoded",
                line=line,
                hint="save the file as UTF-8",
            ) from None
    elif not isinstance(text, str):
        raise TypeError(f"expected text or bytes, got {type(text).__name__}")
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise _too_big(source, len(text.encode("utf-8", "surrogatepass")), limit, what)
    return text.removeprefix("\ufeff")  # a byte order mark is not part of the TOML


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_WHERE.search(message)
        line: int | None = None
        if found:
            message = message[: found.start()]
            if found.group(1):
                line = int(found.group(1))
                message += f" (column {found.group(2)})"
            else:
                line = text.count("\n") + 1
                message += " (at the end of the file)"
        raise LevelError.single(source, f"TOML syntax error: {message}", line=line) from None
    except RecursionError:
        raise LevelError.single(source, "the file nests arrays or tables too deeply") from None
    except ValueError as error:  # an integer with more digits than Python converts
        reason = "an integer has too many digits" if "digits" in str(error) else str(error)
        raise LevelError.single(source, f"cannot parse the file: {reason}") from None


@contextmanager
def _as_level_error(source: str) -> Iterator[None]:
    """Whatever goes wrong while loading, the caller gets a LevelError, never a traceback."""
    try:
        yield
    except LevelError:
        raise
    except RecursionError:
        raise LevelError.single(source, "the file nests arrays or tables too deeply") from None
    except (ValueError, OverflowError, TypeError, ArithmeticError, MemoryError) as error:
        raise LevelError.single(
            source, f"cannot load the file: {type(error).__name__}: {error}"
        ) from None
    except Exception as error:  # noqa: BLE001 - a loader must not crash on a hostile file
        raise LevelError.single(
            source, f"cannot load the file (unexpected {type(error).__name__}: {error})"
        ) from None


# -- validation and its messages ------------------------------------------------------------------


def _validate(model: type[M], data: dict[str, Any], text: str, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems: list[Problem] = []
        for item in error.errors(include_url=False):
            problems.extend(_problems(model, item, text, source))
        raise _level_error(problems) from None


def _level_error(problems: list[Problem]) -> LevelError:
    """The problems in file order (those without a line last)."""
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return LevelError(problems)


def _problems(
    model: type[BaseModel], item: dict[str, Any], text: str, source: str
) -> list[Problem]:
    """One pydantic error as the author's problems (a FieldProblems error may hold several)."""
    kind, ctx, value = item["type"], item.get("ctx") or {}, item.get("input")
    loc, parent, leaf = _walk(model, item["loc"])
    if kind == "value_error" and isinstance(ctx.get("error"), FieldProblems):
        return [
            _located(source, text, loc + sub, message, hint)
            for sub, message, hint in ctx["error"].problems
        ]
    message, hint = _describe(kind, ctx, value, item.get("msg", ""), loc, parent, leaf)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        loc = loc + (_discriminator(ctx),)
    return [_located(source, text, loc, message, hint)]


def _located(source: str, text: str, loc: Loc, message: str, hint: str) -> Problem:
    return Problem(source, _path(loc), field_line(text, loc), message, hint)


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
            "every action needs do = one of add, remove, resize, configure, promote",
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


def _path(loc: Loc) -> str:
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


# -- line numbers ---------------------------------------------------------------------------------


def field_line(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line where field `path` (e.g. ("start", 2, "size")) is set in TOML `text`.

    Looks for the `key =` line of the field, then of each shorter prefix of the path (so a
    missing key falls back to its table's header line, an array element to the line it starts
    on or to its array's key), and gives None when nothing matches (a top-level key not written).
    """
    index = _line_index(text)
    for end in range(len(path), 0, -1):
        line = index.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")


def _eol(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _dotted_key(text: str, i: int) -> tuple[list[str], int] | None:
    """A (possibly dotted, possibly quoted) key starting at i, and the index after it."""
    parts: list[str] = []
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        for pattern in (_BARE, _BASIC, _LITERAL):
            found = pattern.match(text, i)
            if found:
                break
        else:
            return None
        token = found.group()
        if pattern is _BASIC:
            try:
                token = tomllib.loads(f"k = {token}")["k"]
            except tomllib.TOMLDecodeError:
                token = token[1:-1]
        elif pattern is _LITERAL:
            token = token[1:-1]
        parts.append(token)
        i = found.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


@functools.lru_cache(maxsize=8)
def _line_index(text: str) -> dict[Loc, int]:
    """Field path -> line, for every table header, `key =` line and array element in `text`."""
    index: dict[Loc, int] = {}
    current: dict[tuple[str, ...], int] = {}  # array-of-tables name -> index of its last table
    counts: dict[Loc, int] = {}
    table: Loc = ()
    line, i, n = 1, 0, len(text)

    def resolve(parts: list[str]) -> Loc:
        out: list[str | int] = []
        for k, part in enumerate(parts):
            out.append(part)
            if tuple(parts[: k + 1]) in current:
                out.append(current[tuple(parts[: k + 1])])
        return tuple(out)

    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
        elif ch == "\n":
            line, i = line + 1, i + 1
        elif ch == "#":
            i = _eol(text, i)
        elif ch == "[":
            double = text.startswith("[[", i)
            found = _dotted_key(text, i + (2 if double else 1))
            if found:
                parts, _ = found
                if double:
                    base = resolve(parts[:-1]) + (parts[-1],)
                    counts[base] = counts.get(base, -1) + 1
                    current[tuple(parts)] = counts[base]
                table = resolve(parts)
                for end in range(1, len(table) + 1):  # [a.b] or [[a]] also locates a, a.b
                    index.setdefault(table[:end], line)
            i = _eol(text, i)
        else:
            found = _dotted_key(text, i)
            if not found or found[1] >= n or text[found[1]] != "=":
                i = _eol(text, i)
                continue
            parts, i = found
            key = table + tuple(parts)
            for end in range(len(table) + 1, len(key) + 1):
                index.setdefault(key[:end], line)
            i, line = _skip_value(text, i + 1, line, key, index)
    return index


def _skip_value(text: str, i: int, line: int, key: Loc, index: dict[Loc, int]) -> tuple[int, int]:
    """Skip a value (strings, nested arrays, inline tables, comments) up to its line's end.

    Records the line each element of a top-level array starts on, as key + (n,).
    """
    n, depth, element, expecting = len(text), 0, -1, False
    while i < n:
        ch = text[i]
        if expecting and ch not in " \t\r\n#,]":
            element += 1
            index.setdefault(key + (element,), line)
            expecting = False
        if ch == "\n":
            line += 1
            if depth == 0:
                return i + 1, line
            i += 1
        elif ch == "#":
            i = _eol(text, i)
        elif ch in "\"'":
            i, line = _skip_string(text, i, line)
        elif ch in "[{":
            depth += 1
            expecting = depth == 1 and ch == "[" and element == -1
            i += 1
        elif ch in "]}":
            depth -= 1
            i += 1
        elif ch == "," and depth == 1:
            expecting = element >= 0
            i += 1
        else:
            i += 1
    return n, line


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Skip one string of any of TOML's four kinds starting at i."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            j = text.find(quote * 3, j)
            if j < 0:
                return len(text), line + text.count("\n", i)
            if quote == "'" or not _escaped(text, j):
                break
            j += 1
        end = j + 3
        while end < len(text) and text[end] == quote and end - j < 5:  # up to 2 quotes of content
            end += 1
        return end, line + text.count("\n", i, end)
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if text[j] == quote and (quote == "'" or not _escaped(text, j)):
            return j + 1, line
        j += 1
    return j, line


def _escaped(text: str, j: int) -> bool:
    """Whether the character at j is preceded by an odd number of backslashes."""
    k = j
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (j - k) % 2 == 1


# -- the engine's word ----------------------------------------------------------------------------

T = TypeVar("T")


def _engine(loc: Loc, make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Build an engine dataclass; its ValueError becomes a problem at `loc`."""
    try:
        return make(*args, **kwargs)
    except (ValueError, TypeError, OverflowError) as error:
        raise FieldProblems([(loc, str(error), "")]) from None


def _check_start(scenario: Scenario) -> None:
    """Let the engine judge the starting build (box or web server present, primaries, limits).

    Those rules live in Simulation; building one runs them without simulating a tick.
    """
    from game.engine.simulation import Simulation

    try:
        Simulation(scenario)
    except ValueError as error:
        raise FieldProblems([(("start",), str(error), "")]) from None
