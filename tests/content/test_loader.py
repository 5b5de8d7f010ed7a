"""Level and plan files: valid ones build the right engine objects, bad ones say where and why."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.content import loader
from game.content.errors import LevelError, Problem
from game.content.loader import (
    level_json_schema,
    load_level,
    load_plan,
    parse_level,
    parse_plan,
)
from game.content.schema import MAX_LEVEL_BYTES, LevelFile
from game.engine import catalog
from game.engine.actions import Action
from game.engine.scenario import Component, RandomFailures, Scenario, Settings
from game.engine.scoring import Goal, default_objectives
from game.engine.simulation import Simulation
from game.engine.topology import start_ids as component_ids
from game.engine.traffic import Mix, Traffic

DATA = Path(__file__).parent.parent / "data"
MINIMAL = DATA / "level_minimal.toml"
FULL = DATA / "level_full.toml"
PLAN = DATA / "plan.toml"
FULL_TEXT = FULL.read_text(encoding="utf-8")
SOURCE = "levels/core/launch.toml"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def replaced(old: str, new: str, text: str = FULL_TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def only_problem(error: pytest.ExceptionInfo[LevelError]) -> Problem:
    problems = error.value.problems
    assert len(problems) == 1, str(error.value)
    return problems[0]


# -- valid files ----------------------------------------------------------------------------------


def test_minimal_level_takes_engine_defaults() -> None:
    level, scenario = load_level(MINIMAL)
    assert isinstance(level, LevelFile)
    assert (scenario.id, scenario.title, scenario.duration) == ("hello", "Hello, world", 60)
    defaults = {f.name: f for f in fields(Scenario)}
    assert scenario.seed == defaults["seed"].default
    assert scenario.budget is None and scenario.unlocked is None
    assert scenario.timeout_s == catalog.DEFAULT_TIMEOUT_S
    assert scenario.start == (Component("box"),)
    assert scenario.settings == Settings()
    assert scenario.failures == RandomFailures()
    assert scenario.incidents == ()
    assert scenario.objectives == default_objectives()
    engine = Traffic()
    traffic = scenario.traffic
    assert traffic.points == ((0, 5.0),)
    assert traffic.mix == Mix()
    assert (traffic.curve, traffic.wave_amplitude, traffic.wave_period) == (
        engine.curve,
        engine.wave_amplitude,
        engine.wave_period,
    )
    assert (traffic.keys, traffic.zipf_alpha) == (engine.keys, engine.zipf_alpha)
    assert traffic.origin_rtt_s == pytest.approx(catalog.DEFAULT_ORIGIN_RTT_S)
    assert traffic.edge_rtt_s == pytest.approx(catalog.DEFAULT_EDGE_RTT_S)


def test_full_level_sets_every_field() -> None:
    level, s = load_level(str(FULL))
    assert (s.id, s.duration, s.seed, s.budget, s.timeout_s) == ("launch-day", 300, 7, 40.0, 1.5)
    assert s.title == "Launch day: [b]not markup[/b]"  # kept literally; the UI escapes it
    assert s.unlocked == frozenset({"web", "balancer", "cache", "add", "resize", "configure"})
    assert s.start[1] == Component("web", "M") and s.start[2] == Component("web", "S", "web-main")
    assert s.settings == Settings("least_connections", "lfu", 120.0, False, "relational")
    t = s.traffic
    assert t.points == ((0, 20.0), (120, 60.0), (300, 80.0))
    assert isinstance(t.points[1][1], float)
    assert (t.curve, t.wave_amplitude, t.wave_period, t.keys, t.zipf_alpha) == (
        "exponential",
        0.2,
        150,
        500_000,
        1.1,
    )
    assert t.origin_rtt_s == pytest.approx(0.080) and t.edge_rtt_s == pytest.approx(0.0125)
    assert t.mix == Mix(0.3, 0.5, 0.1, 0.1)
    assert [(x.start, x.duration, x.multiplier) for x in t.spikes] == [
        (100, 30, 3.0),
        (250, 50, 1.5),
    ]
    assert [(i.tick, i.target) for i in s.incidents] == [(90, "web-2"), (200, "replica-1")]
    assert s.failures == RandomFailures(True, 0.5)
    assert s.objectives.latency_percentile == 99
    assert s.objectives.goals[2] == Goal("cost", 12000.0, 10000.0, 8000.0)
    assert [g.metric for g in s.objectives.goals] == [
        "availability",
        "latency_ms",
        "cost",
        "stale_share",
        "lost_writes",
    ]
    # the engine accepts the build and names its components as the loader predicted
    assert [n.id for n in Simulation(s).nodes()] == level.component_ids()


def test_plan_loads_into_actions_in_file_order() -> None:
    actions = load_plan(PLAN)
    assert actions[0] == Action(0, "add", kind="primary", size="M")
    assert actions[1] == Action(60, "add", kind="web")  # size defaults to the Action default
    assert actions[2] == Action(70, "configure", target="cache", setting="ttl", value=60.0)
    assert actions[3].value == "least_connections"
    assert actions[4].value is False
    assert actions[5] == Action(80, "resize", target="web-1", size="L")
    assert actions[6] == Action(90, "promote", target="replica-1")
    assert actions[7] == Action(100, "remove", target="box-1")
    assert parse_plan("") == ()


def test_plan_and_level_accept_bytes_and_a_byte_order_mark() -> None:
    assert parse_level(b"\xef\xbb\xbf" + MINIMAL.read_bytes())[1].id == "hello"
    assert len(parse_plan(PLAN.read_bytes())) == 8


# -- component ids --------------------------------------------------------------------------------


def engine_ids(start: list[tuple[str, str]]) -> list[str]:
    scenario = Scenario("ids", "ids", 10, start=tuple(Component(k, "S", i) for k, i in start))
    return [node.id for node in Simulation(scenario).nodes()]


@pytest.mark.parametrize(
    "start",
    [
        [("box", "")],
        [("balancer", ""), ("web", ""), ("web", ""), ("primary", ""), ("replica", ""), ("cdn", "")],
        [("primary", ""), ("web", "web-2"), ("web", ""), ("web", ""), ("web", "")],
        [("primary", "web-1"), ("web", ""), ("cache", "cache-1"), ("cache", ""), ("web", "x")],
        [("box", "db-1"), ("primary", ""), ("web", "")],
    ],
)
def test_component_ids_match_the_engine(start: list[tuple[str, str]]) -> None:
    assert component_ids(start) == engine_ids(start)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["web", "replica", "cache"]),
            st.sampled_from(
                ["", "", "", "web-1", "web-2", "web-3", "replica-2", "cache-1", "db-1"]
            ),
        ),
        max_size=8,
    ),
    st.integers(0, 8),
)
def test_component_ids_match_the_engine_for_any_build(
    rest: list[tuple[str, str]], where: int
) -> None:
    start = rest[:where] + [("primary", "")] + rest[where:] + [("web", "")]
    ids = component_ids(start)
    if len(set(ids)) < len(ids):  # the engine refuses such a build; the level model reports it
        with pytest.raises(ValueError, match="twice"):
            engine_ids(start)
    else:
        assert ids == engine_ids(start)


# -- bad levels: field, line and words ------------------------------------------------------------

BAD_LEVELS = {
    "wrong type": (
        replaced("duration = 300", 'duration = "300"'),
        "duration",
        "duration =",
        ["expected an integer", '"300"'],
    ),
    "unknown key with suggestion": (
        replaced("[traffic.mix]", "[traffic.mxi]"),
        "traffic.mxi",
        "[traffic.mxi]",
        ["unknown key", 'did you mean "mix"?'],
    ),
    "unknown top-level key": (
        replaced("seed = 7", "sead = 7"),
        "sead",
        "sead =",
        ['did you mean "seed"?'],
    ),
    "negative duration": (
        replaced("duration = 300", "duration = -5"),
        "duration",
        "duration =",
        ["at least 1", "-5"],
    ),
    "duration too long": (
        replaced("duration = 300", "duration = 1_000_000_000_000"),
        "duration",
        "duration =",
        [f"at most {catalog.MAX_TICKS}"],
    ),
    "mix not summing to 1": (
        replaced("static = 0.3", "static = 0.2"),
        "traffic.mix",
        "[traffic.mix]",
        ["shares sum to 0.9, expected 1 (static 0.2 + read 0.5 + write 0.1 + join 0.1)"],
    ),
    "incident on a missing component": (
        replaced('target = "web-2"', 'target = "web-9"'),
        "incidents[0].target",
        'target = "web-9"',
        ['no component "web-9"', 'did you mean "web-2"?'],
    ),
    "incident after the end": (
        replaced("tick = 200", "tick = 300"),
        "incidents[1].tick",
        "tick = 300",
        ["not inside"],
    ),
    "unordered star lines": (
        replaced("latency_ms = [500, 300, 200]", "latency_ms = [200, 300, 500]"),
        "objectives.latency_ms",
        "latency_ms =",
        ["must fall", "lower is better", "[200, 300, 500]"],
    ),
    "availability lines falling": (
        replaced("[0.99, 0.995, 0.999]", "[0.999, 0.995, 0.99]"),
        "objectives.availability",
        "availability =",
        ["must rise"],
    ),
    "unknown kind": (
        replaced('kind = "cdn"', 'kind = "cnd"'),
        "start[7].kind",
        'kind = "cnd"',
        ["must be one of", '"cnd"', 'did you mean "cdn"?'],
    ),
    "size not of that kind": (
        replaced('kind = "cache"\nsize = "M"', 'kind = "cache"\nsize = "XL"'),
        "start[6].size",
        'size = "XL"',
        ['a cache has no size "XL"', "S, M, L"],
    ),
    "spike outside the duration": (
        replaced("duration = 50", "duration = 51"),
        "traffic.spikes[1].duration",
        "duration = 51",
        ["runs to tick 301", "duration 300"],
    ),
    "spike starting after the end": (
        replaced("start = 250", "start = 300"),
        "traffic.spikes[1].start",
        "start = 300",
        ["after"],
    ),
    "ESC in the title": (
        replaced('title = "Launch day: [b]not markup[/b]"', 'title = "Launch \\u001b[31mday"'),
        "title",
        "title =",
        ["control character", "ESC"],
    ),
    "8-bit CSI in the title": (
        replaced('title = "Launch day: [b]not markup[/b]"', 'title = "Launch \\u009b31mday"'),
        "title",
        "title =",
        ["control character", "U+009B"],
    ),
    "newline in the title": (
        replaced('title = "Launch day: [b]not markup[/b]"', 'title = "Launch\\nday"'),
        "title",
        "title =",
        ["one line"],
    ),
    "title too long": (
        replaced('title = "Launch day: [b]not markup[/b]"', f'title = "{"x" * 61}"'),
        "title",
        "title =",
        ["61 characters", "at most 60"],
    ),
    "bad level id": (
        replaced('id = "launch-day"', 'id = "Launch Day"'),
        "id",
        "id =",
        ["not a valid id"],
    ),
    "point out of order": (
        replaced("[120, 60],", "[0, 60],"),
        "traffic.points[1][0]",
        "[0, 60],",
        ["strictly increase"],
    ),
    "point after the end": (
        replaced("[300, 80.0],", "[301, 80.0],"),
        "traffic.points[2][0]",
        "[301, 80.0]",
        ["after the level ends"],
    ),
    "string in a point": (
        replaced("[120, 60],", '[120, "60"],'),
        "traffic.points[1][1]",
        '[120, "60"]',
        ["expected a number"],
    ),
    "unlocked typo": (
        replaced('"balancer", "cache"', '"balancr", "cache"'),
        "unlocked[1]",
        "unlocked =",
        ['did you mean "balancer"?'],
    ),
    "missing kind": (
        replaced('[[start]]\nkind = "cdn"', '[[start]]\nsize = "S"'),
        "start[7].kind",
        ("[[start]]", 8),
        ["required key is missing"],
    ),
    "duplicate component id": (
        replaced('id = "web-main"', 'id = "web-1"'),
        "start[2].id",
        'id = "web-1"',
        ["already taken by start[1]"],
    ),
    "too many of a kind": (
        replaced('kind = "cdn"', 'kind = "primary"'),
        "start[7].kind",
        ('kind = "primary"', 2),
        ["more than 1 primary"],
    ),
    "infinite budget": (
        replaced("budget = 40.0", "budget = inf"),
        "budget",
        "budget =",
        ["finite"],
    ),
    "date for a number": (
        replaced("budget = 40.0", "budget = 2024-01-01"),
        "budget",
        "budget =",
        ["expected a number", "date"],
    ),
    "boolean for an integer": (
        replaced("seed = 7", "seed = true"),
        "seed",
        "seed =",
        ["expected an integer", "boolean"],
    ),
    "float for an integer": (
        replaced("keys = 500_000", "keys = 5e5"),
        "traffic.keys",
        "keys =",
        ["expected an integer", "float"],
    ),
    "objectives without a metric": (
        FULL_TEXT[: FULL_TEXT.index("[objectives]")] + "[objectives]\nlatency_percentile = 99\n",
        "objectives",
        "[objectives]",
        ["names no metric"],
    ),
    "unknown percentile": (
        replaced("latency_percentile = 99", "latency_percentile = 98"),
        "objectives.latency_percentile",
        "latency_percentile =",
        ["must be one of 50, 90, 95, 99"],
    ),
    "availability above 1": (
        replaced("[0.99, 0.995, 0.999]", "[0.99, 0.995, 1.5]"),
        "objectives.availability",
        "availability =",
        ["share"],
    ),
    "unknown metric": (
        replaced("cost = [12000", "costs = [12000"),
        "objectives.costs",
        "costs =",
        ['did you mean "cost"?'],
    ),
    "mix as an inline table": (
        replaced("[traffic.mix]\nstatic = 0.3\nread = 0.5\nwrite = 0.1\njoin = 0.1", "").replace(
            "curve =", "mix = { static = 0.5, read = 0.5, write = 0.1, join = 0 }\ncurve ="
        ),
        "traffic.mix",
        "mix = {",
        ["sum to 1.1"],
    ),
    "control character in an unknown key": (
        replaced("budget = 40.0", '"bud\\u001bget" = 40.0'),
        '"bud\\x1bget"',
        "40.0",
        ["unknown key"],
    ),
}


@pytest.mark.parametrize(
    "text, field, line_text, words", BAD_LEVELS.values(), ids=BAD_LEVELS.keys()
)
def test_bad_level_says_where_and_why(
    text: str, field: str, line_text: str | tuple[str, int], words: list[str]
) -> None:
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problem = only_problem(error)
    assert (problem.file, problem.field) == (SOURCE, field)
    where = (line_text,) if isinstance(line_text, str) else line_text
    assert problem.line == line_of(text, *where)
    rendered = str(error.value)
    for word in words:
        assert word in rendered
    assert "\x1b" not in rendered and "\x9b" not in rendered


def test_error_renders_one_line_per_problem() -> None:
    text = replaced("static = 0.3", "static = 0.2")
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    line = line_of(text, "[traffic.mix]")
    assert str(error.value) == (
        f"{SOURCE}:{line}: traffic.mix: shares sum to 0.9, expected 1"
        " (static 0.2 + read 0.5 + write 0.1 + join 0.1)"
    )
    text = replaced("seed = 7", "seed = -1", replaced("curve =", "curv ="))
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    lines = str(error.value).splitlines()
    assert lines == [
        f"{SOURCE}:5: seed: must be at least 0, got an integer (-1)",
        f'{SOURCE}:{line_of(text, "curv =")}: traffic.curv: unknown key; did you mean "curve"?',
    ]


def test_starting_build_rules_come_from_the_engine() -> None:
    text = MINIMAL.read_text().replace('kind = "box"', 'kind = "box"\n\n[[start]]\nkind = "web"')
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problem = only_problem(error)
    assert (problem.field, problem.line) == ("start", line_of(text, "[[start]]"))
    assert "database primary" in problem.message


def test_start_limits_are_the_engines_pinned_to_the_entry_past_them() -> None:
    text = replaced('kind = "cdn"', 'kind = "primary"')
    LevelFile.model_validate(tomllib.loads(text))  # the format leaves the limits to the engine
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problem = only_problem(error)
    assert (problem.field, problem.line) == ("start[7].kind", line_of(text, 'kind = "primary"', 2))
    limit = catalog.KINDS["primary"].limit
    assert problem.message == f"the starting build has more than {limit} primary"


def test_another_refusal_of_a_build_over_a_limit_stays_on_the_build() -> None:
    """The engine's message decides where it goes: a build that lacks a primary and has two
    balancers is refused for the primary, and that is not about the second balancer."""
    balancers = '\n\n[[start]]\nkind = "balancer"' * 2
    text = MINIMAL.read_text().replace('kind = "box"', 'kind = "web"' + balancers)
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problem = only_problem(error)
    assert (problem.field, problem.line) == ("start", line_of(text, "[[start]]"))
    assert "database primary" in problem.message


def test_missing_required_tables_and_keys() -> None:
    text = "\n".join(
        line for line in MINIMAL.read_text().splitlines() if not line.startswith("title")
    )
    text = text.split("[traffic]")[0]
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    found = {(p.field, p.line) for p in error.value.problems}
    assert found == {("title", None), ("traffic", None)}
    assert all(p.message == "required key is missing" for p in error.value.problems)


def test_file_over_the_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_LEVEL_BYTES + b"\n")

    def no_parse(text: str) -> dict:
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(tomllib, "loads", no_parse)
    with pytest.raises(LevelError) as error:
        load_level(big)
    problem = only_problem(error)
    assert (problem.file, problem.field, problem.line) == (str(big), "", None)
    assert "more than the 256 KiB" in problem.message
    with pytest.raises(LevelError, match="256 KiB"):
        parse_level("#" * (MAX_LEVEL_BYTES + 1))


def test_toml_syntax_error_keeps_tomllib_line() -> None:
    text = replaced("seed = 7", "seed = = 7")
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problem = only_problem(error)
    assert problem.line == line_of(text, "seed = = 7")
    assert "TOML syntax error" in problem.message and "column" in problem.message
    with pytest.raises(LevelError) as error:
        parse_level('id = "a"\ntitle = "unfinished', SOURCE)
    assert only_problem(error).line == 2


def test_non_utf8_bytes_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('id = "x"\n# caf\u00e9\ntitle = "x"\n'.encode("latin-1"))
    with pytest.raises(LevelError) as error:
        load_level(path)
    problem = only_problem(error)
    assert problem.line == 2 and "not UTF-8" in problem.message and "0xe9" in problem.message


def test_unreadable_paths_are_level_errors(tmp_path: Path) -> None:
    with pytest.raises(LevelError, match="cannot read"):
        load_level(tmp_path / "missing.toml")
    with pytest.raises(LevelError, match="cannot read"):
        load_plan(tmp_path)


def test_hostile_numbers_and_nesting_are_level_errors() -> None:
    with pytest.raises(LevelError, match="too many digits"):
        parse_level("seed = 1" + "0" * 5000)
    with pytest.raises(LevelError, match="too deeply"):
        parse_level("a = " + "[" * 10_000 + "]" * 10_000)
    text = replaced("keys = 500_000", "keys = 10_000_000_000_000")
    with pytest.raises(LevelError, match="at most"):
        parse_level(text)


def test_engine_errors_become_level_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(level: LevelFile) -> Scenario:
        raise ValueError("the engine says no")

    monkeypatch.setattr(loader, "scenario_of", refuse)
    with pytest.raises(LevelError, match="the engine says no"):
        parse_level(MINIMAL.read_text(), SOURCE)


# -- plans ----------------------------------------------------------------------------------------

PLAN_TEXT = PLAN.read_text(encoding="utf-8")

BAD_PLANS = {
    "add without kind": (
        replaced('kind = "web"\n', "", PLAN_TEXT),
        "actions[1].kind",
        ("[[actions]]", 2),
        ["required key is missing"],
    ),
    "unknown verb": (
        replaced('do = "promote"', 'do = "explode"', PLAN_TEXT),
        "actions[6].do",
        ('do = "explode"', 1),
        ['unknown action "explode"', "promote"],
    ),
    "misspelt verb": (
        replaced('do = "promote"', 'do = "promot"', PLAN_TEXT),
        "actions[6].do",
        ('do = "promot"', 1),
        ['did you mean "promote"?'],
    ),
    "no verb": (
        replaced('do = "promote"\n', "", PLAN_TEXT),
        "actions[6].do",
        ("[[actions]]", 7),
        ["required key is missing"],
    ),
    "key of another verb": (
        replaced('target = "box-1"', 'target = "box-1"\nsize = "M"', PLAN_TEXT),
        "actions[7].size",
        ('size = "M"', 2),
        ["unknown key"],
    ),
    "resize without size": (
        replaced('size = "L"\n', "", PLAN_TEXT),
        "actions[5].size",
        ("[[actions]]", 6),
        ["required key is missing"],
    ),
    "negative tick": (
        replaced("tick = 100", "tick = -1", PLAN_TEXT),
        "actions[7].tick",
        ("tick = -1", 1),
        ["at least 0"],
    ),
    "setting of another target": (
        replaced('setting = "ttl"', 'setting = "tll"', PLAN_TEXT),
        "actions[2].setting",
        ('setting = "tll"', 1),
        ['did you mean "ttl"?'],
    ),
    "value of no type": (
        replaced("value = 60", "value = [60]", PLAN_TEXT),
        "actions[2].value",
        ("value = [60]", 1),
        ["a number, a string"],
    ),
    "ESC in a value": (
        replaced('value = "least_connections"', 'value = "\\u001b[2J"', PLAN_TEXT),
        "actions[3].value",
        ("value = ", 2),
        ["control character"],
    ),
}


@pytest.mark.parametrize("text, field, where, words", BAD_PLANS.values(), ids=BAD_PLANS.keys())
def test_bad_plan_says_where_and_why(
    text: str, field: str, where: tuple[str, int], words: list[str]
) -> None:
    with pytest.raises(LevelError) as error:
        parse_plan(text, "plans/launch.toml")
    problem = only_problem(error)
    assert problem.field == field
    assert problem.line == line_of(text, *where)
    for word in words:
        assert word in str(error.value)


def test_plan_action_count_is_bounded() -> None:
    text = "actions = [" + ", ".join('{tick=0,do="add",kind="web"}' for _ in range(10_001)) + "]"
    with pytest.raises(LevelError, match="more than 10000 entries"):
        parse_plan(text)


# -- the JSON schema ------------------------------------------------------------------------------


def test_json_schema_validates_the_fixtures() -> None:
    schema = level_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (MINIMAL, FULL):
        validator.validate(tomllib.loads(path.read_text(encoding="utf-8")))
    bad = tomllib.loads(replaced("[traffic.mix]", "[traffic.mxi]"))
    assert not validator.is_valid(bad)


# -- fuzzing: anything in, a LevelError or a result out -------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def survives(parse, data) -> None:
    try:
        parse(data)
    except LevelError as error:
        text = str(error)
        assert text and "\x1b" not in text


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_level_errors(data: bytes) -> None:
    survives(parse_level, data)
    survives(parse_plan, data)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text_raises_only_level_errors(text: str) -> None:
    survives(parse_level, text)
    survives(parse_plan, text)


@FUZZ
@given(st.data())
def test_mutated_files_raise_only_level_errors(data: st.DataObject) -> None:
    for base, parse in ((FULL_TEXT, parse_level), (PLAN_TEXT, parse_plan)):
        start = data.draw(st.integers(0, len(base)))
        end = data.draw(st.integers(start, min(len(base), start + 40)))
        insert = data.draw(
            st.text(alphabet=st.sampled_from('[]{}=".,#\n -_01239eEx\x1bweb'), max_size=20)
            | st.sampled_from(
                [
                    "-1",
                    "1e400",
                    "inf",
                    "nan",
                    "true",
                    '"\\u001b"',
                    "[[start]]",
                    "99999999999999999999",
                ]
            )
        )
        survives(parse, base[:start] + insert + base[end:])


def test_an_incident_is_secret_unless_the_level_announces_it():
    text = (Path(__file__).parent.parent / "data" / "level_full.toml").read_text()
    _, secret = loader.parse_level(text)
    assert not any(i.announced for i in secret.incidents)
    told = text.replace(
        'tick = 90\ntarget = "web-2"', 'tick = 90\ntarget = "web-2"\nannounced = true'
    )
    _, scenario = loader.parse_level(told)
    assert [i.announced for i in scenario.incidents] == [True, False]
