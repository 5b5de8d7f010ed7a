"""The architecture map's column for the data centres, right after DNS, where users are in
several regions.

    users    data centres
    └▶DNS ─190/s─▶ ● DC us: up, 40 ms · 60%
                   ✖ DC eu: down (dc-1)

One line per data centre: the home one (the site as built) first, then each mirror the player
built, in its region. Its state (up, down, building), the round trip from its own region's users
and the share of all users DNS sent it this tick. A mirror's line selects its component. Every
figure comes from the engine's view (`DatacenterView`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from game.engine import catalog
from game.engine.datacenters import BUILDING, DOWN, UP, DatacenterView
from game.engine.topology import BOOTING, FAILED, HEALTHY
from game.engine.view import NodeView, SiteView
from game.ui import numbers
from game.ui.widgets import states
from game.ui.widgets.job_column import LABEL_STYLE

TITLE = "data centres"
_STATE = {UP: HEALTHY, DOWN: FAILED, BUILDING: BOOTING}


def line(dc: DatacenterView, ascii: bool = False) -> Text:
    """ "● DC us: up, 40 ms · 60%": one data centre."""
    text = states.glyph(states.node_look(_STATE[dc.state], None), ascii)
    text.append(f" DC {dc.region}: {dc.state}, {dc.rtt_ms:.0f} ms")
    if dc.state == UP:
        text.append(f" · {numbers.percent(dc.share)}")
    if dc.node_id:
        text.append(f" ({dc.node_id})", style=LABEL_STYLE)
    return text


def column(
    view: SiteView, cell: Callable[..., object], selects: dict[str, str], ascii: bool = False
) -> tuple[str, list] | None:
    """The column's title and cells (None: the level's users are in one region); a mirror's
    line selects its component (entered in `selects`, item key -> node id)."""
    if not view.datacenters:
        return None
    for dc in view.datacenters:
        if dc.node_id:
            selects[dc.node_id] = dc.node_id
    return TITLE, [cell(line(dc, ascii), dc.node_id or None) for dc in view.datacenters]


def describe(node: NodeView, view: SiteView) -> Sequence[Text]:
    """The inspector's lines about a second data centre (none for another component)."""
    dc = next((d for d in view.datacenters if d.node_id == node.id), None)
    if node.kind not in catalog.DATACENTER_KINDS or dc is None:
        return ()
    share = catalog.MIRROR_COST_SHARE
    first = Text(f"a copy of the whole site in {dc.region}, {dc.rtt_ms:.0f} ms from its users")
    first.append(f" · costs {share:g}× the rest of the site", style=LABEL_STYLE)
    if dc.state == UP:
        second = Text(f"serves {numbers.percent(dc.share)} of all users this tick")
    elif dc.state == DOWN:
        second = Text("dark: DNS sends its users to the other data centre", style=LABEL_STYLE)
    else:
        second = Text("being built: DNS sends it nobody yet", style=LABEL_STYLE)
    return (first, second)
