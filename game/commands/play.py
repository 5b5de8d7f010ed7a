"""`millions` with no command: play, on the player's saves (refused if another game is using
them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from game.commands.output import fail, seed_problem
from game.store import SavesLocked, saves_folder
from game.ui.app import MillionsApp, open_saves
from game.ui.settings import AppSettings


def run(args: argparse.Namespace) -> int:
    if sys.stdin is None:  # started with `<&-`: no keys could ever reach the game
        return fail("millions", "standard input is closed; the game needs a terminal to play in")
    for folder in args.pack:
        if not (folder / "pack.toml").is_file():
            return fail("millions", f"--pack {folder}: no pack.toml there")
    bad_seed = seed_problem(args.play_seed)
    if bad_seed:
        return fail("millions", bad_seed)
    try:
        return play(saves_folder(args.saves), args.pack, args.play_seed)
    except SavesLocked as error:
        return fail("millions", error)


def play(folder: Path, packs: Sequence[Path], seed: int | None = None) -> int:
    """Run the game on the saves in `folder` (every level on `seed`, if given); raises
    SavesLocked while another game has them."""
    store = open_saves(folder)
    settings = AppSettings(packs=tuple(packs), saves_dir=folder, seed=seed)
    settings = settings.with_saved(store.settings())
    app = MillionsApp(settings, store)
    try:
        app.run()
    finally:
        store.close()
    return app.return_code or 0
