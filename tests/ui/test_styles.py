"""A screen's stylesheet applies app-wide once the screen is loaded, so every rule in it starts
with the screen's own name; otherwise an id used on two screens picks up the other's style
(the results screen's Levels button once took the level list's border)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from textual.screen import Screen

import game.ui.screens

RULE = re.compile(r"^([^\s/*}][^{\n]*?)[ \t]*\{[ \t]*$", re.MULTILINE)


def _screens_with_styles() -> list[tuple[type[Screen], Path]]:
    found = []
    for module_info in pkgutil.iter_modules(game.ui.screens.__path__):
        module = importlib.import_module(f"game.ui.screens.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__ and cls.CSS_PATH:
                found += [(cls, Path(module.__file__).with_name(n)) for n in _own_sheets(cls)]
    return found


def _own_sheets(cls: type[Screen]) -> list[str]:
    """The stylesheets a screen adds: a screen that extends another lists its base's sheet
    too, whose rules are the base's (a rule for the base matches the screen that extends it)."""
    names = [cls.CSS_PATH] if isinstance(cls.CSS_PATH, str | Path) else list(cls.CSS_PATH)
    inherited = {
        str(name)
        for base in cls.__mro__[1:]
        if issubclass(base, Screen) and base.CSS_PATH
        for name in ([base.CSS_PATH] if isinstance(base.CSS_PATH, str | Path) else base.CSS_PATH)
    }
    return [str(name) for name in names if str(name) not in inherited]


def test_every_screen_rule_is_scoped_to_its_screen() -> None:
    screens = _screens_with_styles()
    assert len(screens) >= 9
    for cls, path in screens:
        for match in RULE.finditer(path.read_text()):
            for selector in match.group(1).split(","):
                assert selector.strip().startswith(cls.__name__), f"{path.name}: {selector}"
