"""Packs that follow another (`after` in pack.toml) are listed after it and open once its last
level is passed."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content.errors import LevelError
from game.content.packs import load_pack, load_packs
from game.content.scaffold import create_pack
from game.store import Store
from game.store.campaign import Campaign, level_key


def _pack(folder: Path, pack_id: str, after: str | None = None) -> Path:
    create_pack(folder)
    manifest = folder / "pack.toml"
    text = manifest.read_text()
    old_id = text.split('id = "', 1)[1].split('"', 1)[0]
    text = text.replace(f'id = "{old_id}"', f'id = "{pack_id}"', 1)
    if after is not None:
        text = text.replace("format = 1\n", f'format = 1\nafter = "{after}"\n', 1)
    manifest.write_text(text)
    return folder


def test_a_pack_is_listed_after_the_pack_it_follows(tmp_path: Path) -> None:
    later = _pack(tmp_path / "a", "later", after="first")
    first = _pack(tmp_path / "b", "first")
    alone = _pack(tmp_path / "c", "alone")
    packs, failures = load_packs([later, first, alone])
    assert failures == []
    assert [p.id for p in packs] == ["first", "later", "alone"]


def test_a_following_pack_opens_once_the_last_level_before_it_is_passed(tmp_path: Path) -> None:
    packs, _ = load_packs([_pack(tmp_path / "a", "first"), _pack(tmp_path / "b", "later", "first")])
    first, later = packs
    store = Store.in_memory()
    campaign = Campaign(store, packs)
    assert campaign.is_unlocked(first, first.levels[0])
    assert not campaign.is_unlocked(later, later.levels[0])
    store.record_run(level_key(first, first.levels[-1]), {"availability": 1.0}, 0)
    assert not campaign.is_unlocked(later, later.levels[0])  # played, not passed
    store.record_run(level_key(first, first.levels[-1]), {"availability": 1.0}, 1)
    assert campaign.is_unlocked(later, later.levels[0])


def test_a_following_pack_opened_for_its_author_is_open_at_once(tmp_path: Path) -> None:
    """`millions --pack PATH` opens all its levels: the list must not say it opens later."""
    later_folder = _pack(tmp_path / "b", "later", "first")
    folders = [_pack(tmp_path / "a", "first"), later_folder, _pack(tmp_path / "c", "also", "first")]
    packs, _ = load_packs(folders)
    later, also = (next(p for p in packs if p.id == i) for i in ("later", "also"))
    campaign = Campaign(Store.in_memory(), packs, open_folders=[later_folder])
    assert campaign.pack_open(later) and campaign.is_unlocked(later, later.levels[-1])
    assert not campaign.pack_open(also)  # only the folder given opens


def test_a_pack_following_a_pack_not_installed_is_open(tmp_path: Path) -> None:
    packs, _ = load_packs([_pack(tmp_path / "a", "later", after="nowhere")])
    [later] = packs
    assert Campaign(Store.in_memory(), packs).is_unlocked(later, later.levels[0])


def test_a_pack_cannot_follow_itself(tmp_path: Path) -> None:
    with pytest.raises(LevelError, match="after: a pack cannot follow itself"):
        load_pack(_pack(tmp_path / "a", "loop", after="loop"))
