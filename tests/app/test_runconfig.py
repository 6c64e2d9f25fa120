"""The run config is the one description of a run: its live fields make the WebSocket update
message, the partial HyperparameterUpdate, `nnplay train`'s flags and the typed bounds in
/api/options, and reach the engine's TrainConfig by name; so a new hyperparameter is a field of
the model (and of the engine's TrainConfig), nothing else. Also: hello and /api/options say the
same limits."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated

import pytest
from pydantic import Field, ValidationError, create_model

from app.cli import build_parser
from app.options import HELLO_KEYS, hello_message, server_options
from app.protocol import CLIENT_MESSAGE, Update
from app.runconfig import (
    LIVE,
    HyperparameterUpdate,
    RunConfigModel,
    Strict,
    live_fields,
    number_rule,
    partial_fields,
)
from app.settings import Settings
from engine import TrainConfig

LIVE_NAMES = list(live_fields())
NUMBERS = [n for n in LIVE_NAMES if number_rule(RunConfigModel, n)["type"] in ("integer", "number")]


def train_flags() -> dict[str, object]:
    """`nnplay train`'s flags: each option string and its argparse action."""
    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    return {flag: action for action in train._actions for flag in action.option_strings}


def edges(rule: dict) -> tuple[float, float]:
    """The largest value a number rule accepts, and the smallest above it that it refuses."""
    if "maximum" in rule:
        top = rule["maximum"]
        return top, top + 1
    top = rule["exclusiveMaximum"]
    return top - (1 if rule["type"] == "integer" else 1e-6), top


def test_the_run_config_has_the_five_live_hyperparameters():
    assert LIVE_NAMES == ["learning_rate", "optimizer", "batch_size", "l2", "l1"]
    assert set(NUMBERS) == {"learning_rate", "batch_size", "l2", "l1"}


@pytest.mark.parametrize("name", LIVE_NAMES)
def test_every_live_field_is_an_update_field_a_flag_and_an_engine_field(name):
    assert name in Update.model_fields and name in HyperparameterUpdate.model_fields
    assert name in {f.name for f in dataclasses.fields(TrainConfig)}
    flag = train_flags()["--" + name.replace("_", "-")]
    assert flag.default == RunConfigModel.model_fields[name].get_default()
    choices = RunConfigModel.model_json_schema()["properties"][name].get("enum")
    if choices:
        assert list(flag.choices) == choices


@pytest.mark.parametrize("name", NUMBERS)
def test_an_update_the_cli_and_the_options_take_a_live_number_within_the_model_s_bounds(name):
    rule = number_rule(RunConfigModel, name)
    top, over = edges(rule)
    integer = rule["type"] == "integer"
    if integer:
        top, over = int(top), int(over)
    message = {"type": "update", "runs": ["r"], name: top}
    assert getattr(CLIENT_MESSAGE.validate_python(message), name) == top
    with pytest.raises(ValidationError):
        CLIENT_MESSAGE.validate_python({**message, name: over})
    with pytest.raises(ValidationError):
        HyperparameterUpdate(**{name: over})
    flag = train_flags()["--" + name.replace("_", "-")]
    assert flag.type(str(top)) == top
    with pytest.raises(Exception, match="is not"):
        flag.type(str(over))
    settings = Settings()
    bounds = server_options(settings)["bounds"][name]
    expected = dict(rule)
    if name == "batch_size":  # a batch is at most a dataset: the server's max_samples
        expected["maximum"] = min(rule["maximum"], settings.max_samples)
    assert bounds == expected


def test_an_update_sends_only_the_fields_given_as_trainer_keywords():
    msg = CLIENT_MESSAGE.validate_json(
        '{"type": "update", "runs": ["r"], "learning_rate": 0.5, "batch_size": null}'
    )
    sent = msg.model_fields_set - {"type", "runs", "ref"}
    update = HyperparameterUpdate(**{name: getattr(msg, name) for name in sent})
    assert update.changes() == {"learning_rate": 0.5, "batch_size": None}


def test_train_config_is_the_engine_s_config_of_the_live_fields():
    config = RunConfigModel(learning_rate=0.3, optimizer="adam", batch_size=16, l2=0.2, l1=0.05)
    assert config.train_config() == TrainConfig(
        learning_rate=0.3, optimizer="adam", batch_size=16, l2=0.2, l1=0.05
    )


class WithMomentumBeta(RunConfigModel):
    """A run config with one more live hyperparameter: momentum's β (a TrainConfig field)."""

    beta: Annotated[float, Field(gt=0, lt=1, description="Momentum's β."), LIVE] = 0.9


def test_a_new_live_field_makes_its_update_field_and_reaches_the_engine():
    assert list(live_fields(WithMomentumBeta)) == [*LIVE_NAMES, "beta"]
    partial = create_model("Partial", __base__=Strict, **partial_fields(WithMomentumBeta))
    assert partial(beta=0.5).beta == 0.5 and partial().beta is None
    for refused in (0.0, 1.0, math.nan):
        with pytest.raises(ValidationError):
            partial(beta=refused)
    config = WithMomentumBeta(optimizer="momentum", beta=0.5)
    assert config.train_config() == TrainConfig(optimizer="momentum", learning_rate=1.2, beta=0.5)


def test_hello_and_options_say_the_same_limits_and_server_facts():
    settings = Settings(max_units=33, max_run_iterations=5000, max_train_iterations=700)
    hello, options = hello_message(settings), server_options(settings)
    assert hello["type"] == "hello" and hello["server"] == "nnplay"
    for key in HELLO_KEYS:
        assert hello[key] == options[key]
    limits = options["limits"]
    assert limits["max_units"] == 33
    assert limits["max_run_iterations"] == 5000 and limits["max_train_iterations"] == 700
    assert limits == {name: getattr(settings, name) for name in limits}
