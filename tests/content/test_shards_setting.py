"""A level's `shards` setting and its "shards" unlock: a good one reaches the engine, a bad one
says where and why (a LevelError, never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content.errors import LevelError
from game.content.loader import parse_level
from game.engine import catalog
from game.engine.scenario import Scenario

SOURCE = "levels/beyond/sharding.toml"
TEXT = (Path(__file__).parents[2] / SOURCE).read_text(encoding="utf-8")


def scenario_of(text: str) -> Scenario:
    return next(x for x in parse_level(text, SOURCE) if isinstance(x, Scenario))


def with_settings(extra: str) -> str:
    assert "[settings]\n" in TEXT
    return TEXT.replace("[settings]\n", f"[settings]\n{extra}\n", 1)


def test_the_level_unlocks_sharding_and_starts_on_one_primary():
    scenario = scenario_of(TEXT)
    assert scenario.allows("shards") and scenario.settings.shards == 1


def test_a_level_may_start_sharded():
    assert scenario_of(with_settings("shards = 4")).settings.shards == 4


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (f"shards = {catalog.MAX_SHARDS + 1}", f"at most {catalog.MAX_SHARDS}"),
        ("shards = 0", "at least 1"),
        ("shards = 2.5", "expected an integer"),
        ("shards = true", "expected an integer"),
        ('shards = 2\nstore = "keyvalue"', "only a relational primary is sharded"),
    ],
)
def test_a_bad_shard_count_says_where_and_why(extra, says):
    with pytest.raises(LevelError) as error:
        scenario_of(with_settings(extra))
    assert says in str(error.value) and "settings" in str(error.value)


def test_an_unknown_unlock_is_still_refused():
    with pytest.raises(LevelError, match="shard"):
        scenario_of(TEXT.replace('"shards"]', '"shard"]', 1))
