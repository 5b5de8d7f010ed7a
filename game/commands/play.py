"""`millions` with no command: play, on the player's saves (refused if another game is using
them)."""

from __future__ import annotations

import argparse

from game.commands.output import fail
from game.store import SavesLocked, saves_folder
from game.ui.app import MillionsApp, open_saves
from game.ui.settings import AppSettings


def run(args: argparse.Namespace) -> int:
    for folder in args.pack:
        if not (folder / "pack.toml").is_file():
            return fail("millions", f"--pack {folder}: no pack.toml there")
    folder = saves_folder(args.saves)
    try:
        store = open_saves(folder)
    except SavesLocked as error:
        return fail("millions", error)
    settings = AppSettings(packs=tuple(args.pack), saves_dir=folder).with_saved(store.settings())
    app = MillionsApp(settings, store)
    try:
        app.run()
    finally:
        store.close()
    return app.return_code or 0
