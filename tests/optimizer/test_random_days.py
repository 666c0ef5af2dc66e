"""Random days where the rules meet (`tests/random_days.py`): each plan and its re-plan pass the
checker. Seed 30 is the day whose re-plan once failed it (a door round on the road held to the
bells' time), seeds 93, 178 and 231 (counts up to 60) ones where a kept stop's urgent parcels were taken off another
row's (held over, the morning's) and went uncounted; the rows of every seed's sheet come shuffled, as the day whose re-plan delivered a
morning parcel four times had them. Seeds 0, 94 and 97 (counts up to 60) are days whose plan in use,
carried on at the re-plan time with the same counts, delivered less than the plan: a stop of 3
given a 20-parcel load, a crew's late trip taking the loads another's earlier trip needed."""

from __future__ import annotations

import pytest

from tests.random_days import problems, random_case


@pytest.mark.parametrize(
    ("seed", "most_parcels"),
    [
        *((seed, 40) for seed in range(8)),
        (30, 40),
        (93, 60),
        (178, 60),
        (231, 60),
        (0, 60),
        (94, 60),
        (97, 60),
    ],
)
def test_a_random_day_and_its_re_plan_break_no_rule(seed: int, most_parcels: int) -> None:
    said, broken = problems(random_case(seed, most_parcels=most_parcels), time_limit_s=0.5)
    assert broken == [], f"seed {seed}: {said}\n" + "\n".join(broken)
