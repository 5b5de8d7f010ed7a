"""One game for one browser tab: the process `millions serve` starts for each connection.

    python -m game.commands.browser_game --saves DIR [--pack PATH ...]
    python -m game.commands.browser_game --classroom DIR [--pack PATH ...]

The server builds this command line itself, from its own options; nothing in it comes from the
browser's request. With `--saves` the game opens that saves folder as `millions` does in a
terminal, and when another game holds it the tab shows why instead of the game. With
`--classroom` the game makes a new folder of its own under DIR, named unguessably, and keeps
its saves there.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from textual.app import App

IN_USE_ADVICE = (
    "Close that game or its browser tab, then press Enter here and choose Restart. "
    "(A server started with --classroom DIR gives every tab saves of its own.)"
)


def new_player_folder(classroom: Path) -> Path:
    """A fresh folder under `classroom` for one player's saves: the time it was made, then a
    random part nobody can guess, readable by the server's user only."""
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(8)}"
    folder = classroom / name
    folder.mkdir(mode=0o700)
    return folder


class SavesInUseApp(App[None]):
    """Says why this tab cannot open the saves, and ends the session when read."""

    TITLE = "Zero to Millions"

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def on_mount(self) -> None:
        from game.ui.dialogs import NoticeScreen

        notice = NoticeScreen("Your saves are in use", f"{self.message}\n\n{IN_USE_ADVICE}")
        self.push_screen(notice, callback=lambda _: self.exit())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from game.commands.play import play
    from game.store import SavesLocked

    folder = new_player_folder(args.classroom) if args.classroom else args.saves
    try:
        return play(folder, args.pack)
    except SavesLocked as error:
        SavesInUseApp(str(error)).run()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m game.commands.browser_game")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--saves", type=Path, help="the saves folder to open")
    where.add_argument("--classroom", type=Path, help="make a new saves folder under this one")
    parser.add_argument("--pack", type=Path, action="append", default=[], help="a level pack")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
