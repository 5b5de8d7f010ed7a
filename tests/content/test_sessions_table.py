"""A level's [sessions] table: a good one becomes the engine's Sessions, a bad one says where and
why (and never raises anything but a LevelError)."""

from __future__ import annotations

import pytest

from game.engine import catalog
from game.engine.scenario import Sessions

from .level_edits import LevelText, line_of

LEVEL = LevelText("levels/beyond/stateless-tier.toml")
TABLE = "[sessions]\nshare = 0.7\nrelogin_s = 60\n"


def with_table(table: str) -> str:
    return LEVEL.replaced(TABLE, table)


def test_the_table_becomes_the_engine_s_sessions():
    assert LEVEL.scenario().sessions == Sessions(share=0.7, relogin_s=60.0)


def test_relogin_has_the_engine_s_default():
    sessions = LEVEL.scenario(with_table("[sessions]\nshare = 0.5\n")).sessions
    assert sessions == Sessions(share=0.5, relogin_s=catalog.DEFAULT_RELOGIN_S)


def test_a_level_without_the_table_has_no_sessions():
    assert LEVEL.scenario(with_table("")).sessions is None


BAD = {
    "no share": ("[sessions]\nrelogin_s = 60\n", "sessions.share", "[sessions]", ["missing"]),
    "share of none": ("[sessions]\nshare = 0\n", "sessions.share", "share =", ["0"]),
    "share above one": ("[sessions]\nshare = 1.5\n", "sessions.share", "share =", ["1"]),
    "share as text": ('[sessions]\nshare = "most"\n', "sessions.share", "share =", ["number"]),
    "endless share": ("[sessions]\nshare = nan\n", "sessions.share", "share =", ["finite"]),
    "instant sign-in": (
        "[sessions]\nshare = 0.5\nrelogin_s = 0\n",
        "sessions.relogin_s",
        "relogin_s =",
        ["0"],
    ),
    "sign-in of an hour": (
        "[sessions]\nshare = 0.5\nrelogin_s = 3600\n",
        "sessions.relogin_s",
        "relogin_s =",
        [f"{catalog.MAX_RELOGIN_S:g}"],
    ),
    "unknown key": (
        "[sessions]\nshare = 0.5\nsticky = true\n",
        "sessions.sticky",
        "sticky =",
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


def test_a_session_store_in_the_start_needs_users_who_sign_in():
    primary = '[[start]]\nkind = "primary"'
    text = with_table("").replace(primary, '[[start]]\nkind = "sessions"\n\n' + primary)
    problem, rendered = LEVEL.one_problem(text)
    assert problem.field == "start[5].kind"
    assert "a session store needs users who sign in" in rendered
    assert "add a [sessions] table" in rendered
