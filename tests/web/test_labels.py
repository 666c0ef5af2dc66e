"""The page's labels: every one in both languages, and every one the script reads is there (a
missing label shows as "undefined" on a volunteer's phone, in one language only)."""

from __future__ import annotations

import re
from pathlib import Path

from api.web.labels import WEB_LABELS
from optimizer.day_state import DAY_STATE

SCRIPT = Path(__file__).resolve().parents[2] / "api" / "web" / "static" / "app.js"


def test_every_label_is_in_both_languages() -> None:
    assert set(WEB_LABELS["zh"]) == set(WEB_LABELS["en"])


def test_every_label_the_script_reads_is_there() -> None:
    script = SCRIPT.read_text()
    read = set(re.findall(r"\bL\.([a-z_0-9]+)", script))
    assert len(read) > 50  # the pattern still finds the script's labels
    assert read - set(WEB_LABELS["en"]) == set()
    # labels read by a name put together: the kept properties of a map sent again
    kept = {f"kept_{kind}_{field}" for kind, fields in DAY_STATE.items() for field in fields}
    assert "L[`kept_${k.kind}_${k.field}`]" in script
    assert kept - set(WEB_LABELS["en"]) == set()
