"""Which moves are a level's lesson, so the adversary can play the level without them.

Each curriculum concept names the moves that apply it (LESSON_MOVES, data). A level refines
that with its own counter-solutions: a move the author's counter for the concept makes, and the
reference does not, is by the author's word a move of a player who has NOT learned the lesson
(fresh-enough's counter caches for an hour: a TTL of 3600 is not the sensible TTL it teaches).
A concept the table does not know gets its lesson from the level's solutions: the reference's
moves that its counter-solutions for the concept lack.

A scale rule is a move like any other: "autoscaling" is setting one, and a counter's rule (one
whose line sits too close to full, say) is excepted exactly, every number of it.

One concept is about the shape of the build rather than a move: cache-spof is learned when the
cache tier ends up with several nodes and none holds most of its memory (SPREAD_KINDS); one big
node added beside a small one is still a single point of failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from game.engine import catalog
from game.engine.actions import Action, ScaleRule
from game.engine.topology import ID_PREFIX

CATALOGUED = "catalogued"
DERIVED = "derived from the level's solutions"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Move:
    """A kind of move. `kind` is the kind added, the kind of a resized, removed or promoted
    component, the pool of a rule, or the target of a configure (cache, balancer, database);
    None matches any, and so do an empty `setting`, a None `value` and an empty `size`. A rule
    move matches only a rule that is set (clearing one applies nothing), and with `rule` only
    that very rule."""

    verb: str
    kind: str | None = None
    setting: str = ""
    value: str | float | bool | None = None
    size: str = ""
    rule: ScaleRule | None = None

    def matches(self, action: Action, kind: str) -> bool:
        return (
            action.verb == self.verb
            and (self.kind is None or kind == self.kind)
            and (not self.setting or action.setting == self.setting)
            and (self.value is None or _same(action.value, self.value))
            and (not self.size or action.size == self.size)
            and (action.verb != "rule" or action.rule is not None)
            and (self.rule is None or action.rule == self.rule)
        )

    def describe(self) -> str:
        what = {
            "configure": "set",
            "add": "add",
            "resize": "resize",
            "remove": "remove",
            "rule": "scale rule",
        }
        words = [what.get(self.verb, self.verb)]
        if self.kind:
            words.append(self.kind)
        if self.setting:
            words.append(self.setting)
        if self.value is not None:
            words.append(f"= {_shown(self.value)}")
        if self.size:
            words.append(self.size if self.verb == "add" else f"to {self.size}")
        if self.rule is not None:
            words.append(f"({self.rule.describe()})")
        return " ".join(words)


# concept -> the moves that apply it (read with curriculum.md: "what the level makes the player
# feel" says what withholding it means).
LESSON_MOVES: Mapping[str, tuple[Move, ...]] = MappingProxyType(
    {
        "single-server": (Move("resize", "box"),),  # size the one box to its crowd
        "tier-split": (Move("add", "primary"),),
        "vertical-scaling": (Move("resize"),),
        "dns": (Move("add", "balancer"),),
        "horizontal-scaling": (Move("add", "web"),),
        "load-balancer": (Move("add", "balancer"), Move("add", "web")),  # a pool behind it
        "balancer-spof": (Move("add", "balancer"),),  # a standby beside the active one
        "replication": (Move("add", "replica"),),
        "failover": (Move("add", "replica"), Move("promote")),
        "cache-tier": (Move("add", "cache"),),
        "cache-spof": (Move("add", "cache"),),  # and see SPREAD_KINDS
        "cache-expiry": (Move("configure", "cache", "ttl"),),
        "cache-consistency": (Move("configure", "cache", "invalidate_on_write", True),),
        "cache-eviction": (Move("configure", "cache", "eviction"),),
        "cdn": (Move("add", "cdn"),),
        "sql-vs-nosql": (Move("configure", "database", "store", "keyvalue"),),
        "autoscaling": (Move("rule"),),  # a pool's scale rule (a counter's rules excepted)
        "message-queue": (Move("add", "queue"), Move("add", "worker")),  # and workers to drain it
        "stateless-tier": (Move("add", "sessions"),),  # sessions out of the web servers
        "data-centers": (Move("add", "datacenter"),),  # the site again, in another region
        "sharding": (Move("configure", "database", "shards"),),  # keys split over shards
    }
)

# concept -> the tier whose spread is the lesson: it is learned only when that tier has two or
# more nodes and no node holds more than half of the tier's memory.
SPREAD_KINDS: Mapping[str, str] = MappingProxyType({"cache-spof": "cache"})
SPREAD_SHARE = 0.5
_NEAR = {"database": ("database", "primary", "replica"), "primary": ("primary", "replica")}


@dataclass(frozen=True, slots=True)
class Lesson:
    """What applying one concept means in one level."""

    concept: str
    moves: tuple[Move, ...]
    excepted: tuple[Move, ...] = ()  # exact moves of the level's counters that do not count
    spread: str = ""  # a kind whose tier must be spread (SPREAD_KINDS)
    source: str = CATALOGUED

    @property
    def known(self) -> bool:
        return bool(self.moves)

    def touches(self, action: Action, kinds: Mapping[str, str]) -> bool:
        """Whether a move is on a kind the lesson's moves are on (the database's settings are
        on its primary and replicas): the likeliest stand-ins for the lesson."""
        near = set()
        for move in self.moves:
            near.update(_NEAR.get(move.kind, (move.kind,)) if move.kind else ("",))
        return "" in near or kind_of(action, kinds) in near

    def uses(self, action: Action, kinds: Mapping[str, str]) -> bool:
        """Whether one move is of the lesson (for a spread lesson: of the tier it spreads)."""
        kind = kind_of(action, kinds)
        if any(m.matches(action, kind) for m in self.excepted):
            return False
        return any(m.matches(action, kind) for m in self.moves)

    def withheld(
        self, actions: Sequence[Action], start: Sequence[Node], made: Sequence[str] = ()
    ) -> bool:
        """Whether these moves never apply the lesson: a plan made in full, or the moves a run
        accepted, with `made` the ids of the components they added (when known)."""
        kinds = known_kinds(start)
        if self.spread:
            return not spread(self.spread, start, actions, made)
        return not any(self.uses(a, kinds) for a in actions)

    def without(self, actions: Sequence[Action], start: Sequence[Node]) -> tuple[Action, ...]:
        """The plan with the lesson's moves taken out."""
        kinds = known_kinds(start)
        return tuple(a for a in actions if not self.uses(a, kinds))

    def describe(self) -> str:
        if not self.known:
            return f"{self.concept}: no lesson moves ({self.source})"
        text = f"{self.concept}: " + ", ".join(m.describe() for m in self.moves)
        if self.spread:
            text += (
                f" (learned only when the {self.spread} tier ends with 2+ nodes, none holding"
                f" more than {SPREAD_SHARE:.0%} of its memory)"
            )
        if self.excepted:
            text += "; not counting " + ", ".join(m.describe() for m in self.excepted)
            text += " (the level's counters make them)"
        return f"{text} [{self.source}]"


@dataclass(frozen=True, slots=True)
class Node:
    """A component of the starting build: its id, kind and size."""

    id: str
    kind: str
    size: str


def lesson_for(
    concept: str,
    reference: Sequence[Action],
    counters: Iterable[Sequence[Action]],
    start: Sequence[Node],
) -> Lesson:
    """The lesson of `concept` in a level with this reference and these counter-solutions for
    the concept."""
    kinds = known_kinds(start)
    counter_moves = [a for counter in counters for a in counter]
    if concept not in LESSON_MOVES:
        return _derived(concept, reference, counter_moves, kinds)
    moves = LESSON_MOVES[concept]
    ref = {_exact(a, kinds) for a in reference}
    excepted: list[Move] = []
    for action in counter_moves:
        exact = _exact(action, kinds)
        used = any(m.matches(action, kind_of(action, kinds)) for m in moves)
        if used and exact not in ref and exact not in excepted:
            excepted.append(exact)
    return Lesson(concept, moves, tuple(excepted), SPREAD_KINDS.get(concept, ""))


def _derived(
    concept: str, reference: Sequence[Action], counter_moves: list[Action], kinds: dict[str, str]
) -> Lesson:
    """The reference's moves that no counter-solution for the concept makes: each as broad as
    it can be (verb, kind, setting) while no counter's move matches it, else exact."""
    if not counter_moves:
        why = "the level has no counter-solution (with moves) for it"
        return Lesson(concept, (), source=f"{UNKNOWN}: {why}")
    counter_exact = {_exact(a, kinds) for a in counter_moves}
    moves: list[Move] = []
    for action in reference:
        exact = _exact(action, kinds)
        if exact in counter_exact:
            continue
        broad = Move(action.verb, kind_of(action, kinds), action.setting)
        if any(broad.matches(a, kind_of(a, kinds)) for a in counter_moves):
            broad = exact
        if broad not in moves:
            moves.append(broad)
    if not moves:
        why = "its counter-solutions make the reference's moves (only their timing differs)"
        return Lesson(concept, (), source=f"{UNKNOWN}: {why}")
    return Lesson(concept, tuple(moves), source=DERIVED)


def _exact(action: Action, kinds: Mapping[str, str]) -> Move:
    """The move exactly: verb, kind, setting, value, size and rule (numbers as floats)."""
    sized = action.verb in ("add", "resize")
    value = action.value if action.verb == "configure" else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    rule = action.rule if action.verb == "rule" else None
    return Move(
        action.verb,
        kind_of(action, kinds),
        action.setting,
        value,
        action.size if sized else "",
        rule,
    )


# -- what a plan builds ---------------------------------------------------------------------------

_KIND_OF_PREFIX = {prefix: kind for kind, prefix in ID_PREFIX.items()}


def kind_of(action: Action, kinds: Mapping[str, str]) -> str:
    """The kind a move is about: added, resized/removed/promoted, configured, or a rule's pool."""
    if action.verb in ("add", "rule"):
        return action.kind
    if action.verb == "configure":
        return action.target
    return kinds.get(action.target) or _KIND_OF_PREFIX.get(action.target.rpartition("-")[0], "")


def known_kinds(start: Sequence[Node]) -> dict[str, str]:
    """Component id -> kind for the starting build (ids of added components follow the engine's
    naming, <prefix>-<n>, which kind_of reads)."""
    return {node.id: node.kind for node in start}


def spread(
    kind: str, start: Sequence[Node], actions: Sequence[Action], made: Sequence[str] = ()
) -> bool:
    """Whether, after these moves, the tier of `kind` has two or more nodes and none holds
    more than SPREAD_SHARE of its memory (items for a cache, else capacity). `made`: the ids
    of the components the moves added, where known (a plan not yet run only knows the start's)."""
    sizes = {node.id: node.size for node in start if node.kind == kind}
    made = list(made) + [""] * (len(actions) - len(made))
    for i, (action, made_id) in enumerate(zip(actions, made)):
        if action.verb == "add" and action.kind == kind:
            sizes[made_id or f"+{i}"] = action.size
        elif action.verb == "resize" and action.target in sizes:
            sizes[action.target] = action.size
        elif action.verb == "remove" and action.target in sizes:
            del sizes[action.target]
    spec = catalog.KINDS[kind]
    amounts = [spec.items.get(s) or spec.sizes[s].capacity for s in sizes.values()]
    total = sum(amounts)
    return len(amounts) >= 2 and max(amounts) <= SPREAD_SHARE * total + 1e-9


def move_text(action: Action) -> str:
    """A move in a player's words, its value written as in a level file (ttl = 3600, true)."""
    if action.verb == "configure":
        return f"set {action.target} {action.setting} = {_shown(action.value)}"
    return action.describe()


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
