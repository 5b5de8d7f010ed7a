"""The rules of the game: which moves the engine refuses and why, what a setting change makes
of the settings, the budget, and which starting builds are sound.

Nothing here changes a site: a screen can ask why a move would be refused before it is made,
and the engine asks the same question before it makes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from game.engine import catalog
from game.engine.actions import CONFIGURABLE, Action
from game.engine.replication import Promotion
from game.engine.scenario import ADDABLE, VERBS, Component, Scenario, Settings
from game.engine.topology import HEALTHY, WEB_KINDS, Node, Topology, start_ids

# Costs are sums of floats: a site that costs its budget to the last rounding error is within it.
_BUDGET_SLACK = 1e-9


# typing is imported for type checkers only: at run time it would add ~5 ms to the engine's import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from game.engine.jobs import Backlog

    class Site(Protocol):
        """What the rules read of a run in progress (a Simulation is one)."""

        scenario: Scenario
        topology: Topology
        settings: Settings

        @property
        def done(self) -> bool: ...

        @property
        def store_on_box(self) -> bool: ...

        @property
        def promotion(self) -> Promotion | None: ...

        @property
        def jobs(self) -> Backlog: ...

        @property
        def resharding_until(self) -> int | None: ...


def unneeded(scenario: Scenario, kind: str) -> str:
    """Why a level has no use for a component of `kind` ("" when it has): a queue and workers
    need requests that carry jobs, a session store users who sign in."""
    if kind in catalog.JOB_KINDS and scenario.jobs is None:
        return "this level's requests carry no slow work to queue"
    if kind in catalog.SESSION_KINDS and scenario.sessions is None:
        return "this level's users do not sign in: there are no sessions to keep"
    if kind in catalog.DATACENTER_KINDS and len(scenario.regions) < 2:
        return "this level's users are in one region: a second data centre has none to serve"
    return ""


def over_budget(cost_per_tick: float, budget: float | None) -> bool:
    """Whether a site costing this much per tick breaks its level's budget (None: no budget)."""
    return budget is not None and cost_per_tick > budget + _BUDGET_SLACK


def refusal(site: Site, a: Action) -> str:
    """Why the engine refuses move `a` now, in a player's words ("" if it carries it out)."""
    if site.done:
        return "the level is over"
    if a.verb not in VERBS:
        return f"unknown action {a.verb!r}"
    if a.verb == "add":
        return _refuse_add(site, a)
    if not site.scenario.allows(a.verb):
        return f"{a.verb} is not unlocked in this level"
    if a.verb == "configure":
        return _refuse_configure(site, a)
    node = site.topology.nodes.get(a.target)
    if node is None:
        return f"there is no component {a.target!r}"
    if a.verb == "remove":
        return _refuse_remove(site, node)
    if a.verb == "resize":
        return _refuse_resize(site, node, a.size)
    return _refuse_promote(site, node)


def configured(settings: Settings, a: Action) -> Settings:
    """The settings after the configure move `a` (ValueError or TypeError if its value is bad)."""
    value = a.value
    if a.setting == "ttl":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("ttl takes a number of seconds")
        return dataclasses.replace(settings, ttl_s=float(value))
    if a.setting == "invalidate_on_write":
        if not isinstance(value, bool):
            raise ValueError("invalidate_on_write takes true or false")
        return dataclasses.replace(settings, invalidate_on_write=value)
    if a.setting == "shed":
        if not isinstance(value, bool):
            raise ValueError("shed takes true or false")
        if settings.retries is None:
            raise ValueError("this level's servers already drop a request at the timeout")
        return dataclasses.replace(settings, shed=value)
    if a.setting in ("policy", "budget"):
        return _client_update(settings, a.setting, value)
    if a.setting == "shards":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ValueError("shards takes a whole number of shards")
        return dataclasses.replace(settings, shards=int(value))
    field = {"algorithm": "balancer", "eviction": "eviction", "store": "store"}[a.setting]
    return dataclasses.replace(settings, **{field: str(value)})


def _client_update(settings: Settings, setting: str, value: object) -> Settings:
    """The clients' retry policy after a client update ships a new `policy` or `budget`."""
    if settings.retries is None:
        raise ValueError("the clients of this level do not retry")
    if setting == "budget":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("budget takes a share of first attempts (0: no budget)")
        retries = dataclasses.replace(settings.retries, budget=float(value))
    else:
        retries = dataclasses.replace(settings.retries, policy=str(value))
    return dataclasses.replace(settings, retries=retries)


class StartRefused(ValueError):
    """A starting build that cannot run; `index` is the part at fault (None: the build)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def check_start(parts: Sequence[Component]) -> None:
    """Raise StartRefused, saying why and at which part, if a starting build cannot run."""
    ids = start_ids((part.kind, part.id) for part in parts)
    for i, (part, node_id) in enumerate(zip(parts, ids)):
        if part.id and node_id in ids[:i]:
            raise StartRefused(f"the starting build names {part.id!r} twice", i)
    kinds = {part.kind for part in parts}
    if not kinds & set(WEB_KINDS):
        raise StartRefused("the starting build needs a box or a web server")
    if "web" in kinds and "primary" not in kinds:
        raise StartRefused("web servers need a database primary")
    if "replica" in kinds and "primary" not in kinds:
        raise StartRefused("replicas need a database primary")
    counts: dict[str, int] = {}
    for i, part in enumerate(parts):
        counts[part.kind] = counts.get(part.kind, 0) + 1
        limit = catalog.KINDS[part.kind].limit
        if counts[part.kind] > limit:
            raise StartRefused(f"the starting build has more than {limit} {part.kind}", i)


def _refuse_add(site: Site, a: Action) -> str:
    if a.kind not in ADDABLE:
        return f"cannot add {a.kind!r}; components are {', '.join(ADDABLE)}"
    if not site.scenario.allows(a.kind):
        return f"{catalog.KINDS[a.kind].title.lower()} is not unlocked in this level"
    spec = catalog.KINDS[a.kind]
    if a.size not in spec.sizes:
        return f"{a.kind} comes in sizes {', '.join(spec.sizes)}, not {a.size!r}"
    if len(site.topology.of_kind(a.kind)) >= spec.limit:
        if spec.limit == 1:
            return f"a site has one {spec.title.lower()} at most, and yours has it"
        return f"a site has {spec.limit} {_plural(spec.title)} at most, and yours has them all"
    if a.kind == "web" and site.store_on_box:
        return "the database still lives on the box: add a database primary first"
    if a.kind == "replica" and not site.topology.of_kind("primary"):
        return "a replica copies a primary: add a database primary first"
    if unneeded(site.scenario, a.kind):
        return unneeded(site.scenario, a.kind)
    if (
        a.kind in catalog.DATACENTER_KINDS
        and len(site.topology.of_kind(a.kind)) >= len(site.scenario.regions) - 1
    ):
        return "every region of this level has a data centre already"
    return _refuse_cost(site, site.topology.price(a.kind, spec.sizes[a.size].cost))


def _refuse_remove(site: Site, node: Node) -> str:
    if node.kind in WEB_KINDS and len(site.topology.of_kind(*WEB_KINDS)) == 1:
        return "the site needs at least one web server"
    if node.kind == "box" and site.store_on_box:
        return "the database lives on this box: add a database primary first"
    if node.kind == "primary":
        return "the data lives on the primary: promote a replica to replace it"
    if node.kind == "queue" and site.jobs:
        return "the queue still holds jobs: let the workers drain it first"
    return ""


def _resharding(site: Site) -> str:
    """Why the database takes no change now: keys are moving between shards ("" if not)."""
    until = site.resharding_until
    if until is None:
        return ""
    return f"keys are moving between shards until tick {until}"


def _refuse_resize(site: Site, node: Node, size: str) -> str:
    spec = catalog.KINDS[node.kind]
    if node.kind == "primary" and _resharding(site):
        return _resharding(site)
    if len(spec.sizes) == 1:
        return f"a {spec.title.lower()} has one size"
    if size not in spec.sizes:
        return f"{node.kind} comes in sizes {', '.join(spec.sizes)}, not {size!r}"
    if size == node.size:
        return f"{node.id} is already size {size}"
    copies = site.topology.shards if node.kind == "primary" else 1
    return _refuse_cost(
        site, site.topology.price(node.kind, (spec.sizes[size].cost - node.spec.cost) * copies)
    )


def _refuse_promote(site: Site, node: Node) -> str:
    if site.settings.store == "keyvalue":
        return "a key-value store has no primary to replace"
    if site.store_on_box:
        return "the database still lives on the box: wait until the primary is up"
    if node.kind != "replica":
        return f"only a replica can be promoted, and {node.id} is a {node.kind}"
    if _resharding(site):
        return _resharding(site)
    if node.state != HEALTHY:
        return f"{node.id} is {node.state}"
    promotion = site.promotion
    if promotion is not None and promotion.candidate:
        return f"{promotion.candidate} is already being promoted"
    return ""


def _refuse_configure(site: Site, a: Action) -> str:
    settings = CONFIGURABLE.get(a.target)
    if settings is None:
        return f"{a.target!r} has no settings; try {', '.join(CONFIGURABLE)}"
    if a.setting not in settings:
        return f"{a.target} settings are {', '.join(settings)}, not {a.setting!r}"
    if a.target == "balancer" and not site.topology.of_kind("balancer"):
        return "there is no balancer to configure"
    if a.target == "database":
        if site.store_on_box:
            return "the database lives on the box: add a database primary first"
        if site.promotion is not None:
            return "a promotion is under way"
        if _resharding(site):
            return _resharding(site)
        if a.setting == "shards" and not site.scenario.allows("shards"):
            return "sharding is not unlocked in this level"
    try:
        new = configured(site.settings, a)
    except (TypeError, ValueError, OverflowError) as error:
        return str(error)
    if new == site.settings:
        return "that is already the setting"
    if new.shards != site.settings.shards:
        primary = site.topology.of_kind("primary")
        each = primary[0].spec.cost if primary else 0.0
        return _refuse_cost(site, (new.shards - site.settings.shards) * each)
    return ""


def _refuse_cost(site: Site, extra: float) -> str:
    """A move that adds `extra` to the cost per tick is refused if it breaks the budget."""
    budget = site.scenario.budget
    after = site.topology.cost_per_tick() + extra
    if over_budget(after, budget):
        return f"over budget: the site would cost {after:g} per tick, the budget is {budget:g}"
    return ""


def _plural(title: str) -> str:
    """A catalog title in the plural, for messages: "database primaries", "CDNs"."""
    title = title if title.isupper() else title.lower()
    if title.endswith("y") and title[-2:-1] not in "aeiou":
        return title[:-1] + "ies"
    return title + ("es" if title.endswith(("x", "s")) else "s")
