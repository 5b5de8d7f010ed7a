"""The site drawn left to right, the way a request travels through it.

    users
    └▶DNS ─1.2k/s─▶ CDN ──▶ balancer ─980/s─▶ web ─610/s─▶ cache ─90/s─▶ database

Each component is one line: its state as a glyph and a colour (see `states`), its id, its size
and a small load bar. A pool is drawn server by server while the map fits its max-height; past
that, a pool larger than `pool_rows` collapses to one summary line (`web ×40 ●38 ◌2 ✖0 ▇▇▇░
71%`), so a thousand servers take one line. Columns too wide wrap into bands; a band that
continues the flow starts with `↳`.

The arrows carry the requests per second that reached the next tier this tick (the report);
the rest is the engine's view (`NodeView`): each component's state, load and whether it takes
traffic (without a balancer DNS sends everyone to one server); a pool a scale rule runs says so
in its title (`web 57% · rule`). The data centres follow DNS (`datacenter_column`), sessions the
web tier (`session_column`); a message queue and its workers come last (`job_column`).

Feed it `show(view)` (a `SiteView`). Arrow keys move the highlight; enter or a click posts
`ArchitectureMap.NodeSelected(node_id)` (for a collapsed pool, its oldest component).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from game.engine import catalog
from game.engine.topology import BOOTING, FAILED, HEALTHY
from game.engine.view import NodeView, SiteView
from game.ui import numbers
from game.ui.widgets import datacenter_column, job_column, session_column, states
from game.ui.words import DATA_TIER, KEYVALUE_TIER, KIND_SHORT, TIER

POOL_ROWS = 6  # a pool with more components than this is drawn as one summary line
ID_WIDTH = 12  # longer ids are cut with an ellipsis
BAR_CELLS = 4  # width of a component's load bar

TITLE_STYLE = Style(bold=True)
LABEL_STYLE = Style(dim=True, italic=True)
ARROW_STYLE = Style(color="bright_black")
FLOW_STYLE = Style(color="cyan")
CURSOR_STYLE = Style(reverse=True)

WEB_COLUMN = ("box", "web")  # the kinds drawn in the web column
DATA_TIERS = ("primary", "replicas", "keyvalue")  # the tiers of the data column
RULED = " · rule"  # after the title of a pool a scale rule runs


@dataclass(slots=True)
class _Cell:
    text: Text
    key: str | None = None  # the selectable item this line is (node id or "pool:<kind>")


@dataclass(slots=True)
class _Column:
    title: str
    cells: list[_Cell]
    arrow: Text | None  # the arrow leading into this column; None for the first

    @property
    def width(self) -> int:
        return max([len(self.title)] + [c.text.cell_len for c in self.cells])


@dataclass(slots=True)
class _Layout:
    lines: list[Text] = field(default_factory=list)
    hits: list[tuple[int, int, int, str]] = field(default_factory=list)  # y, x0, x1, key


class ArchitectureMap(Widget, can_focus=True):
    """The site's components and the request flow between them."""

    DEFAULT_CSS = Path(__file__).with_name("architecture_map.tcss").read_text(encoding="utf-8")

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous", show=False),
        Binding("down", "cursor(1)", "Next", show=False),
        Binding("left", "column(-1)", "Previous tier", show=False),
        Binding("right", "column(1)", "Next tier", show=False),
        Binding("enter", "select", "Inspect", show=False),
    ]

    @dataclass
    class NodeSelected(Message):
        """The player picked a component on the map."""

        node_id: str

    cursor: reactive[str | None] = reactive(None, layout=False)
    """Key of the highlighted item: a node id, or "pool:<kind>" for a collapsed pool."""

    def __init__(
        self,
        *,
        pool_rows: int = POOL_ROWS,
        ascii: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.pool_rows = pool_rows
        self._rows = pool_rows  # the pool size drawn server by server now (see _fit_pools)
        self.ascii = ascii
        self._view: SiteView | None = None
        self._columns: list[_Column] = []
        self._keys: list[str] = []  # selectable items, in drawing order
        self._column_keys: list[list[str]] = []
        self._node_of: dict[str, str] = {}  # item key -> node id to post
        self._drawn: tuple[int, str | None, bool, _Layout] | None = None
        self._fitted: tuple[object, int] = (None, pool_rows)  # (what the fit saw, its rows)

    # -- feeding it ---------------------------------------------------------------------------

    def show(self, view: SiteView) -> None:
        """Draw the site as the engine's view of it after the last tick."""
        lines_before = len(self._drawn[3].lines) if self._drawn is not None else -1
        self._view = view
        self._fit_pools()
        if self._keys and self.cursor not in self._node_of:
            self.cursor = self._keys[0]
        elif not self._keys:
            self.cursor = None
        # A new layout only when the map grows or shrinks, not for each tick's new numbers.
        self.refresh(layout=len(self._layout(self._width()).lines) != lines_before)

    @property
    def item_keys(self) -> list[str]:
        """The selectable items in drawing order (node ids, "pool:<kind>" for collapsed pools)."""
        return list(self._keys)

    def node_for(self, key: str) -> str | None:
        """The node id that selecting the item `key` posts."""
        return self._node_of.get(key)

    def region_of(self, key: str) -> tuple[int, int, int] | None:
        """Where item `key` is drawn at the current width: (row, first column, end column)."""
        for y, x0, x1, hit in self._layout(self._width()).hits:
            if hit == key:
                return y, x0, x1
        return None

    # -- building the picture -----------------------------------------------------------------

    def _fit_pools(self) -> None:
        """Draw pools server by server while the map fits the height it may take; past that,
        pools larger than `pool_rows` collapse to summary lines, then smaller ones as needed."""
        room, view = self._room(), self._view
        # Made again only when the room, the width or the nodes change, not every tick.
        kinds = tuple(n.kind for n in view.nodes) if view is not None else ()
        key = (room, self._width(), self.pool_rows, kinds)
        if key != self._fitted[0]:
            rows = self.pool_rows
            for tried in (room, *range(self.pool_rows, 0, -1)):
                self._rows, self._drawn = tried, None
                self._build_columns()
                if len(self._pack(max(self._width(), 1)).lines) <= room:
                    rows = tried
                    break
            self._fitted = (key, rows)
        self._rows, self._drawn = self._fitted[1], None
        self._build_columns()

    def _room(self) -> int:
        """The most lines the map may take (its max-height), or `pool_rows` with no such cap."""
        cap = self.styles.max_height
        if cap is None or not self.is_attached or self.parent is None:
            return self.pool_rows
        lines = int(cap.resolve(self.parent.size, self.app.size))
        return max(lines - self.styles.gutter.height, self.pool_rows)

    def _build_columns(self) -> None:
        view = self._view
        self._node_of = {}
        if view is None:
            self._columns, self._column_keys, self._keys = [], [], []
            return
        report, tiers = view.report, view.tiers
        by_kind: dict[str, list[NodeView]] = {}
        for node in view.nodes:
            by_kind.setdefault(node.kind, []).append(node)
        columns: list[_Column] = []
        demand = report.rps if report is not None else None
        into_dns = "->" if self.ascii else "└▶"
        columns.append(_Column("users", [_Cell(Text(f"{into_dns}DNS", style=TITLE_STYLE))], None))
        if regions := datacenter_column.column(view, _Cell, self._node_of, self.ascii):
            columns.append(_Column(*regions, self._arrow(demand)))
        labelled = bool(regions)  # the first arrow after DNS carries the site's demand
        if by_kind.get("cdn"):
            cells = self._node_cells(by_kind["cdn"])
            columns.append(_Column(KIND_SHORT["cdn"], cells, self._arrow(demand)))
            labelled = True
        if by_kind.get("balancer"):
            into = None if labelled else demand
            cells = self._node_cells(by_kind["balancer"])
            columns.append(_Column(KIND_SHORT["balancer"], cells, self._arrow(into)))
            labelled = True
        web_nodes = [n for n in view.nodes if n.kind in WEB_COLUMN]
        if web_nodes:
            web_tier = tiers.get("box") or tiers.get("web")
            into = web_tier.offered if web_tier is not None else None
            if not labelled and into is None:
                into = demand
            on_box = view.store_on_box and any(n.kind == "box" for n in web_nodes)
            title = TIER["box"] if on_box else KIND_SHORT["web"]
            if web_tier is not None and web_tier.servers:
                title += f" {numbers.percent(web_tier.utilization)}"
                healthy = sum(n.state == HEALTHY for n in web_nodes)
                in_use = sum(n.in_rotation for n in web_nodes)
                if in_use < healthy:  # without a balancer DNS sends everyone to one server
                    title += f" · {in_use}/{healthy} in use"
            if view.rule("web") is not None:
                title += RULED
            columns.append(_Column(title, self._pool_cells("web", web_nodes), self._arrow(into)))
        if sessions := session_column.column(view, self._node_cells, self._pool_cells, _Cell):
            columns.append(_Column(sessions[0], sessions[1], self._arrow(sessions[2])))
        if by_kind.get("cache"):
            cache_tier = tiers.get("cache")
            title = KIND_SHORT["cache"]
            if report is not None and report.cache_hit_ratio is not None:
                title += f" hit {numbers.percent(report.cache_hit_ratio)}"
            into = cache_tier.offered if cache_tier is not None else None
            cells = self._pool_cells("cache", by_kind["cache"])
            columns.append(_Column(title, cells, self._arrow(into)))
        primaries, replicas = by_kind.get("primary", []), by_kind.get("replica", [])
        if primaries or replicas:
            data_tiers = [tiers[n] for n in DATA_TIERS if n in tiers]
            into = sum(t.offered for t in data_tiers) if data_tiers else None
            cells: list[_Cell] = []
            if primaries:
                cells.append(_Cell(Text(KIND_SHORT["primary"], style=LABEL_STYLE)))
                cells += self._node_cells(primaries)
            if replicas:
                ruled = RULED if view.rule("replica") is not None else ""
                cells.append(_Cell(Text("replicas" + ruled, style=LABEL_STYLE)))
                cells += self._pool_cells("replica", replicas)
            title = KEYVALUE_TIER if view.settings.store == "keyvalue" else DATA_TIER
            columns.append(_Column(title, cells, self._arrow(into)))
        if jobs := job_column.column(view, self._node_cells, self._pool_cells, _Cell):
            columns.append(_Column(jobs[0], jobs[1], self._arrow(jobs[2])))
        self._columns = columns
        keys_by_column = ([c.key for c in col.cells if c.key] for col in columns)
        self._column_keys = [keys for keys in keys_by_column if keys]
        self._keys = [key for keys in self._column_keys for key in keys]

    def _arrow(self, amount: float | None) -> Text:
        dash, head = ("-", ">") if self.ascii else ("─", "▶")
        text = Text(dash, style=ARROW_STYLE)
        if amount is not None:
            text.append(numbers.rate(amount), style=FLOW_STYLE)
        text.append(dash + head, style=ARROW_STYLE)
        return text

    def _pool_cells(self, pool: str, nodes: list[NodeView]) -> list[_Cell]:
        """One line per component, or one summary line for a pool too large to list."""
        if len(nodes) <= self._rows:
            return self._node_cells(nodes)
        util = next((n.utilization for n in nodes if n.in_rotation), None)
        counts = {BOOTING: 0, HEALTHY: 0, FAILED: 0}
        for node in nodes:
            counts[node.state] = counts.get(node.state, 0) + 1
        line = Text(f"{KIND_SHORT.get(pool, pool)} ×{len(nodes)} ", style=TITLE_STYLE)
        healthy_look = states.load_look(util) if util is not None else states.HEALTHY_LOOK
        for look, count in (
            (healthy_look, counts[HEALTHY]),
            (states.BOOTING_LOOK, counts[BOOTING]),
            (states.FAILED_LOOK, counts[FAILED]),
        ):
            line.append_text(states.glyph(look, self.ascii))
            line.append(f"{count} ")
        line.append_text(states.load_bar(util, BAR_CELLS, self.ascii))
        line.append(f" {numbers.percent(util)}" if util is not None else " idle")
        key = f"pool:{pool}"
        self._node_of[key] = nodes[0].id
        return [_Cell(line, key)]

    def _node_cells(self, nodes: list[NodeView]) -> list[_Cell]:
        id_width = min(ID_WIDTH, max(Text(n.id).cell_len for n in nodes))
        sized = any(len(catalog.KINDS[n.kind].sizes) > 1 for n in nodes)
        size_width = max(len(n.sized) for n in nodes) if sized else 0
        cells = []
        for node in nodes:
            look = states.node_look(node.state, node.utilization)
            line = states.glyph(look, self.ascii)
            line.append(" ")
            name = Text(node.id, style=states.name_style(look))
            name.truncate(id_width, overflow="ellipsis", pad=True)
            line.append_text(name)
            if sized:
                size = node.sized if len(catalog.KINDS[node.kind].sizes) > 1 else ""
                line.append(" " + size.ljust(size_width))
            if node.unit:  # a queue: its load
                line.append(" ")
                shown = node.utilization if node.state == HEALTHY else None
                line.append_text(states.load_bar(shown, BAR_CELLS, self.ascii))
            self._node_of[node.id] = node.id
            cells.append(_Cell(line, node.id))
        return cells

    # -- laying it out ------------------------------------------------------------------------

    def _width(self) -> int:
        return self.content_size.width or self.size.width or 80

    def _layout(self, width: int) -> _Layout:
        cached = self._drawn
        focused = self.has_focus
        if cached is not None and cached[:3] == (width, self.cursor, focused):
            return cached[3]
        layout = self._pack(max(width, 1))
        self._drawn = (width, self.cursor, focused, layout)
        return layout

    def _pack(self, width: int) -> _Layout:
        """Pack the columns into bands no wider than `width`, and draw them."""
        layout = _Layout()
        if len(self._columns) <= 1:
            layout.lines.append(Text("no components yet", style=LABEL_STYLE))
            return layout
        bands: list[list[_Column]] = [[]]
        used = 0
        for column in self._columns:
            need = self._unit_width(column, first=not bands[-1])
            if bands[-1] and used + 1 + need > width:
                bands.append([])
                need = self._unit_width(column, first=True)
                used = need
            else:
                used += need + (1 if bands[-1] else 0)
            bands[-1].append(column)
        for number, band in enumerate(bands):
            if number:
                layout.lines.append(Text())
            self._draw_band(band, continued=number > 0, layout=layout)
        return layout

    def _unit_width(self, column: _Column, first: bool) -> int:
        arrow = column.arrow.cell_len + 1 if column.arrow is not None else 0
        return arrow + (1 if first and column.arrow is not None else 0) + column.width

    def _draw_band(self, band: list[_Column], continued: bool, layout: _Layout) -> None:
        rows = 1 + max(len(c.cells) for c in band)
        top = len(layout.lines)
        lines = [Text() for _ in range(rows)]
        x = 0
        for index, column in enumerate(band):
            if index:
                for line in lines:
                    line.append(" ")
                x += 1
            if column.arrow is not None:
                arrow = column.arrow
                if index == 0 and continued:
                    arrow = Text(">" if self.ascii else "↳", style=ARROW_STYLE) + arrow
                for row, line in enumerate(lines):
                    line.append_text(arrow if row == 1 else Text(" " * arrow.cell_len))
                    line.append(" ")
                x += arrow.cell_len + 1
            w = column.width
            lines[0].append(column.title.ljust(w), style=TITLE_STYLE)
            for row in range(1, rows):
                cell = column.cells[row - 1] if row - 1 < len(column.cells) else None
                if cell is None:
                    lines[row].append(" " * w)
                    continue
                text = cell.text.copy()
                text.pad_right(w - text.cell_len)
                if cell.key is not None:
                    if cell.key == self.cursor:
                        text.stylize(CURSOR_STYLE if self.has_focus else Style(underline=True))
                    layout.hits.append((top + row, x, x + w, cell.key))
                lines[row].append_text(text)
            x += w
        for line in lines:
            line.rstrip()
        layout.lines.extend(lines)

    # -- Textual hooks ------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width).lines)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((line.cell_len for line in self._layout(container.width).lines), default=1)

    def render(self) -> Text:
        return Text("\n", no_wrap=True, overflow="crop").join(self._layout(self._width()).lines)

    def on_focus(self) -> None:
        self.refresh()

    # The highlight follows the cursor, and is drawn differently with and without focus.
    on_blur = watch_cursor = on_focus

    def on_resize(self) -> None:
        self._drawn = None
        if self._view is not None:
            self._fit_pools()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for y, x0, x1, key in self._layout(self._width()).hits:
            if y == offset.y and x0 <= offset.x < x1:
                self.cursor = key
                self._post_selected(key)
                return

    def action_cursor(self, step: int) -> None:
        if not self._keys:
            return
        if self.cursor not in self._keys:
            self.cursor = self._keys[0]
            return
        index = self._keys.index(self.cursor) + step
        self.cursor = self._keys[max(0, min(index, len(self._keys) - 1))]

    def action_column(self, step: int) -> None:
        if not self._column_keys:
            return
        here = next((i for i, keys in enumerate(self._column_keys) if self.cursor in keys), 0)
        row = (
            self._column_keys[here].index(self.cursor)
            if self.cursor in self._column_keys[here]
            else 0
        )
        there = max(0, min(here + step, len(self._column_keys) - 1))
        keys = self._column_keys[there]
        self.cursor = keys[min(row, len(keys) - 1)]

    def action_select(self) -> None:
        if self.cursor is not None:
            self._post_selected(self.cursor)

    def _post_selected(self, key: str) -> None:
        node_id = self._node_of.get(key)
        if node_id is not None:
            self.post_message(self.NodeSelected(node_id))
