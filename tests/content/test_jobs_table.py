"""A level's [jobs] table: a good one becomes the engine's Jobs, a bad one says where and why
(and never raises anything but a LevelError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content.errors import LevelError
from game.content.loader import parse_level
from game.engine.scenario import Jobs, Scenario

LEVEL = Path(__file__).parents[2] / "levels" / "beyond" / "queue-jobs.toml"
TEXT = LEVEL.read_text(encoding="utf-8")
TABLE = "[jobs]\nshare = 0.25\njob_s = 0.08\n"
SOURCE = "levels/beyond/queue-jobs.toml"


def scenario_of(text: str) -> Scenario:
    return next(x for x in parse_level(text, SOURCE) if isinstance(x, Scenario))


def with_table(table: str) -> str:
    assert TABLE in TEXT
    return TEXT.replace(TABLE, table, 1)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_table_becomes_the_engine_s_jobs():
    assert scenario_of(TEXT).jobs == Jobs(share=0.25, job_s=0.08)


def test_a_level_without_the_table_has_no_jobs():
    text = with_table("").replace("job_age_s = [150, 110, 80]\n", "")
    assert scenario_of(text).jobs is None


BAD = {
    "no share": ("[jobs]\njob_s = 0.08\n", "jobs.share", "[jobs]", ["required key is missing"]),
    "share of none": ("[jobs]\nshare = 0\njob_s = 0.08\n", "jobs.share", "share =", ["0"]),
    "share above one": ("[jobs]\nshare = 1.5\njob_s = 0.08\n", "jobs.share", "share =", ["1"]),
    "share as text": (
        '[jobs]\nshare = "a quarter"\njob_s = 0.08\n',
        "jobs.share",
        "share =",
        ["number"],
    ),
    "endless share": ("[jobs]\nshare = inf\njob_s = 0.08\n", "jobs.share", "share =", ["finite"]),
    "instant job": ("[jobs]\nshare = 0.25\njob_s = 0\n", "jobs.job_s", "job_s =", ["0"]),
    "job of an hour": ("[jobs]\nshare = 0.25\njob_s = 3600\n", "jobs.job_s", "job_s =", ["60"]),
    "unknown key": (
        "[jobs]\nshare = 0.25\njob_s = 0.08\nworkers = 3\n",
        "jobs.workers",
        "workers =",
        ["unknown key"],
    ),
}


@pytest.mark.parametrize(("table", "field", "line_text", "words"), BAD.values(), ids=BAD.keys())
def test_a_bad_table_says_where_and_why(table, field, line_text, words):
    text = with_table(table)
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problems = error.value.problems
    assert len(problems) == 1, str(error.value)
    problem = problems[0]
    assert (problem.file, problem.field) == (SOURCE, field)
    assert problem.line == line_of(text, line_text)
    rendered = str(error.value)
    for word in words:
        assert word in rendered
    assert "Traceback" not in rendered


def test_grading_the_oldest_job_needs_jobs():
    text = with_table("")
    with pytest.raises(LevelError) as error:
        parse_level(text, SOURCE)
    problems = error.value.problems
    assert len(problems) == 1
    assert problems[0].field == "objectives.job_age_s"
    assert problems[0].line == line_of(text, "job_age_s =")
    assert "only a level with [jobs] can score job_age_s" in str(error.value)
    assert "add a [jobs] table, or drop it" in str(error.value)
