"""Geo-DNS in closed form: a region's latency is the site's shifted by its round trip, a dead
data centre's users fail for a TTL along a line, and a region failover loses write rate x lag."""

from __future__ import annotations

import math

import pytest

from game.engine import catalog, regions
from game.engine.latency import Dist
from game.engine.regions import GeoDns, Region

EU = Region("eu", 0.6, {"eu": 0.020, "us": 0.110})
US = Region("us", 0.4, {"eu": 0.110, "us": 0.030})
INSIDE = {"eu": Dist.exponential(50.0), "us": Dist.exponential(80.0)}


def _dns() -> GeoDns:
    return GeoDns((EU, US), built={"eu", "us"})


def test_a_regions_p95_is_the_data_centres_p95_shifted_by_its_round_trip():
    dns = GeoDns((EU,), built={"eu"})
    latency = regions.site_latency((EU,), dns.routes(0.0), INSIDE)
    assert latency.percentile(0.95) == pytest.approx(
        INSIDE["eu"].percentile(0.95) + 0.020, rel=1e-9
    )
    # closed form: Exp(50) has p95 = ln(20) / 50
    assert latency.percentile(0.95) == pytest.approx(math.log(20.0) / 50.0 + 0.020, rel=1e-6)


def test_users_go_to_the_nearest_data_centre_and_the_site_mixes_them_by_share():
    dns = _dns()
    routes = dns.routes(0.0)
    assert regions.loads((EU, US), routes, 1000.0) == {"eu": 600.0, "us": 400.0}
    latency = regions.site_latency((EU, US), routes, INSIDE)
    want = 0.6 * (1 / 50 + 0.020) + 0.4 * (1 / 80 + 0.030)
    assert latency.mean() == pytest.approx(want, rel=1e-9)


def test_a_dead_data_centres_users_fail_along_the_ttl_then_take_the_longer_round_trip():
    ttl = catalog.DNS_TTL_S
    dns = _dns()
    dns.fail("eu", 100.0)
    for t, stale in ((100.0, 1.0 - 0.5 / ttl), (100.0 + ttl / 2, 0.5 - 0.5 / ttl)):
        (eu, us) = dns.routes(t)
        assert eu.failed == pytest.approx(stale, rel=1e-9)
        assert eu.to == {"us": pytest.approx(1.0 - stale)}
        assert us.to == {"us": 1.0} and us.failed == 0.0
    (eu, _) = dns.routes(100.0 + ttl)
    assert eu.failed == 0.0 and eu.to == {"us": 1.0}
    routes = dns.routes(100.0 + ttl)
    assert regions.loads((EU, US), routes, 1000.0) == {"us": pytest.approx(1000.0)}
    latency = regions.site_latency((EU, US), routes, INSIDE)
    want = 0.6 * (1 / 80 + 0.110) + 0.4 * (1 / 80 + 0.030)
    assert latency.mean() == pytest.approx(want, rel=1e-9)


def test_the_failures_over_an_outage_add_up_to_half_a_ttl_of_the_regions_requests():
    dns = _dns()
    dns.fail("eu", 0.0)
    failed = sum(regions.failed_share((EU, US), dns.routes(float(t))) for t in range(200))
    assert failed == pytest.approx(EU.share * catalog.DNS_TTL_S / 2, rel=1e-9)


def test_with_every_data_centre_dark_every_request_fails():
    dns = _dns()
    dns.fail("eu", 0.0)
    dns.fail("us", 0.0)
    assert regions.failed_share((EU, US), dns.routes(500.0)) == pytest.approx(1.0)
    assert regions.site_latency((EU, US), dns.routes(500.0), INSIDE) is None


def test_a_recovered_data_centre_takes_its_users_back_over_a_ttl_without_failures():
    ttl = catalog.DNS_TTL_S
    dns = _dns()
    dns.fail("eu", 0.0)
    dns.recover("eu", 200.0)
    (eu, us) = dns.routes(200.0 + ttl / 2)
    away = 0.5 - 0.5 / ttl  # the answers for us still cached
    assert eu.failed == 0.0 and eu.to == {"eu": pytest.approx(1 - away), "us": pytest.approx(away)}
    assert us.to == {"us": 1.0}
    assert dns.routes(200.0 + ttl)[0].to == {"eu": 1.0}
    # the latency of the eu users: the longer round trip for the share still away
    latency = regions.site_latency((EU,), [eu], INSIDE)
    want = (1 - away) * (1 / 50 + 0.020) + away * (1 / 80 + 0.110)
    assert latency.mean() == pytest.approx(want, rel=1e-9)


def test_a_region_failover_loses_write_rate_times_the_cross_region_lag():
    assert regions.failover_lost_writes(200.0) == pytest.approx(200.0 * catalog.CROSS_REGION_LAG_S)
    assert regions.failover_lost_writes(0.0) == 0.0


def test_stale_share_is_the_mean_of_the_line():
    assert regions.stale_share(0.0, 60.0, 60.0) == pytest.approx(0.5)
    assert regions.stale_share(30.0, 90.0, 60.0) == pytest.approx(0.25 * 30 / 60)
    assert regions.stale_share(70.0, 71.0, 60.0) == 0.0
    with pytest.raises(ValueError):
        regions.stale_share(2.0, 1.0)
