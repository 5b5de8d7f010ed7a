"""The message every play-screen control sends when the player asks for a move.

Widgets never apply an action: they post `ActionRequested(action)` and the screen hands the
action to the engine (`Simulation.apply`), whose Outcome says whether it was carried out.
Handle it with `on_action_requested` (or `@on(ActionRequested)`) on the screen or the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from game.engine.actions import Action


@dataclass
class ActionRequested(Message):
    """The player asked for `action`. Its tick is the one the sending widget was last told."""

    action: Action
