"""A level's [[regions]]: where its users are, and their round trips to each region's data
centre (datacenters.py). The site as built is the first region's data centre."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from game.content.schema.fields import MAX_ID, FileModel, Finite, Id
from game.engine import catalog

RoundTrip = Annotated[Finite, Field(gt=0, le=catalog.MAX_REGION_RTT_MS)]


class RegionTable(FileModel):
    """One region's users: their share of all users and their round trip to every region."""

    name: Id
    share: Annotated[Finite, Field(gt=0, le=1)] = Field(description="share of all users")
    rtt_ms: dict[Annotated[str, Field(max_length=MAX_ID)], RoundTrip] = Field(
        max_length=catalog.MAX_REGIONS,
        description="round trip in ms from these users to each region's data centre",
    )


def region_problems(regions: list[RegionTable]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """What is wrong with the regions as a whole: repeated names, shares that do not sum to 1,
    a round trip missing or to a region that is not listed."""
    problems: list[tuple[tuple[str | int, ...], str, str]] = []
    names = [r.name for r in regions]
    for i, region in enumerate(regions):
        if region.name in names[:i]:
            problems.append((("regions", i, "name"), f"region {region.name!r} is listed twice", ""))
        missing = [n for n in names if n not in region.rtt_ms]
        unknown = sorted(set(region.rtt_ms) - set(names))
        if missing:
            why = f"no round trip to {', '.join(missing)}"
            problems.append((("regions", i, "rtt_ms"), why, "give one to every region listed"))
        if unknown:
            why = f"a round trip to {', '.join(unknown)}, which is not a region of the level"
            problems.append((("regions", i, "rtt_ms"), why, f"regions: {', '.join(names)}"))
    total = sum(r.share for r in regions)
    if regions and abs(total - 1.0) > 1e-9:
        why = f"the regions' shares of users sum to {total:g}, not 1"
        problems.append((("regions",), why, ""))
    return problems
