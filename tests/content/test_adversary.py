"""The adversary: lessons read from a level, strategies derived from it, the search, the
timing window, the process pool, `levels check --adversary` and `levels tune`.

The known wins without the lesson are played on copies of three core levels as they were when
the adversary was written (issue 12), kept with their solutions as one-level packs in
tests/data/issue12/: fresh-enough, one-cache and key-lookups. They are copies, not the shipped
files, because those levels were re-tuned since: the adversary must keep finding what was wrong
with these. The full adversary over the whole core pack is too slow for the
suite; it is run by `millions levels check --adversary`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from game.cli import main
from game.content.adversary import LevelAttack, attack_levels
from game.content.lessons import CATALOGUED, DERIVED, Node, lesson_for, spread
from game.content.loader import parse_level, parse_plan_file
from game.content.packs import PackLevel, Solution, load_pack
from game.content.pool import Runner, Score
from game.content.proof_text import attack_lines
from game.content.repertoire import COUNTER, LATE, REFERENCE, WASTEFUL, Played, Strategy
from game.content.siege import Siege
from game.content.strategies import start_nodes
from game.content.timing import WindowTask, combine
from game.content.tuning import propose
from game.engine.actions import Action
from game.engine.metrics import METRICS


def level_of(text: str, solutions: dict[str, str]) -> PackLevel:
    """A pack level from the text of its file and of its solution files."""
    level_file, scenario = parse_level(text, "level.toml")
    found = []
    for name, body in sorted(solutions.items()):
        plan, actions = parse_plan_file(body, name)
        found.append(Solution(plan.name, Path(name), plan, actions))
    return PackLevel(level_file, scenario, Path(f"{level_file.id}.toml"), tuple(found))


def write_pack(root: Path, level: str, solutions: dict[str, str]) -> Path:
    """A one-level pack folder, with a codex entry for each concept the level teaches."""
    level_file, _ = parse_level(level, "level.toml")
    (root / "solutions").mkdir(parents=True)
    (root / "codex").mkdir()
    (root / "pack.toml").write_text(
        f'id = "copy"\ntitle = "Copy"\nauthor = "tests"\nversion = "1.0.0"\nformat = 1\n'
        f'levels = ["{level_file.id}"]\n'
    )
    (root / f"{level_file.id}.toml").write_text(level)
    for name, body in solutions.items():
        (root / "solutions" / name).write_text(body)
    for concept in level_file.concepts:
        (root / "codex" / f"{concept}.toml").write_text(
            f'id = "{concept}"\ntitle = "{concept}"\ntext = "What {concept} is."\n'
        )
    return root


OLD = Path(__file__).parent.parent / "data" / "issue12"


def old_level(level_id: str) -> PackLevel:
    """A core level as it was before issue 12, from its one-level pack in tests/data."""
    return load_pack(OLD / level_id).levels[0]


def configure(tick: int, target: str, setting: str, value) -> Action:
    return Action(tick, "configure", target=target, setting=setting, value=value)


# -- which moves are the lesson ---------------------------------------------------------------


def test_a_counter_solution_says_which_moves_do_not_count():
    """fresh-enough's counter caches for an hour: TTL 3600 is not the lesson, TTL 30 is."""
    level = old_level("fresh-enough")
    start = start_nodes(level.scenario)
    counters = [s.actions for s in level.solutions if s.counter]
    lesson = lesson_for("cache-expiry", level.reference.actions, counters, start)
    assert lesson.source == CATALOGUED
    assert not lesson.withheld([configure(60, "cache", "ttl", 30)], start)
    assert lesson.withheld([configure(30, "cache", "ttl", 3600)], start)
    both = [
        configure(30, "cache", "ttl", 3600),
        configure(30, "cache", "invalidate_on_write", True),
    ]
    assert lesson.withheld(both, start)
    assert "not counting set cache ttl = 3600" in lesson.describe()


def test_one_big_cache_node_beside_a_small_one_is_still_a_single_point_of_failure():
    level = old_level("one-cache")
    start = start_nodes(level.scenario)
    lesson = lesson_for("cache-spof", level.reference.actions, [], start)
    big = [Action(200, "add", kind="cache", size="L")]
    assert lesson.withheld(big, start)  # 120,000 of 140,000 keys on one node
    assert not lesson.withheld(level.reference.actions, start)  # five small nodes
    assert not lesson.withheld([Action(5, "add", kind="cache", size="S")], start)  # half each
    resized = [Action(5, "resize", target="cache-1", size="L")]
    assert lesson.withheld(resized, start)
    # a run says which component each move added, so a later resize of it counts
    added = [
        Action(5, "add", kind="cache", size="S"),
        Action(9, "resize", target="cache-2", size="L"),
    ]
    assert spread("cache", start, added[:1])  # two small nodes, half the keys each
    assert not spread("cache", start, added, ["cache-2", ""])  # then the new one made big


def test_every_concept_of_the_core_campaign_has_its_lesson_moves_in_the_table():
    """Each core level's concepts are in LESSON_MOVES: the adversary withholds moves the table
    names, not a guess derived from the level's own solutions."""
    core = load_pack(Path(__file__).parents[2] / "levels" / "core")
    for level in core.levels:
        start = start_nodes(level.scenario)
        for concept in level.file.concepts:
            lesson = lesson_for(concept, level.reference.actions, [], start)
            assert lesson.source == CATALOGUED, (level.id, concept, lesson.source)


def test_a_standby_balancer_is_the_balancer_spof_lesson():
    start = (Node("lb-1", "balancer", ""), Node("web-1", "web", "M"))
    lesson = lesson_for("balancer-spof", (Action(30, "add", kind="balancer"),), [], start)
    assert lesson.source == CATALOGUED
    assert not lesson.withheld((Action(30, "add", kind="balancer"),), start)
    assert lesson.withheld((Action(30, "add", kind="web", size="M"),), start)


def test_a_concept_the_table_does_not_know_is_read_from_the_solutions():
    start = (Node("web-1", "web", "S"), Node("db-1", "primary", "M"))
    reference = (Action(10, "add", kind="balancer"), Action(20, "add", kind="web", size="S"))
    counter = (Action(20, "add", kind="web", size="M"),)
    lesson = lesson_for("new-idea", reference, [counter], start)
    assert lesson.source == DERIVED
    assert lesson.withheld(counter, start)
    assert not lesson.withheld(reference[:1], start)  # any balancer: no counter adds one
    assert not lesson.withheld(reference[1:], start)  # a web S exactly: the counter adds an M
    assert lesson.withheld((Action(20, "add", kind="web", size="L"),), start)
    timing_only = lesson_for("new-idea", reference, [reference], start)
    assert not timing_only.known and "timing" in timing_only.source
    assert not lesson_for("new-idea", reference, [], start).known


# -- the adversary finds what the issue found -------------------------------------------------


def _attack(level: PackLevel, workers: int = 1):
    report = attack_levels("copy", [level], workers=workers)
    return report, report.levels[0]


def _played(attack, name: str):
    return next(p for p in attack.played if p.name == name)


def test_fresh_enough_is_won_with_invalidation_and_an_hour_long_ttl():
    """The search, from the level's own one-hour-TTL counter, adds invalidate on write."""
    report, attack = _attack(old_level("fresh-enough"))
    assert not report.ok
    assert any(
        e.startswith("fresh-enough: search passes without cache-expiry: 3 stars on seed 11")
        for e in attack.errors
    ), attack.errors
    search = _played(attack, "search")
    moves = {(a.verb, a.setting, a.value) for a in search.first.accepted}
    assert moves == {("configure", "ttl", 3600), ("configure", "invalidate_on_write", True)}
    assert search.withheld[0] == ("cache-expiry",)
    assert search.strategy.how.startswith(
        "from counter without-cache-expiry, added 60: set cache invalidate_on_write = true"
    )
    error = next(e for e in attack.errors if "search" in e)
    # each score it gives, in the metric's own format
    named = r"\(availability 100\.000%, p95 latency \d+ ms, cost [\d,]+, stale reads \d+\.\d\d%\)"
    assert re.search(named, error), error


def test_one_cache_is_won_with_one_big_node():
    """The search, from the reference without its four small nodes, adds one L node."""
    _, attack = _attack(old_level("one-cache"))
    assert any(
        e.startswith("one-cache: search passes without cache-spof: 3 stars on seed 10")
        for e in attack.errors
    ), attack.errors
    search = _played(attack, "search")
    adds = [(a.kind, a.size) for a in search.first.accepted if a.verb == "add"]
    assert adds == [("cache", "L")]
    assert search.strategy.how.startswith("from reference without lesson, added 48: add cache L")


def test_check_with_the_adversary_fails_on_key_lookups_switched_late(capsys):
    """`levels check --adversary` names the level, the strategy and the score: the old
    key-lookups asks for the store switch on time (the reference 10% late fails), and a lean
    player who follows the load staying relational comes within a few percent of the cost
    line (it passed at one star before the issue 11 model; it now fails on cost alone)."""
    pack = OLD / "key-lookups"
    assert main(["levels", "check", str(pack), "--adversary", "--workers", "1"]) == 1
    out = capsys.readouterr().out.replace("\n", " ")
    assert "ERROR key-lookups: reference 10% late fails on seed 15" in out
    assert "a lesson a little late must still pass" in out
    assert "timing window: passes up to 5% late" in out
    mixed = re.search(r"follow load: mixed 100% +sql-vs-nosql +counter +0 +([\d.]+)%", out)
    assert mixed and float(mixed.group(1)) >= 98.0  # above the 98% pass line, over on cost


# -- a level that needs its lesson ------------------------------------------------------------


@pytest.fixture(scope="module")
def edge():
    level = level_of(EDGE_LEVEL, EDGE_SOLUTIONS)
    return level, attack_levels("copy", [level], workers=1)


def test_a_level_whose_lesson_is_needed_is_clean(edge):
    """Far users and a median latency only the edge can meet: nothing passes without a CDN."""
    _, report = edge
    attack = report.levels[0]
    assert report.ok, attack.errors
    roles = {p.strategy.role for p in attack.played}
    assert roles == {COUNTER, WASTEFUL, LATE, REFERENCE}
    counters = [p for p in attack.played if p.strategy.role == COUNTER]
    assert len(counters) >= 7 and all(p.stars == (0, 0) for p in counters)
    assert all(p.withheld == (("cdn",),) for p in counters)
    assert _played(attack, "reference").stars == (3, 3)
    assert attack.window.passes_to >= 0.10
    assert _played(attack, "brute force").stars[1] < 3


def test_the_pool_plays_the_same_as_one_process(edge):
    """Two spawned workers give the same report as this process alone, run for run."""
    level, alone = edge

    def shape(attack):
        return [(p.name, p.strategy.concept, p.runs) for p in attack.played], attack.window

    pooled = attack_levels("copy", [level], workers=2)
    assert (alone.workers, pooled.workers) == (1, 2)
    assert shape(alone.levels[0]) == shape(pooled.levels[0])
    assert attack_lines(alone.levels[0]) == attack_lines(pooled.levels[0])


def test_the_report_does_not_depend_on_the_order_runs_finish_in():
    """Workers finish in any order. Here several counters make no move at all and tie as the
    best play to search from: taking the runs last first still gives the same report."""
    idle = EDGE_SOLUTIONS["edge-only.without-cdn.toml"].replace(
        'actions = [{tick = 10, do = "add", kind = "web", size = "M"}]', "actions = []"
    )
    level = level_of(EDGE_LEVEL, {**EDGE_SOLUTIONS, "edge-only.without-cdn.toml": idle})

    def played(last_first: bool):
        siege = Siege(level, (level.scenario.seed,))
        with Runner(1) as runner:
            waiting = list(siege.open(runner))
            while waiting:
                more, _ = siege.take(waiting.pop(-1 if last_first else 0), runner)
                waiting.extend(more)
        return [(p.name, p.strategy.how, p.runs) for p in siege.result()[0]]

    forward, backward = played(False), played(True)
    assert forward == backward
    assert "from reference without lesson" in dict((n, h) for n, h, _ in forward)["search"]


# -- the timing window ------------------------------------------------------------------------


def test_the_timing_window_is_where_the_delays_stop_passing():
    """Removing a spare server: each tick it stays costs 1.0, and the lines allow 20 ticks for
    a pass and 12 for three stars; the level is 100 ticks, so 1% is one tick."""
    _, scenario = parse_level(SPARE_LEVEL, "spare.toml")
    plan = (Action(0, "remove", target="web-2"),)
    scans = [WindowTask(scenario, plan, (seed,)).run() for seed in (1, 2)]
    window = combine(scans).window
    assert window.passes_to == pytest.approx(0.20)
    assert window.three_stars_to == pytest.approx(0.12)
    assert window.ticks(window.passes_to) == 20
    assert dict(window.tried)[0.0] == 3
    late = dict(combine(scans).late)
    assert [s.seed for s in late[0.10]] == [1, 2]
    assert all(s.stars == 3 for s in late[0.10])  # 10 ticks late: cost 340 <= 342.5


def test_a_window_narrows_to_the_seed_that_fails_first():
    _, scenario = parse_level(SPARE_LEVEL, "spare.toml")
    plan = (Action(0, "remove", target="web-2"),)
    wide = WindowTask(scenario, plan, (1,)).run()
    late = WindowTask(scenario, (Action(5, "remove", target="web-2"),), (1,)).run()
    both = combine([wide, late]).window
    assert late.window.passes_to == pytest.approx(0.15)
    assert both.passes_to == pytest.approx(0.15)
    assert both.three_stars_to == pytest.approx(0.07)


def test_a_lesson_that_must_come_on_time_is_an_error():
    """A reference that passes 5% late but not 10% is an error, with the run that failed. The
    concept is one the table does not know and the level's counter makes no move: no lesson
    can be read, so no counter is played, and the level says why."""
    text = SPARE_LEVEL.replace('concepts = ["horizontal-scaling"]', 'concepts = ["thrift"]')
    text = text.replace("cost = [350.5, 345.0, 342.5]", "cost = [335.5, 333.0, 331.0]")
    solutions = {
        "spare-server.reference.toml": SPARE_REFERENCE,
        "spare-server.without-thrift.toml": SPARE_REFERENCE.replace(
            'name = "reference"', 'name = "without-thrift"\nlesson = "thrift"'
        )
        .replace("stars = 3", "passed = false")
        .replace('actions = [{tick = 0, do = "remove", target = "web-2"}]', "actions = []"),
    }
    report, attack = _attack(level_of(text, solutions))
    assert (
        attack.lessons[0].source == "unknown: the level has no counter-solution (with moves) for it"
    )
    assert attack.window.passes_to == pytest.approx(0.05)
    # the p95 is the engine's (it moved from 111 to 110 ms with the issue 11 model): read its format
    [error] = attack.errors
    assert re.fullmatch(
        r"spare-server: reference 10% late fails on seed 1 \(availability 100\.000%, p95 latency"
        r" 11\d ms, cost 340\): a lesson a little late must still pass",
        error,
    ), error


# -- tuning -----------------------------------------------------------------------------------


def test_tuning_proposes_lines_that_prove_the_lesson(edge):
    level, report = edge
    tuning = propose(level, report.levels[0])
    assert not tuning.problems
    assert [line.metric for line in tuning.lines] == ["availability", "latency_ms", "cost"]
    for line in tuning.lines:
        metric = METRICS[line.metric]
        passing, two, three = line.proposed
        assert metric.meets(three, two) and metric.meets(two, passing)
        assert metric.meets(line.reference_worst, three)  # the reference earns 3 stars
        assert metric.meets(line.late_worst, passing)  # a little late still passes
    by_metric = {line.metric: line for line in tuning.lines}
    cost, latency = by_metric["cost"], by_metric["latency_ms"]
    assert cost.proposed[2] == pytest.approx(2130)  # 2,062 and 3%, to three figures, up
    # every counter falls furthest short on the median latency: that line is to fail them;
    # the pass line is the late reference's worst and half again, no easier than halfway
    # (geometrically) to the nearest counter's best
    _, nearest = latency.nearest_counter
    late = latency.late_worst
    assert late < latency.proposed[0] < nearest
    assert latency.proposed[0] == pytest.approx(min(1.5 * late, (late * nearest) ** 0.5), rel=0.01)
    # no counter is left for the cost line to fail: it is generous, half as much again
    assert cost.nearest_counter is None
    assert cost.proposed[0] == pytest.approx(cost.late_worst * 1.5, rel=0.01)
    rows = {(r.strategy, r.role): r for r in tuning.rows}
    assert rows[("reference", REFERENCE)].stars_proposed == (3, 3)
    assert all(r.stars_proposed == (0, 0) for r in tuning.rows if r.role == COUNTER)
    latency = [line.metric for line in tuning.lines].index("latency_ms")
    assert all(r.reached[latency] == 0 for r in tuning.rows if r.role == COUNTER)


def _play(name: str, role: str, availability: float, latency: float, cost: float) -> Played:
    scores = {"availability": availability, "latency_ms": latency, "cost": cost}
    scores.update(stale_share=0.0, lost_writes=0.0)
    score = Score(3, 0, scores, (), (), 0)
    return Played(
        Strategy(name, role, "cdn" if role == COUNTER else "", "", plan=()), (score,), ((),)
    )


def test_each_counter_is_failed_by_the_line_it_falls_furthest_short_of():
    level = level_of(EDGE_LEVEL, EDGE_SOLUTIONS)
    attack = LevelAttack(
        "edge-only",
        (3,),
        ("availability", "latency_ms", "cost"),
        (),
        (
            _play("reference", REFERENCE, 1.0, 27.0, 2000.0),
            _play("reference 10% late", LATE, 0.999, 28.0, 1990.0),
            _play("dear", COUNTER, 1.0, 27.0, 2400.0),  # short on cost only
            _play("slow", COUNTER, 0.998, 229.0, 2100.0),  # furthest short on latency
            _play("as good", COUNTER, 1.0, 26.0, 1900.0),
        ),
        None,
        (),
        (),
        5,
    )
    tuning = propose(level, attack)
    lines = {line.metric: line for line in tuning.lines}
    # cost fails "dear": halfway from 2,000 to 2,400 (2,191, rounded up to 2,200), which is
    # less generous than 2,000 and half again
    assert lines["cost"].proposed[0] == pytest.approx(2200)
    assert lines["cost"].nearest_counter == ("dear", 2400.0)
    assert lines["latency_ms"].nearest_counter == ("slow", 229.0)
    assert lines["latency_ms"].proposed[0] == pytest.approx(42)  # 28 ms and half again
    assert lines["availability"].nearest_counter is None
    stars = {row.strategy: row.stars_proposed for row in tuning.rows}
    assert stars["dear"] == stars["slow"] == (0, 0) and stars["reference"] == (3, 3)
    assert tuning.problems == (
        "as good (cdn) scores as well as the reference and its late versions on every metric:"
        " no lines can make it fail",
    )


def test_tune_command_prints_the_lines_and_who_crosses_them(tmp_path: Path, capsys):
    pack = write_pack(tmp_path / "copy", EDGE_LEVEL, EDGE_SOLUTIONS)
    assert load_pack(pack).level("edge-only")
    code = main(["levels", "tune", "edge-only", "--pack", str(pack), "--seeds", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "edge-only: star lines from 2 seeds (3, 4)" in out
    assert "the line each strategy's worst seed reaches" in out
    assert "every counter fails and the reference earns 3 stars under these lines" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["levels", "tune", "no-such-level"], 'no installed pack has level "no-such-level"'),
        (["levels", "tune", "launch-day", "--seeds", "0"], "--seeds must be between 1 and 50"),
        (["levels", "tune", "launch-day", "--workers", "0"], "--workers must be 1 or more"),
        (["levels", "check", "--adversary", "--workers", "0"], "--workers must be 1 or more"),
    ],
)
def test_bad_arguments_get_a_clear_message(argv, words, capsys):
    assert main(argv) == 2
    assert words in capsys.readouterr().err


# -- levels made for these tests --------------------------------------------------------------

EDGE_LEVEL = """\
id = "edge-only"
title = "Edge only"
concepts = ["cdn"]
briefing = "Users far away: only the edge is near them."
duration = 240
seed = 3
budget = 40
unlocked = ["web", "balancer", "primary", "replica", "cache", "cdn", "remove", "resize",
            "configure", "promote"]
start = [
    {kind = "balancer"},
    {kind = "web", size = "M"},
    {kind = "web", size = "M"},
    {kind = "primary", size = "M"},
]
[traffic]
points = [[0, 150.0], [240, 150.0]]
origin_rtt_ms = 220.0
edge_rtt_ms = 25.0
mix = {static = 0.8, read = 0.16, write = 0.02, join = 0.02}
[objectives]
latency_percentile = 50
availability = [0.99, 0.995, 0.999]
latency_ms = [150, 60, 35]
cost = [4000, 3000, 2500]
"""
EDGE_SOLUTIONS = {
    "edge-only.reference.toml": """\
level = "edge-only"
name = "reference"
note = "A CDN at once."
actions = [{tick = 5, do = "add", kind = "cdn"}]
[expect]
stars = 3
""",
    "edge-only.without-cdn.toml": """\
level = "edge-only"
name = "without-cdn"
lesson = "cdn"
note = "Another web server."
actions = [{tick = 10, do = "add", kind = "web", size = "M"}]
[expect]
passed = false
""",
}

SPARE_LEVEL = """\
id = "spare-server"
title = "A spare server too many"
concepts = ["horizontal-scaling"]
briefing = "One web server is enough; the other only costs."
duration = 100
seed = 1
budget = 10
unlocked = ["remove"]
start = [
    {kind = "balancer"},
    {kind = "web", size = "S"},
    {kind = "web", size = "S"},
    {kind = "primary", size = "S"},
]
[traffic]
points = [[0, 10.0], [100, 10.0]]
[objectives]
availability = [0.9, 0.95, 0.99]
latency_ms = [1000, 900, 800]
cost = [350.5, 345.0, 342.5]
"""

SPARE_REFERENCE = """\
level = "spare-server"
name = "reference"
note = "Remove the spare at once."
actions = [{tick = 0, do = "remove", target = "web-2"}]
[expect]
stars = 3
"""
