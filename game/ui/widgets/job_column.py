"""The architecture map's last column: the message queue and the workers behind it.

    ─38/s─▶ web's jobs 2.7k · oldest 31 s
            queue 54% full
            ● mq-1 S
            workers 75%
            ◐ worker-1 S ▇▇▇░
            ◐ worker-2 S ▇▇▇░

The jobs leave the web tier, not the database: the column comes last so the request flow reads
left to right undisturbed, and its arrow carries the jobs per second the web tier put on the
queue in the last tick. Without a queue (or while it is down) the arrow says the web servers do
the jobs themselves. Every figure comes from the engine's view of the jobs (`JobsView`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from game.engine.view import NodeView, SiteView
from game.ui import numbers
from game.ui.words import KIND_SHORT

LABEL_STYLE = Style(dim=True, italic=True)
WARN_STYLE = Style(color="#ff8c42", bold=True)

Cells = Callable[[list[NodeView]], list]  # the map's drawing of nodes, one line (cell) each
PoolCells = Callable[[str, list[NodeView]], list]


def column(
    view: SiteView,
    node_cells: Cells,
    pool_cells: PoolCells,
    label: Callable[[Text], object],
) -> tuple[str, list, float | None] | None:
    """The column's title, its cells and the jobs per second into it (None: the level's
    requests carry no jobs, or the site has neither a queue nor a worker). `node_cells` and
    `pool_cells` are the map's own drawings of components; `label` makes an unselectable line."""
    jobs = view.jobs
    queues, workers = list(view.of_kind("queue")), list(view.of_kind("worker"))
    if jobs is None or not (queues or workers):
        return None
    title = f"web's jobs {numbers.compact(jobs.depth)} · oldest {_age(jobs.oldest_s)}"
    cells: list = []
    if queues:
        cells.append(label(queue_line(jobs.depth, jobs.limit, jobs.refused)))
        cells += node_cells(queues)
    else:
        cells.append(label(Text("no queue: web does them", style=LABEL_STYLE)))
    if workers:
        load = jobs.utilization
        shown = f" {numbers.percent(load)}" if load is not None and jobs.queued else ""
        cells.append(label(Text(f"{KIND_SHORT['worker']}s{shown}", style=LABEL_STYLE)))
        cells += pool_cells("worker", workers)
    into = jobs.arrived if view.report is not None else None
    return title, cells, into


def queue_line(depth: float, limit: int, refused: float) -> Text:
    """The queue's fill: "queue 46% full", and "refusing 40/s" while it is full."""
    text = Text(KIND_SHORT["queue"], style=LABEL_STYLE)
    if limit:
        text.append(f" {numbers.percent(min(depth / limit, 1.0))} full", style=LABEL_STYLE)
    if refused > 0:
        text.append(f" refusing {numbers.rate(refused)}", style=WARN_STYLE)
    return text


def _age(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def describe(kind: str, view: SiteView) -> Sequence[Text]:
    """The inspector's lines about the jobs for a component of `kind` (none for other kinds)."""
    if kind == "queue":
        return describe_queue(view)
    if kind == "worker":
        return describe_workers(view)
    return ()


def describe_queue(view: SiteView) -> Sequence[Text]:
    """The inspector's lines for the queue: depth, oldest job, room, what it refuses."""
    jobs = view.jobs
    if jobs is None:
        return ()
    first = Text(f"holds {numbers.compact(jobs.depth)} of {numbers.compact(jobs.limit)} jobs")
    first.append(f" · oldest waited {_age(jobs.oldest_s)}")
    if jobs.refused > 0:
        first.append(f" · full: refusing {numbers.rate(jobs.refused)}", style=WARN_STYLE)
    second = Text(f"{numbers.rate(jobs.arrived)} jobs in · workers take {numbers.rate(jobs.rate)}")
    if not jobs.queued:
        second = Text("down: the web servers do the jobs in the requests", style=WARN_STYLE)
    return first, second


def describe_workers(view: SiteView) -> Sequence[Text]:
    """The inspector's lines for a worker: the pool's load, what waits for it, and why."""
    jobs = view.jobs
    if jobs is None:
        return ()
    load = jobs.utilization
    first = Text(f"workers: {numbers.compact(jobs.rate)} jobs/s")
    if load is not None and jobs.queued:
        first.append(f" · {numbers.percent(load)} utilization", style=Style(bold=True))
    first.append(f" · {numbers.compact(jobs.depth)} waiting, oldest {_age(jobs.oldest_s)}")
    if not jobs.queued:
        note = "no queue up: the web servers do the jobs, the workers wait"
        return first, Text(note, style=LABEL_STYLE)
    job_ms = jobs.job_s * 1000
    return first, Text(f"a job takes {job_ms:g} ms on an S", style=LABEL_STYLE)
