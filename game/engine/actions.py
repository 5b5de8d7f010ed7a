"""What a player does, as data: an action at a tick, and the engine's answer to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from game.engine import catalog

# Settings a `configure` action can change: target -> setting names.
CONFIGURABLE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "balancer": ("algorithm", "shed"),
        "cache": ("ttl", "eviction", "invalidate_on_write"),
        "database": ("store", "shards"),
        "clients": ("policy", "budget"),  # a client update: how the level's clients retry
    }
)


@dataclass(frozen=True, slots=True)
class ScaleRule:
    """A pool's automation: add a server of `size` when the pool's utilization stays above
    `above` % for `for_s` seconds, up to `most` servers; remove the newest when it stays below
    `below` % as long (0: never), never below `least`. The engine runs it (autoscale.py)."""

    size: str = str(catalog.RULE_START["size"])
    above: int = int(catalog.RULE_START["above"])
    for_s: int = int(catalog.RULE_START["for_s"])
    most: int = int(catalog.RULE_START["most"])
    below: int = int(catalog.RULE_START["below"])
    least: int = int(catalog.RULE_START["least"])

    def describe(self) -> str:
        """The rule in a player's words: "add S above 80% for 10 s, up to 8; remove below 30%,
        at least 1"."""
        text = f"add {self.size} above {self.above}% for {self.for_s} s, up to {self.most}"
        if self.below:
            text += f"; remove below {self.below}%, at least {self.least}"
        return text


@dataclass(frozen=True, slots=True)
class Action:
    """One move. `verb` is add, remove, resize, configure, promote or rule.

    - add: `kind` (web, balancer, primary, replica, cache, cdn) and `size`;
    - remove / resize / promote: `target`, a component id (resize also takes `size`);
    - configure: `target` (balancer, cache, database, clients), `setting` and `value`;
    - rule: `kind`, a pool (catalog.RULE_POOLS), and its `rule` (None clears the pool's rule).
    """

    tick: int
    verb: str
    kind: str = ""
    target: str = ""
    size: str = "S"
    setting: str = ""
    value: str | float | bool = ""
    rule: ScaleRule | None = None

    def describe(self) -> str:
        """The move in a player's words, for logs and refusals."""
        if self.verb == "add":
            return f"add {self.kind} {self.size}"
        if self.verb == "resize":
            return f"resize {self.target} to {self.size}"
        if self.verb == "configure":
            return f"set {self.target} {self.setting} = {self.value}"
        if self.verb == "rule":
            if self.rule is None:
                return f"clear the {self.kind} scale rule"
            return f"set the {self.kind} scale rule: {self.rule.describe()}"
        if self.verb == "traffic":  # a sandbox move (sandbox.py)
            mix = f", mix {self.setting}" if self.setting else ""
            return f"set traffic to {self.value} req/s{mix}"
        return f"{self.verb} {self.target}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The engine's answer: accepted (with the component it made, if any) or refused, and why."""

    action: Action
    accepted: bool
    reason: str = ""
    component: str = ""
