"""A level's [[regions]]: good ones become the engine's Regions, bad ones say where and why (and
never raise anything but a LevelError)."""

from __future__ import annotations

import pytest

from game.engine import catalog
from game.engine.regions import Region

from .level_edits import LevelText

LEVEL = LevelText("levels/beyond/data-centers.toml")
TABLES = """[[regions]]
name = "us"
share = 0.6
rtt_ms = { us = 40, eu = 120 }

[[regions]]
name = "eu"
share = 0.4
rtt_ms = { us = 120, eu = 35 }
"""


def with_tables(tables: str) -> str:
    return LEVEL.replaced(TABLES, tables)


def two(us: str = "share = 0.6\nrtt_ms = { us = 40, eu = 120 }", eu: str = "") -> str:
    eu = eu or "share = 0.4\nrtt_ms = { us = 120, eu = 35 }"
    return f'[[regions]]\nname = "us"\n{us}\n\n[[regions]]\nname = "eu"\n{eu}\n'


def test_the_tables_become_the_engine_s_regions_in_seconds():
    assert LEVEL.scenario().regions == (
        Region("us", 0.6, {"eu": 0.12, "us": 0.04}),
        Region("eu", 0.4, {"eu": 0.035, "us": 0.12}),
    )


def test_a_level_without_regions_has_one():
    text = with_tables("").replace('target = "us"', 'target = "web-1"')
    assert LEVEL.scenario(text).regions == ()


BAD = {
    "shares not summing to one": (
        two(eu="share = 0.3\nrtt_ms = { us = 120, eu = 35 }"), "regions", ["sum to 0.9"]
    ),
    "a round trip missing": (
        two(eu="share = 0.4\nrtt_ms = { us = 120 }"), "regions[1].rtt_ms", ["no round trip to eu"]
    ),
    "a round trip to nowhere": (
        two(eu="share = 0.4\nrtt_ms = { us = 120, eu = 35, asia = 200 }"),
        "regions[1].rtt_ms",
        ["asia, which is not a region"],
    ),
    "a round trip too long": (
        two(eu="share = 0.4\nrtt_ms = { us = 5000, eu = 35 }"),
        "regions[1].rtt_ms.us",
        [f"{catalog.MAX_REGION_RTT_MS:g}"],
    ),
    "no share": (two(eu="rtt_ms = { us = 120, eu = 35 }"), "regions[1].share", ["missing"]),
    "a name twice": (
        two().replace('name = "eu"', 'name = "us"'), "regions[1].name", ["listed twice"]
    ),
}  # fmt: skip


@pytest.mark.parametrize(("tables", "field", "words"), BAD.values(), ids=BAD.keys())
def test_bad_regions_say_where_and_why(tables, field, words):
    error = LEVEL.refusal(with_tables(tables))
    rendered = str(error)
    assert field in [p.field for p in error.problems], rendered
    for word in words:
        assert word in rendered


def test_a_second_data_centre_in_the_start_needs_a_second_region():
    text = with_tables("").replace('target = "us"', 'target = "web-1"')
    text = text.replace(
        '[[start]]\nkind = "primary"',
        '[[start]]\nkind = "datacenter"\n\n[[start]]\nkind = "primary"',
    )
    assert "a second data centre needs users in a second region" in str(LEVEL.refusal(text))


def test_an_incident_may_name_a_region_but_not_an_unknown_one():
    assert LEVEL.scenario().incidents[0].target == "us"
    error = LEVEL.refusal(LEVEL.replaced('target = "us"', 'target = "asia"'))
    assert "incidents[0].target" in [p.field for p in error.problems]
