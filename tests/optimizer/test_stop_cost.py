"""Stop costs under notify_one and ring_each."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Point

from optimizer.operations import StopSettings
from optimizer.site import Building
from optimizer.stop_cost import expected_households, stop_s

NOTIFY = StopSettings(policy="notify_one", notify_s=30, wait_s=60, per_parcel_s=4, broken_doorbell_s=60)
RING = StopSettings(policy="ring_each", notify_s=30, wait_s=60, per_parcel_s=4, broken_doorbell_s=60)


def _building(households: int = 16, doorbell: str = "working") -> Building:
    return Building(
        id="1", name="1", households=households, floors=6, footprint=Point(0, 0), doorbell=doorbell
    )


def test_notify_one_rings_once_whatever_the_parcels() -> None:
    assert stop_s(_building(), 1, NOTIFY) == 30 + 60 + 4
    assert stop_s(_building(), 20, NOTIFY) == 30 + 60 + 80


def test_broken_doorbell_adds_its_time_once() -> None:
    assert stop_s(_building(doorbell="broken"), 20, NOTIFY) == 30 + 60 + 60 + 80


@pytest.mark.parametrize(("households", "parcels"), [(16, 1), (16, 5), (16, 16), (16, 40), (3, 10), (40, 12)])
def test_expected_households_follows_the_formula(households: int, parcels: int) -> None:
    k = math.ceil(households * (1 - (1 - 1 / households) ** parcels))
    assert expected_households(households, parcels) == k
    assert 1 <= k <= min(households, parcels)


def test_ring_each_pays_the_bell_per_receiving_household() -> None:
    # 16 households, 16 parcels: k = ceil(16 * (1 - (15/16)^16)) = 11
    assert stop_s(_building(), 16, RING) == 11 * 30 + 60 + 64
    assert stop_s(_building(doorbell="broken"), 16, RING) == 11 * 90 + 60 + 64


def test_no_parcels_no_stop() -> None:
    assert stop_s(_building(), 0, RING) == 0
    assert expected_households(0, 5) == 1  # a building without recorded households still has a door
