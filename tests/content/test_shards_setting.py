"""A level's `shards` setting and its "shards" unlock: a good one reaches the engine, a bad one
says where and why (a LevelError, never a traceback)."""

from __future__ import annotations

import pytest

from game.engine import catalog

from .level_edits import LevelText

LEVEL = LevelText("levels/beyond/sharding.toml")


def with_settings(extra: str) -> str:
    return LEVEL.replaced("[settings]\n", f"[settings]\n{extra}\n")


def test_the_level_unlocks_sharding_and_starts_on_one_primary():
    scenario = LEVEL.scenario()
    assert scenario.allows("shards") and scenario.settings.shards == 1


def test_a_level_may_start_sharded():
    assert LEVEL.scenario(with_settings("shards = 4")).settings.shards == 4


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
    refused = str(LEVEL.refusal(with_settings(extra)))
    assert says in refused and "settings" in refused


def test_an_unknown_unlock_is_still_refused():
    assert "shard" in str(LEVEL.refusal(LEVEL.replaced('"shards"]', '"shard"]')))
