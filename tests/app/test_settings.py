"""Settings: environment variables, bounds, and the README's table of them kept true."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_environment_variables_set_the_limits(monkeypatch):
    monkeypatch.setenv("NNPLAY_MAX_UNITS", "12")
    monkeypatch.setenv("NNPLAY_FRAME_RATE", "10")
    settings = Settings()
    assert settings.max_units == 12 and settings.frame_rate == 10


def test_out_of_range_settings_are_refused(monkeypatch):
    monkeypatch.setenv("NNPLAY_MAX_RUNS_PER_SESSION", "0")
    with pytest.raises(ValidationError, match="max_runs_per_session"):
        Settings()


def test_readme_lists_every_setting_with_its_default():
    pattern = r"^\| `NNPLAY_([A-Z_]+)` \| ([0-9.]+|\(unset\)) \|"
    rows = dict(re.findall(pattern, README.read_text(), re.M))
    defaults = Settings()
    documented = {name.lower() for name in rows}
    assert documented == set(Settings.model_fields)
    for name, value in rows.items():
        default = getattr(defaults, name.lower())
        if value == "(unset)":
            assert default is None, name
        else:
            assert float(value) == float(default), name
