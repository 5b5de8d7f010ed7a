"""Every move in the command palette (ctrl+p) of the play screen.

    Add web server M          add each kind, at each of its sizes
    Resize web-3 to L         each component, to each of its other sizes
    Remove cache-1            each component
    Promote replica-2         each replica
    Set cache eviction = LFU  each setting value on offer

The moves and their prices are the engine's (`game.engine.view.add_moves` and `node_moves`),
the same list the inspector and the build bar draw, so the palette and the buttons never
disagree. A move the engine would refuse now is listed too, its reason in its help line; a
command hands its move to the screen's `apply`, so the engine decides and a refusal is shown
with the engine's reason.

With an empty query the palette lists the moves on the component selected in the inspector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from game.engine.actions import Action
from game.engine.view import MovePreview, SiteView
from game.ui import numbers, words


@runtime_checkable
class MoveSource(Protocol):
    """What the palette needs of the screen it serves: the moves on offer and a way to ask."""

    view: SiteView

    def moves_on_offer(self) -> Sequence[MovePreview]: ...

    def moves_on_selected(self) -> Sequence[MovePreview]: ...

    def apply(self, action: Action) -> None: ...


def help_line(move: MovePreview, view: SiteView) -> str:
    """A move's price or button words, and the engine's reason if it would refuse it now."""
    if move.action.verb == "add":
        shown = f"{numbers.money(move.cost_change)}/tick"
    else:
        shown = words.label(move, view)
    return f"{shown} · {move.refusal}" if move.refusal else shown


def site_moves(source: MoveSource) -> Iterator[tuple[Action, str]]:
    """(move, help line) for every move on offer now: adds, then each component's moves, then
    the settings (each setting value once, however many components it applies to)."""
    seen: set[Action] = set()
    for move in source.moves_on_offer():
        if move.action not in seen:
            seen.add(move.action)
            yield move.action, help_line(move, source.view)


class BuildCommands(Provider):
    """Every move in the command palette: add, resize, remove, promote and configure."""

    def _source(self) -> MoveSource | None:
        screen = self.screen
        return screen if isinstance(screen, MoveSource) else None

    async def search(self, query: str) -> Hits:
        source = self._source()
        if source is None:
            return
        matcher = self.matcher(query)
        for action, help_text in list(site_moves(source)):
            command = words.command(action)
            score = matcher.match(command)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command),
                    partial(source.apply, action),
                    text=command,
                    help=help_text,
                )

    async def discover(self) -> Hits:
        """Before anything is typed: the moves on the selected component."""
        source = self._source()
        if source is None:
            return
        for move in source.moves_on_selected():
            command = words.command(move.action)
            yield DiscoveryHit(
                Text(command),
                partial(source.apply, move.action),
                text=command,
                help=help_line(move, source.view),
            )
