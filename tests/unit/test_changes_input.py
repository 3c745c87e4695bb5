"""`fasttrack changes --took-effect` names a declared change and a day, or says what is wrong."""

from __future__ import annotations

from datetime import date

import pytest
import typer

from cli.changes import took_effect_days


def test_a_change_and_its_day_are_read():
    assert took_effect_days([" carry-over = 2026-12-01 "]) == {"carry-over": date(2026, 12, 1)}


@pytest.mark.parametrize("given", ["no-such-change=2026-12-01", "carry-over=1 December", "carry-over"])
def test_a_bad_entry_is_refused_with_exit_code_2(given, capsys):
    with pytest.raises(typer.Exit) as refused:
        took_effect_days([given])

    assert refused.value.exit_code == 2
    assert "Invalid --took-effect" in capsys.readouterr().err
