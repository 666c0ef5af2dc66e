"""How long a stop at a building takes, under the two doorbell policies.

`ring_each` is how deliveries ran at first: ring every household that has a parcel. `notify_one`
is the fix that cleared 2,300 parcels a day: ring one contact household, who alerts the rest.
Keeping both lets a coordinator see the difference on their own compound.
"""

from __future__ import annotations

import math

from optimizer.operations import SealedSettings, StopSettings
from optimizer.site import Building


def expected_households(households: int, parcels: int) -> int:
    """Households expected to receive at least one of `parcels` parcels spread at random.

    k = ceil(h × (1 − (1 − 1/h)^p)); a building without recorded households counts as one.

    >>> expected_households(16, 1), expected_households(16, 16), expected_households(1, 9)
    (1, 11, 1)
    """
    if parcels <= 0:
        return 0
    h = max(households, 1)
    expected = h * (1.0 - (1.0 - 1.0 / h) ** parcels)
    return min(h, parcels, math.ceil(expected - 1e-9))


def bell_s(building: Building, stop: StopSettings) -> int:
    """One doorbell: notify, plus the walk upstairs when the bell is broken."""
    return stop.notify_s + (stop.broken_doorbell_s if building.has_broken_doorbell else 0)


def visit_bell_s(building: Building, parcels: int, stop: StopSettings) -> int:
    """The bell part of one visit: once under notify_one, once per receiving household otherwise."""
    if parcels <= 0:
        return 0
    if stop.policy == "ring_each":
        return expected_households(building.households, parcels) * bell_s(building, stop)
    return bell_s(building, stop)


def door_delivery_s(building: Building, parcels: int, sealed: SealedSettings) -> int:
    """A sealed building: nobody comes down; the designated pair climbs and knocks at each door."""
    if parcels <= 0:
        return 0
    return (
        expected_households(building.households, parcels) * sealed.door_s + sealed.floor_s * building.floors
    )


def arrival_s(
    building: Building, parcels: int, stop: StopSettings, sealed: SealedSettings | None = None
) -> int:
    """What a visit costs before the parcels are handed over: bell and wait, or the door rounds."""
    if parcels <= 0:
        return 0
    if sealed is not None:
        return door_delivery_s(building, parcels, sealed)
    return visit_bell_s(building, parcels, stop) + stop.wait_s


def stop_s(building: Building, parcels: int, stop: StopSettings, sealed: SealedSettings | None = None) -> int:
    """Whole stop: bell part + waiting for the household (or door rounds when the building is
    sealed, `sealed` given) + handing over each parcel."""
    if parcels <= 0:
        return 0
    return arrival_s(building, parcels, stop, sealed) + stop.per_parcel_s * parcels
