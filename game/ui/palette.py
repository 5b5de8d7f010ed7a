"""Every move in the command palette (ctrl+p) of the play screen, and its commands of time.

    Add web server M          +3.6/tick · ready in 30 s
    Resize db-1 to XL         +10.8/tick · db-1 down for 60 s while it restarts
    Remove cache-1            -1.2/tick · cache-1 taken out
    Promote replica-2         writes fail for 10 s
    Set cache eviction = LFU  no change in cost
    Restart level / Rewind 30 s / Redo the rewound moves / Drop the rewound moves

The moves and their prices are the engine's (`game.engine.view.add_moves` and `node_moves`:
each a MovePreview with its change in cost per tick, when it takes effect and what it takes
out of service meanwhile), the same list the inspector and the build bar draw, so the palette
and the buttons never disagree. A move the engine would refuse now is listed too, its reason
first in its help line; a command hands its move to the screen's `apply`, so the engine
decides and a refusal is shown with the engine's reason.

With an empty query the palette lists the moves on the component selected in the inspector,
then the commands of time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from game.engine.actions import Action
from game.engine.view import MovePreview, SiteView
from game.ui import keys, words


@runtime_checkable
class TimeSource(Protocol):
    """What the commands of time need of the screen they serve: its actions of those names."""

    def action_restart(self) -> None: ...

    def action_rewind(self, seconds: int = ...) -> object: ...

    def action_redo(self) -> None: ...

    def action_drop_redo(self) -> None: ...


@runtime_checkable
class MoveSource(Protocol):
    """What the palette needs of the screen it serves: the moves on offer and a way to ask."""

    view: SiteView

    def moves_on_offer(self) -> Sequence[MovePreview]: ...

    def moves_on_selected(self) -> Sequence[MovePreview]: ...

    def apply(self, action: Action) -> None: ...


def help_line(move: MovePreview, view: SiteView) -> str:
    """A move's price (words.price), and first the engine's reason if it would refuse it now."""
    price = words.price(move, view)
    return f"refused now: {move.refusal} · {price}" if move.refusal else price


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


# (command, help, the play screen's action it runs)
TIME_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Restart level", f"from the start; asks if you made moves ({keys.RESTART.key})", "restart"),
    (
        f"Rewind {keys.REWIND_SECONDS} s",
        f"back in time, exactly; your moves since wait to be redone ({keys.REWIND.key})",
        "rewind",
    ),
    ("Redo the rewound moves", f"play on to where you rewound from ({keys.REDO.key})", "redo"),
    ("Drop the rewound moves", f"go on without them ({keys.DROP.key})", "drop_redo"),
)


class TimeCommands(Provider):
    """Restart, rewind, redo and drop, as the play screen's keys do them."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        if not isinstance(screen, TimeSource):
            return []
        return [c for c in TIME_COMMANDS if screen.check_action(c[2], ()) is not False]

    def _run(self, action: str):
        return partial(self.screen.run_action, action)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command, help_text, action in self._commands():
            score = matcher.match(command)
            if score > 0:
                highlighted = matcher.highlight(command)
                yield Hit(score, highlighted, self._run(action), text=command, help=help_text)

    async def discover(self) -> Hits:
        for command, help_text, action in self._commands():
            yield DiscoveryHit(Text(command), self._run(action), text=command, help=help_text)
