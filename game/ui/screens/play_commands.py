"""Every move in the command palette (ctrl+p) of the play screen.

    Add web server M          add each kind, at each of its sizes
    Resize web-3 to L         each component, to each of its other sizes
    Remove cache-1            each component
    Promote replica-2         each replica
    Set cache eviction = lfu  each setting value the inspector offers

The choices are the inspector's (`game.ui.widgets.moves`), so the palette and the buttons never
disagree. A command hands its Action to `PlayScreen.apply`, so the engine decides: a refused
move (a locked verb, over budget, a component gone since) is shown with the engine's reason.
Moves the level has not unlocked are listed too, marked so in their help line, just as the
build keys send a locked kind to the engine and show why it was refused.

With an empty query the palette lists the moves on the component selected in the inspector.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from game.engine import catalog
from game.engine.actions import Action
from game.ui.widgets import moves, numbers
from game.ui.widgets.build_bar import KEYS
from game.ui.widgets.moves import ALGORITHM_WORDS, STORE_WORDS, Choice

if TYPE_CHECKING:
    from game.ui.screens.play import PlayScreen

LOCKED = "not unlocked in this level"
SETTING_WORDS = {"invalidate_on_write": "invalidate on write", "ttl": "TTL"}


def words(action: Action) -> str:
    """A move as a palette command: "Resize web-3 to L", "Set cache eviction = lfu"."""
    if action.verb == "add":
        return f"Add {catalog.KINDS[action.kind].title.lower()} {action.size}"
    if action.verb == "resize":
        return f"Resize {action.target} to {action.size}"
    if action.verb == "configure":
        setting = SETTING_WORDS.get(action.setting, action.setting)
        return f"Set {action.target} {setting} = {_value_words(action.value)}"
    return f"{action.verb.capitalize()} {action.target}"


def _value_words(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g} s"  # the one number a setting takes is the TTL, in seconds
    return ALGORITHM_WORDS.get(value, STORE_WORDS.get(value, value))


def _help(choice: Choice) -> str:
    return choice.label if choice.enabled else f"{choice.label} · {LOCKED}"


def site_moves(screen: PlayScreen) -> Iterator[tuple[Action, str]]:
    """(move, help line) for every move on offer now: adds, then each component's moves, then
    the settings (each setting value once, however many components it applies to)."""
    scenario = screen.level.scenario
    for kind in KEYS:
        locked = "" if scenario.allows(kind) else f" · {LOCKED}"
        for size, spec in catalog.KINDS[kind].sizes.items():
            help_line = f"{numbers.money(spec.cost)}/tick{locked}"
            yield Action(0, "add", kind=kind, size=size), help_line
    seen: set[Action] = set()
    for node in screen.sim.nodes():
        for choice in _node_choices(screen, node.id):
            if choice.action not in seen:
                seen.add(choice.action)
                yield choice.action, _help(choice)


def _node_choices(screen: PlayScreen, node_id: str) -> tuple[Choice, ...]:
    node = screen.sim.topology.nodes.get(node_id)
    if node is None:
        return ()
    scenario = screen.level.scenario
    return (
        moves.resizes(node, scenario)
        + moves.node_moves(node, scenario)
        + moves.setting_choices(node, screen.sim.settings, scenario)
    )


class BuildCommands(Provider):
    """Every move in the command palette: add, resize, remove, promote and configure."""

    def _play_screen(self) -> PlayScreen | None:
        from game.ui.screens.play import PlayScreen

        screen = self.screen
        return screen if isinstance(screen, PlayScreen) else None

    async def search(self, query: str) -> Hits:
        screen = self._play_screen()
        if screen is None:
            return
        matcher = self.matcher(query)
        for action, help_line in list(site_moves(screen)):
            command = words(action)
            score = matcher.match(command)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command),
                    partial(screen.apply, action),
                    text=command,
                    help=help_line,
                )

    async def discover(self) -> Hits:
        """Before anything is typed: the moves on the selected component."""
        screen = self._play_screen()
        if screen is None or screen.selected is None:
            return
        for choice in _node_choices(screen, screen.selected):
            command = words(choice.action)
            yield DiscoveryHit(
                Text(command),
                partial(screen.apply, choice.action),
                text=command,
                help=_help(choice),
            )
