"""The architecture map's column for the users' sessions, right after the web servers.

    ─80/s─▶ sessions 4%                 ─▶ sessions
            held here                      sticky: in web memory
            ● sessions-1 S ▇░░░            25% signed out

Where the level's users sign in, the column says where their sessions live: in a session store
(its nodes, and the arrow carries the lookups per second the web tier made of it) or, sticky,
in the web servers' memory. While users whose session was lost are signing in again it says
which share of them. Every figure comes from the engine's view (`SessionsView`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from game.engine.sessions import STORE
from game.engine.topology import HEALTHY
from game.engine.view import SiteView
from game.ui import numbers
from game.ui.widgets.job_column import LABEL_STYLE, WARN_STYLE, Cells, PoolCells
from game.ui.words import KIND_SHORT

STICKY = "sticky: in web memory"  # the sessions live in the web servers
HELD = "held here"  # the sessions live in the store
SIGNED_OUT = "signed out"  # after the share of session users signed out now


def column(
    view: SiteView,
    node_cells: Cells,
    pool_cells: PoolCells,
    label: Callable[[Text], object],
) -> tuple[str, list, float | None] | None:
    """The column's title, its cells and the lookups per second into it (None: the level's
    users do not sign in)."""
    spec = view.sessions
    if spec is None:
        return None
    store = list(view.of_kind(STORE))
    tier = view.tiers.get(STORE)
    title = KIND_SHORT[STORE]
    if tier is not None and tier.servers:
        title += f" {numbers.percent(tier.utilization)}"
    cells: list = [label(Text(HELD if spec.held_by == STORE else STICKY, style=LABEL_STYLE))]
    if spec.signed_out > 0:
        cells.append(label(signed_out_line(spec.signed_out)))
    cells += pool_cells(STORE, store) if store else []
    return title, cells, tier.offered if tier is not None else None


def signed_out_line(share: float) -> Text:
    """ "25% signed out": the session users who lost theirs and are signing in again."""
    return Text(f"{numbers.percent(share)} {SIGNED_OUT}", style=WARN_STYLE)


def describe(kind: str, view: SiteView) -> Sequence[Text]:
    """The inspector's line about the sessions, for a session store node (none otherwise)."""
    spec = view.sessions
    if kind != STORE or spec is None:
        return ()
    nodes = [n for n in view.of_kind(STORE) if n.state == HEALTHY]
    if spec.held_by != STORE or not nodes:
        return (Text("holds no sessions now: they live in the web servers", style=WARN_STYLE),)
    share = 1 / len(nodes)
    line = Text(f"holds {numbers.percent(share)} of the users' sessions: losing it signs them out")
    line.append(f" for {spec.relogin_s:g} s", style=LABEL_STYLE)
    return (line,)
