"""The player's words for everything the screens name: one thing, one name, everywhere.

    kinds       Web server / web / a web server      kind_title, KIND_SHORT, a_kind
    tiers       web tier, read replicas, key-value store, single box    TIER
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
from game.engine.view import LOOKUPS, QUERY_UNITS, REQUESTS, MovePreview, SiteView
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
    }
)
DATA_TIER = "database"  # the primary and its replicas together
KEYVALUE_TIER = TIER["keyvalue"]

# What a component's capacity counts (NodeView.unit), per second.
UNIT: Mapping[str, str] = MappingProxyType(
    {REQUESTS: "requests/s", QUERY_UNITS: "query units/s", LOOKUPS: "lookups/s"}
)

# -- settings -----------------------------------------------------------------------------------

SETTING: Mapping[str, str] = MappingProxyType(
    {
        "ttl": "TTL",
        "eviction": "eviction",
        "invalidate_on_write": "invalidate on write",
        "algorithm": "algorithm",
        "store": "store",
    }
)
VALUE: Mapping[str, str] = MappingProxyType(
    {
        "round_robin": "round robin",
        "least_connections": "least connections",
        "relational": "relational",
        "keyvalue": "key-value",
        **{eviction: eviction.upper() for eviction in catalog.EVICTIONS},
    }
)


def value_words(value: str | float | bool) -> str:
    """A setting's value: "round robin", "key-value", "LFU", "60 s" (a TTL), "yes"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return seconds(value)  # the one number a setting takes is the TTL
    return VALUE.get(value, value)


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
        return f"Set {action.target} {setting} = {value_words(action.value)}"
    return f"{action.verb.capitalize()} {action.target}"


def advice_words(action: Action) -> str:
    """A remedy in a sentence: "add a web server", "resize box-1 to M"."""
    if action.verb == "add":
        return f"add {a_kind(action.kind)}"
    return command(action)[0].lower() + command(action)[1:]


def label(move: MovePreview, view: SiteView | None = None) -> str:
    """A move on a button: "L · 4/tick", "remove", "TTL 60 s", "use round robin"."""
    action = move.action
    if action.verb == "add":
        return f"{action.size} · {numbers.money(move.cost_change)}/tick"
    if action.verb == "resize":
        node = view.node(action.target) if view is not None else None
        cost = move.cost_change + (node.cost if node is not None else 0.0)
        return f"{action.size} · {numbers.money(cost)}/tick"
    if action.verb == "promote":
        return "promote to primary"
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
    return f"switch to {value_words(value)} {SETTING.get(action.setting, action.setting)}"


def move_id(action: Action) -> str:
    """A name for a move that a widget id can carry: "resize-L", "remove", "ttl-60"."""
    if action.verb == "resize":
        return f"resize-{action.size}"
    if action.verb == "add":
        return f"add-{action.kind}-{action.size}"
    if action.verb != "configure":
        return action.verb
    if action.setting == "ttl":
        return f"ttl-{float(action.value):g}".replace(".", "_")
    if action.setting == "invalidate_on_write":
        return "invalidate"
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
    }
)

# -- scores -------------------------------------------------------------------------------------


def metric_label(metric: str, percentile: int | None = None) -> str:
    """A score's name as a heading: "availability", "p95 latency", "cost"."""
    return METRICS[metric].label(percentile)
