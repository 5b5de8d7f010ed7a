"""Where saves live: `--saves DIR`, then MILLIONS_SAVES, then the checkout's saves/ folder when
the game runs from a checkout, else the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "MILLIONS_SAVES"
_CHECKOUT = Path(__file__).resolve().parents[2]


def saves_folder(override: Path | None = None) -> Path:
    """The folder to keep saves in (it may not exist yet)."""
    if override is not None:
        return override
    from_env = os.environ.get(ENV)
    if from_env:
        return Path(from_env)
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "saves").is_dir():
        return _CHECKOUT / "saves"
    from platformdirs import user_data_path

    return user_data_path("zero-to-millions") / "saves"
