"""The engagement decides exactly what it decided before its code was moved:
the same reminders, the same messages at the same times, the same states."""

from __future__ import annotations

import json

from simulation.characterization import SNAPSHOT, characterize


def test_the_six_reference_paths_and_a_400_day_clock_decide_as_recorded():
    recorded = json.loads(SNAPSHOT.read_text())
    now = json.loads(json.dumps(characterize(), sort_keys=True))
    assert now.keys() == recorded.keys()
    for path in recorded:
        assert len(now[path]) == len(recorded[path]), path
        for number, (step, expected) in enumerate(zip(now[path], recorded[path])):
            assert step == expected, f"{path}, step {number} ({expected['what']} at {expected['at']})"
