"""How a component looks on screen: its display state, glyph, colour and load bar.

The engine knows three life states (booting, healthy, failed). The screens split healthy into
healthy / busy / overloaded by the utilization the engine's view gives the component.
The thresholds below are presentation, not game rules: they colour the map, they decide nothing.

Glyphs, with the ASCII fallback used when a widget is built with `ascii=True` (for terminals
or fonts without the geometric shapes block):

    state        glyph  ascii  colour
    booting        ◌      o    blue
    healthy        ●      *    green
    busy           ◐      +    yellow
    overloaded     ▲      !    orange, bold
    failed         ✖      x    red, bold

Colours are given as RGB so that "yellow" is not turned orange by a terminal theme; a node
that needs attention (anything but healthy) has its id drawn in its state's colour too.

Load bars use ▇ for load and ░ for headroom (ASCII: # and .).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rich.style import Style
from rich.text import Text

from game.engine.topology import BOOTING, FAILED, HEALTHY

BUSY_AT = 0.75  # a tier at or above this utilization draws its healthy nodes as busy
OVERLOADED_AT = 1.0  # at or above this it is overloaded: work arrives faster than it is done

BOOTING_LOOK, HEALTHY_LOOK, BUSY_LOOK, OVERLOADED_LOOK, FAILED_LOOK = (
    "booting",
    "healthy",
    "busy",
    "overloaded",
    "failed",
)
LOOKS: tuple[str, ...] = (BOOTING_LOOK, HEALTHY_LOOK, BUSY_LOOK, OVERLOADED_LOOK, FAILED_LOOK)


@dataclass(frozen=True, slots=True)
class Look:
    """One display state: its glyph, ASCII fallback and style."""

    name: str
    glyph: str
    ascii: str
    style: Style


LOOK: Mapping[str, Look] = MappingProxyType(
    {
        BOOTING_LOOK: Look(BOOTING_LOOK, "◌", "o", Style(color="#6cb6ff")),
        HEALTHY_LOOK: Look(HEALTHY_LOOK, "●", "*", Style(color="#57c77a")),
        BUSY_LOOK: Look(BUSY_LOOK, "◐", "+", Style(color="#e6c84f")),
        OVERLOADED_LOOK: Look(OVERLOADED_LOOK, "▲", "!", Style(color="#ff8a3d", bold=True)),
        FAILED_LOOK: Look(FAILED_LOOK, "✖", "x", Style(color="#ff5c6c", bold=True)),
    }
)

BAR_FULL, BAR_EMPTY = "▇", "░"
ASCII_BAR_FULL, ASCII_BAR_EMPTY = "#", "."
IDLE_STYLE = Style(dim=True)


def load_look(utilization: float) -> str:
    """The look of a healthy node whose tier runs at `utilization`."""
    if utilization >= OVERLOADED_AT:
        return OVERLOADED_LOOK
    if utilization >= BUSY_AT:
        return BUSY_LOOK
    return HEALTHY_LOOK


def node_look(state: str, utilization: float | None) -> str:
    """A node's display state from its engine state and its tier's utilization (None: no tier)."""
    if state == BOOTING:
        return BOOTING_LOOK
    if state == FAILED:
        return FAILED_LOOK
    if state == HEALTHY and utilization is not None:
        return load_look(utilization)
    return HEALTHY_LOOK


def glyph(look: str, ascii: bool = False) -> Text:
    """The symbol of a display state, in its colour."""
    spec = LOOK[look]
    return Text.assemble((spec.ascii if ascii else spec.glyph, spec.style))


def name_style(look: str) -> Style:
    """How a component's id is drawn: plain when healthy, in its state's colour otherwise."""
    return Style() if look == HEALTHY_LOOK else LOOK[look].style


def load_bar(utilization: float | None, cells: int, ascii: bool = False) -> Text:
    """A bar `cells` wide, filled in proportion to utilization (capped at full), coloured by load.

    None draws an idle, dimmed bar (a node that takes no traffic)."""
    full_char, empty_char = (ASCII_BAR_FULL, ASCII_BAR_EMPTY) if ascii else (BAR_FULL, BAR_EMPTY)
    if utilization is None:
        return Text.assemble((empty_char * cells, IDLE_STYLE))
    filled = round(min(max(utilization, 0.0), 1.0) * cells)
    if utilization > 0 and filled == 0:
        filled = 1  # any load at all shows
    bar = Text.assemble((full_char * filled, LOOK[load_look(utilization)].style))
    bar.append(empty_char * (cells - filled), style=IDLE_STYLE)
    return bar
