"""Riding time from lane distance and speed, in whole seconds.

Plans print whole seconds. Rounding each ride to the nearest second (not up) keeps a straight 100 m
at 2 m/s at 50 s even when the map's lon/lat rounding makes it 100.004 m; the checker allows the
same half second per ride.
"""

from __future__ import annotations

from typing import overload

import numpy as np

RIDE_ROUNDING_S = 0.5


@overload
def ride_s(metres: float, speed_kmh: float) -> int: ...
@overload
def ride_s(metres: np.ndarray, speed_kmh: float) -> np.ndarray: ...
def ride_s(metres: float | np.ndarray, speed_kmh: float) -> int | np.ndarray:
    """Seconds to ride `metres` at `speed_kmh`, to the nearest second (arrays work element-wise).

    >>> ride_s(100.004, 7.2), ride_s(np.array([0.0, 10.0]), 3.6).tolist()
    (50, [0.0, 10.0])
    """
    seconds = np.floor(np.asarray(metres) * 3.6 / speed_kmh + RIDE_ROUNDING_S)
    if isinstance(metres, np.ndarray):
        return seconds
    return int(seconds)
