"""Settings read from the environment, and written back to start another process alike."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretStr, ValidationError

from api.settings import Settings
from events.vocabulary import RecordClass


def test_settings_survive_the_trip_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        store="postgres",
        pg_password=SecretStr("s3cret"),
        master_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
        disposal_working_days=15,
        retention_months={
            RecordClass.SCREENED_OUT: 12,
            RecordClass.CONCLUDED: 60,
            RecordClass.ALTERNATIVE_SUPPORT: 36,
        },
    )
    for name, value in settings.as_environment().items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        (
            "VTR_RETENTION_MONTHS",
            '{"screened_out": 12}',
            "missing ['concluded', 'alternative_support']",
        ),
        (
            "VTR_RETENTION_MONTHS",
            '{"screened_out": 0, "concluded": 1, "alternative_support": 1}',
            "months from 1",
        ),
        ("VTR_RETENTION_MONTHS", '{"deleted": 5}', "screened_out"),
        ("VTR_DISPOSAL_WORKING_DAYS", "0", "greater than or equal to 1"),
    ],
)
def test_a_bad_section_8_setting_names_the_problem(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=named.replace("[", r"\[").replace("]", r"\]")):
        Settings()


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("VTR_MINUTES_WORKING_DAYS", "0", "greater than or equal to 1"),
        ("VTR_MINUTES_WORKING_DAYS", "five", "valid integer"),
        ("VTR_REFERRER_FEEDBACK_WORKING_DAYS", "61", "less than or equal to 60"),
    ],
)
def test_a_bad_local_target_of_the_process_clock_names_the_problem(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=named):
        Settings()


def test_the_process_clocks_local_targets_default_to_five_working_days() -> None:
    settings = Settings()
    assert (settings.minutes_working_days, settings.referrer_feedback_working_days) == (5, 5)
