"""The player's words for everything the screens name: one thing, one name, everywhere.

    kinds       Web server / web / a web server      kind_title, KIND_SHORT, a_kind
    tiers       web tier, read replicas, key-value store, single box    TIER
    routes      cache hit, database read, write, every request          ROUTE
    capacity    requests/s, query units/s, lookups/s                    UNIT
    settings    TTL 60 s, eviction LFU, round robin, key-value          setting_words, value_words
    moves       "Resize web-3 to L" (a command), "L · 4/tick" (a button) command, label
    events      the log's badges: REFUSED, failed, up, you ...          EVENT_BADGES
    scores      availability, p95 latency, cost ... (game.engine.metrics)  metric_label

A component's full name is its catalog title (the codex and the engine's refusals use it too).
Numbers are written by `game.ui.numbers` and by each score's Metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from game.engine import catalog
from game.engine.actions import Action
from game.engine.metrics import METRICS
from game.engine.sharding import SLOWED as SHARDS_SLOWED
from game.engine.view import (
    JOBS,
    LOOKUPS,
    QUERY_UNITS,
    REQUESTS,
    WORKERS,
    MovePreview,
    SiteView,
)
from game.ui import numbers

# -- components ---------------------------------------------------------------------------------

# The short name of each kind: on the build bar, the map and in a pool's summary line.
KIND_SHORT: Mapping[str, str] = MappingProxyType(
    {
        "box": "box",
        "web": "web",
        "balancer": "balancer",
        "primary": "primary",
        "replica": "replica",
        "cache": "cache",
        "cdn": "CDN",
        "queue": "queue",
        "worker": "worker",
        "sessions": "sessions",
        "datacenter": "mirror DC",
    }
)


def kind_title(kind: str) -> str:
    """A kind's full name, as a heading: "Web server", "Database primary"."""
    return catalog.KINDS[kind].title


def a_kind(kind: str) -> str:
    """A kind in a sentence: "a web server", "a load balancer", "a CDN"."""
    title = catalog.KINDS[kind].title
    name = title if title.isupper() else title[0].lower() + title[1:]
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# The engine's tiers (TierReport.name, NodeView.tier), as the failure reasons call them too.
TIER: Mapping[str, str] = MappingProxyType(
    {
        "box": "single box",
        "web": "web tier",
        "cache": "cache tier",
        "primary": "database primary",
        "replicas": "read replicas",
        "keyvalue": "key-value store",
        "sessions": "session store",
        WORKERS: "workers",  # behind the message queue (the view's JobsView)
    }
)
DATA_TIER = "database"  # the primary and its replicas together
# The way a served request went (report.ROUTES; "" holds every request), as the latency panel
# names it.
ROUTE: Mapping[str, str] = MappingProxyType(
    {
        "edge": "CDN edge",
        "box": "single box",
        "static": "page",
        "cache_hit": "cache hit",
        "read": "database read",
        "join": "join",
        "write": "write",
        "": "every request",
    }
)
# A pool a scale rule runs (catalog.RULE_POOLS), in a sentence.
RULE_POOL: Mapping[str, str] = MappingProxyType({"web": "web servers", "replica": "read replicas"})
KEYVALUE_TIER = TIER["keyvalue"]

# What a component's capacity counts (NodeView.unit), per second.
UNIT: Mapping[str, str] = MappingProxyType(
    {REQUESTS: "requests/s", QUERY_UNITS: "query units/s", LOOKUPS: "lookups/s", JOBS: "jobs/s"}
)

# -- settings -----------------------------------------------------------------------------------

SETTING: Mapping[str, str] = MappingProxyType(
    {
        "ttl": "TTL",
        "eviction": "eviction",
        "invalidate_on_write": "invalidation on write",
        "algorithm": "algorithm",
        "store": "store",
        "shed": "load shedding",
        "policy": "retry policy",
        "budget": "retry budget",
        "shards": "shards",
    }
)
VALUE: Mapping[str, str] = MappingProxyType(
    {
        "round_robin": "round robin",
        "least_connections": "least connections",
        "relational": "relational",
        "keyvalue": "key-value",
        "none": "no retries",
        "immediate": "retry at once",
        "backoff": "back off",
        **{eviction: eviction.upper() for eviction in catalog.EVICTIONS},
    }
)


def value_words(value: str | float | bool) -> str:
    """A setting's value: "round robin", "key-value", "LFU", "60 s" (a TTL), "on"."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return seconds(value)  # the one number a setting takes is the TTL
    return VALUE.get(value, value)


def _setting_value(action: Action) -> str:
    """A configure move's value in words (a retry budget is a share, not seconds)."""
    if action.setting == "budget":
        return budget_words(action.value)
    if action.setting == "shards":
        return shards_words(action.value)
    return value_words(action.value)


def shards_words(value: str | float | bool) -> str:
    """A shard count: "4 shards", "1 shard"."""
    count = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0
    return f"{count} shard{'' if count == 1 else 's'}"


def budget_words(value: str | float | bool) -> str:
    """A retry budget: "10% of first attempts", or "no budget" (0)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return "no budget"
    return f"{value:.0%} of first attempts"


def seconds(value: float) -> str:
    return f"{value:g} s"


# -- moves --------------------------------------------------------------------------------------


def command(action: Action) -> str:
    """A move as a command: "Add web server M", "Resize web-3 to L", "Set cache TTL = 60 s"."""
    if action.verb == "add":
        return f"Add {kind_title(action.kind).lower()} {action.size}"
    if action.verb == "resize":
        return f"Resize {action.target} to {action.size}"
    if action.verb == "configure":
        setting = SETTING.get(action.setting, action.setting)
        return f"Set {action.target} {setting} = {_setting_value(action)}"
    if action.verb == "rule":
        return move_words(action)
    return f"{action.verb.capitalize()} {action.target}"


def advice_words(action: Action) -> str:
    """A remedy in a sentence: "add a web server", "resize box-1 to M"."""
    if action.verb == "add":
        return f"add {a_kind(action.kind)}"
    if action.setting == "shards":
        return f"shard the primary into {shards_words(action.value)}"
    return command(action)[0].lower() + command(action)[1:]


def label(move: MovePreview, view: SiteView | None = None) -> str:
    """A move on a button: "L · 4/tick", "remove", "TTL 60 s", "use round robin"."""
    action = move.action
    if action.verb == "add":
        return f"{action.size} · {numbers.money(move.cost_change)}/tick"
    if action.verb == "resize":  # what it takes down is said once for its row: `downtime`
        return f"{action.size} · {numbers.signed_money(move.cost_change)}/tick"
    if action.verb == "promote":
        return "promote to primary"
    if action.verb == "rule":
        if action.rule is None:
            return "clear rule"
        has_rule = view is not None and view.rule(action.kind) is not None
        return "change rule…" if has_rule else "set a rule…"
    if action.verb != "configure":
        return action.verb
    value = action.value
    if action.setting == "ttl":
        return f"TTL {value_words(value)}"
    if action.setting == "eviction":
        return f"evict {value_words(value)}"
    if action.setting == "invalidate_on_write":
        return "invalidate on write" if value else "stop invalidating"
    if action.setting == "algorithm":
        return f"use {value_words(value)}"
    if action.setting == "shed":
        return "shed load" if value else "stop shedding"
    if action.setting == "budget":
        shown = "none" if budget_words(value) == "no budget" else f"{float(value):.0%}"
        return f"client update: budget {shown}"
    if action.setting == "policy":
        return f"client update: {value_words(value)}"
    if action.setting == "shards":
        shards = shards_words(value)
        return "back to one primary" if shards == "1 shard" else f"shard into {shards.split()[0]}"
    return f"switch to {value_words(value)} {SETTING.get(action.setting, action.setting)}"


def price(move: MovePreview, view: SiteView | None = None, *, named: bool = True) -> str:
    """What a move costs before it is made, as the engine prices it: "+7.2/tick · database
    down 60 s", "+1/tick · serves in 30 s", "-2/tick", "writes fail for 10 s". `named=False`
    leaves out which component goes down (the inspector shows one already)."""
    parts = []
    if move.each_added:  # a rule costs nothing itself: each server it adds does, once added
        each = f"each server it adds {numbers.signed_money(move.each_added)}/tick"
        return f"{each}, serves {seconds(move.ready_in)} after"
    if move.cost_change:
        parts.append(f"{numbers.signed_money(move.cost_change)}/tick")
    if move.outage and move.out_of_service:
        parts.append(_outage(move, view, named))
    elif move.ready_in:
        parts.append(f"serves in {seconds(move.ready_in)}")
    return " · ".join(parts) or "no cost, at once"


def downtime(move: MovePreview, view: SiteView | None = None, *, named: bool = True) -> str:
    """What a move takes out of service and for how long ("down 30 s"), "" for nothing."""
    return _outage(move, view, named) if move.outage and move.out_of_service else ""


def _outage(move: MovePreview, view: SiteView | None, named: bool) -> str:
    what = move.out_of_service
    if what == "writes":
        return f"writes fail for {seconds(move.outage)}"
    if what == SHARDS_SLOWED:
        share = numbers.percent(catalog.RESHARD_CAPACITY_SHARE)
        return f"keys move {seconds(move.outage)}: shards at {share} capacity"
    node = view.node(what) if view is not None else None
    if what == "the data tier" or (named and node is not None and node.kind == "primary"):
        return f"{DATA_TIER} down {seconds(move.outage)}"
    return f"{what} down {seconds(move.outage)}" if named else f"down {seconds(move.outage)}"


def priced(move: MovePreview, view: SiteView | None = None) -> str:
    """A move and its price in one line: "Resize db-1 to XL · +7.2/tick · database down 60 s";
    a move the engine would refuse, with its reason."""
    if move.refusal:
        return f"{move_words(move.action)}: {move.refusal}"
    return f"{move_words(move.action)} · {price(move, view)}"


def move_words(action: Action, made: str = "", *, done: bool = False) -> str:
    """A move in a sentence, as asked ("Add a web server (M)") or as done ("Added a web server
    web-3 (M)", "Set cache invalidation on write: on"). A kind that comes in one size (a
    balancer, a CDN) is named without one; `made` is the id of the component an add made."""
    verb = action.verb
    if verb == "add":
        sized = len(catalog.KINDS[action.kind].sizes) > 1 if action.kind in catalog.KINDS else True
        what = a_kind(action.kind) if action.kind in catalog.KINDS else action.kind
        what += f" {made}" if made else ""
        what += f" ({action.size})" if sized else ""
        return f"{'Added' if done else 'Add'} {what}"
    if verb == "resize":
        return f"{'Resized' if done else 'Resize'} {action.target} to {action.size}"
    if verb == "configure":
        setting = SETTING.get(action.setting, action.setting)
        return f"Set {action.target} {setting}: {_setting_value(action)}"
    if verb == "promote":
        return f"{'Promoted' if done else 'Promote'} {action.target} to primary"
    if verb == "remove":
        return f"{'Removed' if done else 'Remove'} {action.target}"
    if verb == "rule":
        pool = RULE_POOL.get(action.kind, action.kind)
        if action.rule is None:
            return f"{'Cleared' if done else 'Clear'} the scale rule of the {pool}"
        return f"Set the scale rule of the {pool}: {action.rule.describe()}"
    return f"{verb.capitalize()} {action.target}"


def described(text: str) -> Action | None:
    """The move an engine log line names (`Action.describe()`: "add web M", "resize db-1 to
    XL", "set cache ttl = 60.0", "remove web-2"), or None if it names none."""
    verb, _, rest = text.partition(" ")
    words = rest.split(" ")
    if verb == "add" and len(words) == 2:
        return Action(0, "add", kind=words[0], size=words[1])
    if verb == "resize" and len(words) == 3 and words[1] == "to":
        return Action(0, "resize", target=words[0], size=words[2])
    if verb == "set" and len(words) == 4 and words[2] == "=":
        return Action(0, "configure", target=words[0], setting=words[1], value=_value(words[3]))
    if verb in ("remove", "promote") and len(words) == 1:
        return Action(0, verb, target=words[0])
    return None


def _value(word: str) -> str | float | bool:
    if word in ("True", "False"):
        return word == "True"
    try:
        return float(word)
    except ValueError:
        return word


def event_words(kind: str, component: str, text: str) -> str:
    """An event of the engine's log in the player's words: a move carried out or refused is
    said as `move_words` says it; other events keep the engine's words."""
    if kind not in ("action", "refused"):
        return text
    named, _, reason = text.partition(": ")
    action = described(named)
    if action is None:
        return text
    if kind == "refused":
        return f"{move_words(action)}: {reason}"
    made = component if action.verb == "add" else ""
    return move_words(action, made, done=True)


def move_id(action: Action) -> str:
    """A name for a move that a widget id can carry: "resize-L", "remove", "ttl-60"."""
    if action.verb == "rule":
        return "rule" if action.rule is not None else "rule-clear"
    if action.verb == "resize":
        return f"resize-{action.size}"
    if action.verb == "add":
        return f"add-{action.kind}-{action.size}"
    if action.verb != "configure":
        return action.verb
    if action.setting in ("ttl", "budget"):
        return f"{action.setting}-{float(action.value):g}".replace(".", "_")
    if action.setting == "invalidate_on_write":
        return "invalidate"
    if action.setting == "shards":
        return f"shards-{int(float(action.value))}"
    prefix = {"eviction": "evict"}.get(action.setting, action.setting)
    return f"{prefix}-{action.value}"


# -- the event log ------------------------------------------------------------------------------

EVENT_BADGES: Mapping[str, str] = MappingProxyType(
    {
        "refused": "REFUSED",
        "failed": "failed",
        "failover": "failover",
        "promoted": "promoted",
        "booted": "up",
        "moved": "moved",
        "action": "you",
        "rule": "rule",
        "signed_out": "signed out",
    }
)

# -- scores -------------------------------------------------------------------------------------


def metric_label(metric: str, percentile: int | None = None) -> str:
    """A score's name as a heading: "availability", "p95 latency", "cost"."""
    return METRICS[metric].label(percentile)
