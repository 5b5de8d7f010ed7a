"""Small scenario builders shared by the engine tests."""

from game.engine.scenario import Component, Incident, Scenario, Settings
from game.engine.traffic import Mix, Traffic

STATIC_ONLY = Mix(static=1.0, read=0.0, write=0.0, join=0.0)


def build(*parts: str) -> tuple[Component, ...]:
    """Components from words like "web:M" or "cache" (size S)."""
    out = []
    for part in parts:
        kind, _, size = part.partition(":")
        out.append(Component(kind, size or "S"))
    return tuple(out)


def scenario(
    start,
    rps=100.0,
    duration=300,
    mix=None,
    incidents=(),
    settings=None,
    rtt=0.0,
    spikes=(),
    timeout_s=2.0,
    keys=100_000,
    budget=None,
    unlocked=None,
) -> Scenario:
    traffic = Traffic(
        points=((0, rps),),
        mix=mix or Mix(),
        spikes=spikes,
        origin_rtt_s=rtt,
        edge_rtt_s=rtt,
        keys=keys,
    )
    return Scenario(
        id="test",
        title="Test",
        duration=duration,
        start=start,
        traffic=traffic,
        incidents=tuple(Incident(t, target) for t, target in incidents),
        settings=settings or Settings(),
        timeout_s=timeout_s,
        budget=budget,
        unlocked=unlocked,
    )
