"""The play screen's keys: one table. The screen binds it, the build bar draws it, the footer and
the help read it.

    space   pause / go on          w b p r c d   add a web server, balancer, primary, replica,
    s       step one tick          u k e o       cache node, CDN, message queue, worker, session
                                                 store, second data centre (at the size chosen)
    f       faster: 1x 2x 4x 8x    1 2 3 4       the size added: S M L XL
    z       rewind 30 s            y             redo the moves a rewind took back
    n       restart the level      x             drop them
    a       the scale rule of the pool selected (else of the web servers), where rules are open
    esc q   deselect, else pause and ask: resume, restart or leave

Every key runs a play-screen action, wherever the focus is on that screen: a build-bar button
runs the same action as its key, so a key does the same with any widget focused. `add_move`
is the one rule for which add a key (or a button) asks for at the chosen size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from textual.binding import Binding

from game.engine import catalog
from game.engine.view import MovePreview
from game.ui.words import KIND_SHORT

REWIND_SECONDS = 30  # how far back the rewind key goes


@dataclass(frozen=True, slots=True)
class PlayKey:
    """One key of the play screen and the action it runs there."""

    keys: str  # Textual key names, comma-separated: "escape,q"
    action: str  # the play screen's action: "pause", "add('web')"
    description: str  # in the footer and the help
    show: bool = False  # in the footer

    @property
    def key(self) -> str:
        """The first key: the one a button shows."""
        return self.keys.split(",")[0]

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show)


PAUSE = PlayKey("space", "pause", "Pause", show=True)
STEP = PlayKey("s", "step", "Step", show=True)
FASTER = PlayKey("f", "faster", "Speed", show=True)
MENU = PlayKey("escape,q", "back", "Menu", show=True)  # deselect first, else pause and ask
REWIND = PlayKey("z", "rewind", f"Rewind {REWIND_SECONDS} s", show=True)
REDO = PlayKey("y", "redo", "Redo")  # the rewind's note on screen names these two
DROP = PlayKey("x", "drop_redo", "Drop the redo")
RESTART = PlayKey("n", "restart", "Restart")
RULE = PlayKey("a", "rule", "Scale rule")

# Component kind -> its key, a letter of its short name (drawn underlined on the build bar).
_ADD_LETTERS = {
    "web": "w",
    "balancer": "b",
    "primary": "p",
    "replica": "r",
    "cache": "c",
    "cdn": "d",
    "queue": "u",
    "worker": "k",
    "sessions": "e",
    "datacenter": "o",
}
ADD_KEYS: Mapping[str, PlayKey] = MappingProxyType(
    {
        kind: PlayKey(letter, f"add('{kind}')", f"+{KIND_SHORT[kind]}")
        for kind, letter in _ADD_LETTERS.items()
    }
)
SIZE_KEYS: Mapping[str, PlayKey] = MappingProxyType(
    {
        size: PlayKey(str(number), f"size('{size}')", f"size {size}")
        for number, size in enumerate(catalog.SIZES, start=1)
    }
)

PLAY_KEYS: tuple[PlayKey, ...] = (
    PAUSE,
    STEP,
    FASTER,
    MENU,
    REWIND,
    REDO,
    DROP,
    RESTART,
    RULE,
    *ADD_KEYS.values(),
    *SIZE_KEYS.values(),
)


def bindings(keys: Iterable[PlayKey] = PLAY_KEYS) -> list[Binding]:
    return [key.binding() for key in keys]


def add_move(moves: Iterable[MovePreview], kind: str, size: str) -> MovePreview | None:
    """The add a kind's key asks for, among the priced adds on offer: at the chosen size, or
    at the kind's first size where it does not come in that one (a balancer has one size)."""
    of_kind = [m for m in moves if m.action.verb == "add" and m.action.kind == kind]
    return next((m for m in of_kind if m.action.size == size), of_kind[0] if of_kind else None)
