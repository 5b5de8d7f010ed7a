"""What a player does, as data: an action at a tick, and the engine's answer to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Settings a `configure` action can change: target -> setting names.
CONFIGURABLE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "balancer": ("algorithm", "shed"),
        "cache": ("ttl", "eviction", "invalidate_on_write"),
        "database": ("store",),
        "clients": ("policy", "budget"),  # a client update: how the level's clients retry
    }
)


@dataclass(frozen=True, slots=True)
class Action:
    """One move. `verb` is add, remove, resize, configure or promote.

    - add: `kind` (web, balancer, primary, replica, cache, cdn) and `size`;
    - remove / resize / promote: `target`, a component id (resize also takes `size`);
    - configure: `target` (balancer, cache, database, clients), `setting` and `value`.
    """

    tick: int
    verb: str
    kind: str = ""
    target: str = ""
    size: str = "S"
    setting: str = ""
    value: str | float | bool = ""

    def describe(self) -> str:
        """The move in a player's words, for logs and refusals."""
        if self.verb == "add":
            return f"add {self.kind} {self.size}"
        if self.verb == "resize":
            return f"resize {self.target} to {self.size}"
        if self.verb == "configure":
            return f"set {self.target} {self.setting} = {self.value}"
        return f"{self.verb} {self.target}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The engine's answer: accepted (with the component it made, if any) or refused, and why."""

    action: Action
    accepted: bool
    reason: str = ""
    component: str = ""
