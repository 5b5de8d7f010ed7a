"""The app's screens, one module each, with their styles in a .tcss file beside them."""

from __future__ import annotations

from textual.screen import Screen


def load_play_screen() -> type[Screen]:
    """The play screen, imported only when wanted (ImportError while it cannot be imported).

    The play screen is built apart from the others; until it imports, every other screen still
    works and Start says why it cannot begin.
    """
    from game.ui.screens.play import PlayScreen

    return PlayScreen
