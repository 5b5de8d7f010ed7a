"""The play screen's two lines of words, drawn from the engine's view:

    Launch day   tick 240/900   2x   failover: 12 s left          status_text(view, ...)
    single box at 130%: resize box-1 to M                         advice_text(view.advice)

The status line says where the run is: the clock, the speed or pause, a failover under way and
how long it has left. The advice line names the saturated tier the engine found and the moves
it offers to relieve it (only moves this level unlocks and the engine would carry out now).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from game.engine.view import Advice, SiteView
from game.ui import numbers, words
from game.ui.keys import ADD_KEYS
from game.ui.numbers import clock

REPLAY_STYLE = Style(bold=True, reverse=True)
TITLE_STYLE = Style(bold=True)
FAILOVER_STYLE = Style(color="red", bold=True)


def status_text(view: SiteView, title: str, running: str, replay: str | None = None) -> Text:
    """The status line: `running` is "paused" or the speed ("2x"); `replay` the name of the
    solution being replayed, if one is."""
    line = Text()
    if replay is not None:
        line.append(f"replay of {replay}: ", style=REPLAY_STYLE)
        line.append(" ")
    line.append(title, style=TITLE_STYLE)
    if view.endless is not None:  # no end to count down to: how long the site has held
        line.append(f"   held {clock(view.tick)}   {running}")
    else:
        line.append(f"   tick {view.tick}/{view.duration}   {running}")
    if view.failover_until is not None:
        line.append(f"   failover: {view.failover_until - view.tick} s left", FAILOVER_STYLE)
    return line


def advice_text(advice: Advice | None) -> Text:
    """What the engine advises for its saturated tier, with the keys of the adds it names."""
    text = Text()
    if advice is None:
        return text
    tier = words.TIER.get(advice.tier, advice.tier)
    text.append(f"{tier} at {numbers.percent(advice.utilization)}: ", style=TITLE_STYLE)
    remedies = []
    for action in advice.remedies:
        remedy = words.advice_words(action)
        key = ADD_KEYS.get(action.kind) if action.verb == "add" else None
        remedies.append(f"{remedy} ({key.key})" if key is not None else remedy)
    if not remedies:
        text.append("nothing this level offers now would relieve it")
    elif len(remedies) == 1:
        text.append(remedies[0])
    else:
        text.append(", ".join(remedies[:-1]) + " or " + remedies[-1])
    return text
