"""The oracle of the timeline's tests (tests/app/test_timeline_server.py, tests/browser/
test_timeline_page.py): a run config trained by the engine straight to an iteration, with live
hyperparameter changes applied on the way — what a seek, a replay or a fork must show."""

from __future__ import annotations

from app import data as data_sources
from app.runconfig import RunConfigModel, make_trainer
from app.settings import Settings


def trained(config: dict, settings: Settings, iterations: int, changes_at: dict | None = None):
    """(trainer, dataset): `config` (a run config, as JSON) trained to `iterations`, with
    `changes_at` {iteration: hyperparameters} applied when the run reached them."""
    model = RunConfigModel.model_validate(config)
    data = data_sources.build(model.dataset, settings, None)
    trainer = make_trainer(model, data.dataset)
    for at, changes in sorted((changes_at or {}).items()):
        trainer.run(at - trainer.iteration)
        trainer.update(**changes)
    trainer.run(iterations - trainer.iteration)
    return trainer, data.dataset
