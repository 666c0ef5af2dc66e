"""What people read for a roster's shifts, crews and vehicles, in each language."""

from __future__ import annotations

import pytest

from optimizer.names import crew_name, fleet_name, shift_label, shift_name, vehicle_name


@pytest.mark.parametrize(
    ("shift_id", "lang", "name", "label"),
    [
        ("morning", "zh", "上午", "上午班"),
        ("Evening", "zh", "晚上", "晚上班"),
        ("早班", "zh", "早班", "早班"),  # a roster written in Chinese, as written
        ("上午", "zh", "上午", "上午班"),
        ("A", "zh", "A", "A班"),
        ("morning", "en", "morning", "morning"),
    ],
)
def test_a_shift_is_named_in_the_readers_language(shift_id: str, lang: str, name: str, label: str) -> None:
    assert (shift_name(shift_id, lang), shift_label(shift_id, lang)) == (name, label)


@pytest.mark.parametrize(
    ("crew_id", "lang", "name"),
    [
        ("morning-1", "zh", "上午1组"),
        ("afternoon-12", "zh", "下午12组"),
        ("早班-2", "zh", "早班2组"),
        ("night-shift-3", "zh", "night-shift3组"),  # the shift is what comes before the last dash
        ("pair", "zh", "pair"),  # not a plan's numbering: as it is
        ("morning-1", "en", "morning-1"),
    ],
)
def test_a_crew_is_called_by_its_shift_and_number(crew_id: str, lang: str, name: str) -> None:
    assert crew_name(crew_id, lang) == name


def test_a_vehicle_is_its_modes_word_unless_the_roster_named_it_otherwise() -> None:
    assert vehicle_name("ebike", "zh") == "电动车" and vehicle_name("cart", "en") == "hand cart"
    assert vehicle_name("rickshaw", "zh") == "rickshaw"
    assert fleet_name("tricycle", "tricycle", "zh") == "三轮车"
    assert fleet_name("red-trike", "tricycle", "zh") == "red-trike"
