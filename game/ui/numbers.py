"""How the play screen writes numbers: short, readable, never a wall of digits."""

from __future__ import annotations

import math


def compact(value: float) -> str:
    """A rate or count in at most 5 characters: 7, 980, 1.2k, 12k, 340k, 1.2M, 45M, 1.2G."""
    if not math.isfinite(value):
        return "-"
    sign = "-" if value < 0 else ""
    x = abs(value)
    if x < 999.5:
        return f"{sign}{x:.0f}"
    for unit, scale in (("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)):
        scaled = x / scale
        if scaled < 9.95:
            return f"{sign}{scaled:.1f}{unit}"
        if scaled < 999.5:
            return f"{sign}{scaled:.0f}{unit}"
    return f"{sign}{x:.0e}"


def rate(value: float) -> str:
    """Requests per second: `980/s`, `1.2k/s`."""
    return f"{compact(value)}/s"


def percent(share: float, places: int = 0) -> str:
    """A share as a percentage: 0.714 -> `71%`."""
    if not math.isfinite(share):
        return "-"
    return f"{100 * share:.{places}f}%"


def money(value: float) -> str:
    """Spend: `12.5`, `340`, `12,345`."""
    if not math.isfinite(value):
        return "-"
    if abs(value) < 100:
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return f"{value:,.0f}"


def signed_money(value: float) -> str:
    """A change in spend, with its sign: `+7.2`, `-2`, `0`."""
    return f"+{money(value)}" if value > 0 else money(value)


def millis(value: float | None) -> str:
    """A latency in milliseconds, or a dash when nothing was served."""
    if value is None or not math.isfinite(value):
        return "-"
    if value < 10:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def counted(count: int, thing: str) -> str:
    """A count of things: `1 move`, `3 moves`."""
    return f"1 {thing}" if count == 1 else f"{count:,} {thing}s"


def clock(tick: int) -> str:
    """A tick as m:ss of the level's clock (3:20): the one way a time of the run is written."""
    minutes, seconds = divmod(max(tick, 0), 60)
    return f"{minutes}:{seconds:02d}"
