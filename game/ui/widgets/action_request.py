"""The message every play-screen control sends when the player asks for a move.

Widgets never apply an action: they post `ActionRequested(action)` with the move as the engine's
view offers it (tick 0), and the screen stamps it with the tick and hands it to the engine
(`Simulation.apply`), whose Outcome says whether it was carried out.
Handle it with `on_action_requested` (or `@on(ActionRequested)`) on the screen or the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from game.engine.actions import Action


@dataclass
class ActionRequested(Message):
    """The player asked for `action` (its tick is stamped by the screen that applies it)."""

    action: Action
