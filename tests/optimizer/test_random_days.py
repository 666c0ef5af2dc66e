"""Random days where the rules meet (`tests/random_days.py`): each plan and its re-plan pass the
checker. Seed 30 is the day whose re-plan once failed it (a door round on the road held to the
bells' time); the rows of every seed's sheet come shuffled, as the day whose re-plan delivered a
morning parcel four times had them."""

from __future__ import annotations

import pytest

from tests.random_days import problems, random_case


@pytest.mark.parametrize("seed", [*range(8), 30])
def test_a_random_day_and_its_re_plan_break_no_rule(seed: int) -> None:
    said, broken = problems(random_case(seed, most_parcels=40), time_limit_s=0.5)
    assert broken == [], f"seed {seed}: {said}\n" + "\n".join(broken)
