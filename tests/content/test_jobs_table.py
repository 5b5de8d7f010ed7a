"""A level's [jobs] table: a good one becomes the engine's Jobs, a bad one says where and why
(and never raises anything but a LevelError)."""

from __future__ import annotations

import pytest

from game.engine.scenario import Jobs

from .level_edits import LevelText, line_of

LEVEL = LevelText("levels/beyond/queue-jobs.toml")
TABLE = "[jobs]\nshare = 0.25\njob_s = 0.08\n"


def with_table(table: str) -> str:
    return LEVEL.replaced(TABLE, table)


def test_the_table_becomes_the_engine_s_jobs():
    assert LEVEL.scenario().jobs == Jobs(share=0.25, job_s=0.08)


def test_a_level_without_the_table_has_no_jobs():
    text = with_table("").replace("job_age_s = [150, 110, 80]\n", "")
    assert LEVEL.scenario(text).jobs is None


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
    problem, rendered = LEVEL.one_problem(text)
    assert (problem.field, problem.line) == (field, line_of(text, line_text))
    for word in words:
        assert word in rendered


def test_grading_the_oldest_job_needs_jobs():
    text = with_table("")
    problem, rendered = LEVEL.one_problem(text)
    assert (problem.field, problem.line) == ("objectives.job_age_s", line_of(text, "job_age_s ="))
    assert "only a level with [jobs] can score job_age_s" in rendered
    assert "add a [jobs] table, or drop it" in rendered
