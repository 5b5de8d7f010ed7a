"""Slow work queued instead of done inside the request: a message queue and its workers.

A level's [jobs] table (scenario.Jobs) says which share of the requests the web tier serves
carries a job (mail to send, an image to resize) and how long one job keeps a size-S server
busy (`job_s`; a bigger server is quicker in proportion to its capacity).

Without a healthy queue the web server does the job inside the request: the mean service time
of a request grows from 1/mu to (1 + share * job_s * mu_S) / mu, mu_S being a size-S server's
capacity, so the web tier's capacity shrinks by that factor and its latency and overload follow
from the queueing model of tiers.py (`inline_factor`).

With a healthy queue the request only puts its job on the queue (a round trip inside the data
centre, taken to be part of the web server's time) and the workers take jobs off it: together
they complete R = sum(capacity) / (job_s * mu_S) jobs per second. The queue is a fluid FIFO
carried from tick to tick as segments of arrivals, each spread evenly over its tick (`Backlog`),
so the age of the oldest job is known as well as the depth. In a tick the workers finish
min(R, backlog + arrivals), the oldest first: while they are busy the whole tick they never
reach a job before it arrives, and when they catch up nothing is left. What would stand past
the queue's size is refused, the newest first; the requests whose jobs it refuses fail as
`queue_full`. A queue that is down (booting, resized, failed) sends the jobs back into the
requests; the jobs it holds wait for it (a queue keeps its jobs on disk), and no worker can take
them meanwhile.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from game.engine import catalog

# typing only: the scenario's module reaches this one through the reports (as rules.py does).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from game.engine.report import TickReport
    from game.engine.scenario import Jobs
    from game.engine.topology import Node

_NEGLIGIBLE = 1e-9


def _unit() -> float:
    """Requests per second of a size-S server: a job's time is stated on one."""
    return catalog.KINDS["web"].sizes[catalog.JOB_SIZE].capacity


def inline_factor(jobs: Jobs) -> float:
    """How many times longer an average request keeps a web server busy when it does its job
    itself."""
    return 1.0 + jobs.share * jobs.job_s * _unit()


def worker_rate(size: str, jobs: Jobs) -> float:
    """Jobs per second one worker of `size` completes."""
    return catalog.KINDS["worker"].sizes[size].capacity / (jobs.job_s * _unit())


Segment = tuple[float, float, float]  # (first arrival, last arrival, jobs spread evenly between)


class Backlog:
    """The jobs waiting in the queue, oldest first, as segments of arrivals."""

    __slots__ = ("_segments",)

    def __init__(self) -> None:
        self._segments: deque[Segment] = deque()

    def __bool__(self) -> bool:
        return bool(self._segments)

    def depth(self) -> float:
        return sum(n for _, _, n in self._segments)

    def oldest(self) -> float | None:
        """When the oldest waiting job arrived (None: the queue is empty)."""
        return self._segments[0][0] if self._segments else None

    def add(self, begin: float, end: float, jobs: float) -> None:
        if jobs > _NEGLIGIBLE:
            self._segments.append((begin, end, jobs))

    def take_oldest(self, jobs: float) -> float:
        """Take up to `jobs` off the front; how many were taken."""
        return self._cut(jobs, front=True)

    def drop_newest(self, jobs: float) -> float:
        """Refuse up to `jobs` of the latest arrivals; how many were refused."""
        return self._cut(jobs, front=False)

    def _cut(self, jobs: float, front: bool) -> float:
        segments = self._segments
        left = jobs
        while left > _NEGLIGIBLE and segments:
            begin, end, n = segments.popleft() if front else segments.pop()
            if n <= left + _NEGLIGIBLE:
                left -= n
                continue
            span = (end - begin) * (n - left) / n  # what is left of the segment's time
            if front:  # the later arrivals of the segment stay
                segments.appendleft((end - span, end, n - left))
            else:  # the earlier ones stay
                segments.append((begin, begin + span, n - left))
            left = 0.0
        return jobs - max(left, 0.0)


@dataclass(frozen=True, slots=True)
class JobsReport:
    """One tick of the level's slow work."""

    arrived: float  # jobs the tick's served requests brought
    done: float  # jobs finished this tick: by the workers, or inside the requests
    refused: float  # jobs the full queue refused (their requests failed as queue_full)
    depth: float  # jobs waiting in the queue at the end of the tick
    oldest_s: float  # how long the oldest waiting job has waited at the end of the tick
    rate: float  # jobs per second the healthy workers complete
    utilization: float | None  # jobs arriving / what the workers complete (as a tier's load:
    # below 1 while they drain a backlog); None without a healthy worker or a queue up
    queued: bool  # the jobs went to the queue (else the web servers did them in the requests)
    limit: int  # the most jobs the queue holds (0: no queue)


def step(
    backlog: Backlog, t: int, arrived: float, rate: float, limit: int, queued: bool
) -> JobsReport:
    """Tick `t` (from t to t + 1) of the queue: `arrived` jobs put on it evenly over the tick
    (when `queued`; else done in their requests), workers completing `rate` jobs per second, at
    most `limit` waiting. Updates `backlog`."""
    done = refused = 0.0
    if queued:
        backlog.add(float(t), t + 1.0, arrived)
        done = backlog.take_oldest(rate)
        over = backlog.depth() - limit
        if over > _NEGLIGIBLE:
            refused = backlog.drop_newest(min(over, arrived))
    else:
        done = arrived
    depth = backlog.depth()
    oldest = backlog.oldest()
    utilization = arrived / rate if queued and rate > 0 else None  # as a tier's: offered / capacity
    return JobsReport(
        arrived=arrived,
        done=done,
        refused=refused,
        depth=depth if depth > _NEGLIGIBLE else 0.0,
        oldest_s=(t + 1.0 - oldest) if oldest is not None and depth > _NEGLIGIBLE else 0.0,
        rate=rate,
        utilization=utilization,
        queued=queued,
        limit=limit,
    )


def worker_load(
    size: str, jobs: Jobs | None, last: TickReport | None
) -> tuple[float, bool, float | None]:
    """A worker as the view shows it: the jobs per second it completes, whether it took jobs
    off the queue in the last tick, and the workers' load then."""
    full = worker_rate(size, jobs) if jobs is not None else 0.0
    report = last.jobs if last is not None else None
    if report is None or not report.queued or report.utilization is None:
        return full, False, None
    return full, True, report.utilization


@dataclass(frozen=True, slots=True)
class JobsView:
    """The level's slow work as the screens show it, after the last tick."""

    share: float  # of the requests the web tier serves, those that bring a job
    job_s: float  # how long a job keeps a size-S server busy
    queued: bool  # a queue takes the jobs now; else the web servers do them in the requests
    depth: float  # jobs waiting in the queue
    oldest_s: float  # how long the oldest of them has waited
    limit: int  # the most jobs the queue holds (0: no queue)
    rate: float  # jobs per second the healthy workers complete
    utilization: float | None  # the workers' load (None: no healthy worker, or no queue up)
    arrived: float  # jobs the last tick brought
    refused: float  # jobs the full queue refused in the last tick
    inline_factor: float  # how many times longer a request keeps a web server busy doing its job


def jobs_view(
    jobs: Jobs | None, last: TickReport | None, queues: Sequence[Node]
) -> JobsView | None:
    """The view of the level's jobs (None: its requests carry none)."""
    if jobs is None:
        return None
    report = last.jobs if last is not None else None
    limit = catalog.KINDS["queue"].items[queues[0].size] if queues else 0
    return JobsView(
        share=jobs.share,
        job_s=jobs.job_s,
        queued=report.queued if report is not None else bool(queues),
        depth=report.depth if report is not None else 0.0,
        oldest_s=report.oldest_s if report is not None else 0.0,
        limit=limit,
        rate=report.rate if report is not None else 0.0,
        utilization=report.utilization if report is not None else None,
        arrived=report.arrived if report is not None else 0.0,
        refused=report.refused if report is not None else 0.0,
        inline_factor=inline_factor(jobs),
    )
