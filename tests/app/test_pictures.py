"""A run's pictures over the grid are recomputed when they can have moved by a colour step
(app/pictures.py): every frame while the network learns fast, less often once it has settled,
exactly whenever the run stops, and afresh after a reset, new data or new hyperparameters —
and what a frame shows is never far from the exact picture."""

from __future__ import annotations

import numpy as np

from app import frames
from app.pictures import MAX_WAIT, Picture
from app.runconfig import HyperparameterUpdate, RunConfigModel
from app.runs import Run
from app.settings import Settings

SETTINGS = Settings(boundary_resolution=50, map_resolution=12, heavy_every=1)


def _codes(blob: frames.Blob) -> np.ndarray:
    return np.frombuffer(blob.data, dtype=np.uint8).astype(int)


def _exact_boundary(run: Run) -> np.ndarray:
    d = run.dataset
    output = run.net.predict_proba_grid(d.bounds, SETTINGS.boundary_resolution, d.features)
    return _codes(frames.quantize_boundary(output, d.task))


class Client:
    """What a page shows of a run: the newest boundary and maps it was sent (a frame or detail
    without them leaves the last ones on screen)."""

    def __init__(self, run: Run) -> None:
        self.run, self.boundary, self.maps = run, None, None

    def read(self) -> Client:
        _, frame, detail = self.run.owner_view.take()
        arrays = frames.decode(frame)[1]
        if "boundary" in arrays:
            self.boundary = arrays["boundary"].astype(int).ravel()
        if detail is not None and "maps" in (maps := frames.decode(detail)[1]):
            self.maps = maps["maps"].astype(int).ravel()
        return self


def _running(config: dict | None = None) -> Run:
    run = Run(RunConfigModel.model_validate(config or {}), SETTINGS)
    run.status = "running"
    return run


def test_a_picture_waits_as_many_frames_as_take_it_one_step():
    picture, values = Picture(), np.zeros(10, dtype=np.float32)
    computed = []

    def compute():
        computed.append(frame)
        codes = np.rint(values * 255).astype(np.uint8)
        return frames.Blob.of("boundary", codes), [(values.copy(), 255.0)]

    for frame in range(1, 40):
        values[3] = 0.24 * frame / 255  # about a quarter of a code a frame
        values[5] = 0.5 / 255 + (frame % 2) * 1e-6  # flickers across a rounding edge
        picture.get(frame, compute)
    gaps = np.diff(computed)
    assert computed[:2] == [1, 2] and set(gaps[2:]) == {4}, computed

    picture.clear()
    computed.clear()
    for frame in range(1, 10):
        values[:] = 3 * frame / 255  # three steps a frame: every frame
        picture.get(frame, compute)
    assert computed == list(range(1, 10))

    picture.clear()
    computed.clear()
    for frame in range(1, 30):  # still: MAX_WAIT frames apart
        picture.get(frame, compute)
    assert np.diff(computed[1:]).tolist() == [MAX_WAIT] * (len(computed) - 2)


def test_a_picture_without_a_fixed_scale_is_computed_every_frame():
    picture, computed = Picture(), []

    def compute():
        computed.append(1)
        return frames.Blob.of("boundary", np.zeros(4, dtype=np.uint8)), None

    for frame in range(1, 6):
        picture.get(frame, compute)
    assert len(computed) == 5


def test_forced_and_cleared_pictures_are_computed():
    picture, computed = Picture(), []

    def compute():
        computed.append(1)
        return frames.Blob.of("boundary", np.zeros(4, dtype=np.uint8)), [(np.zeros(4), 255.0)]

    for frame in range(1, 5):
        picture.get(frame, compute)
    before = len(computed)
    picture.get(5, compute, force=True)
    picture.clear()
    picture.get(6, compute)
    assert len(computed) == before + 2


def test_a_learning_network_gets_a_new_boundary_every_frame():
    run = _running()
    run.train(20)  # random × 0.01: its first steps move the boundary a lot
    for _ in range(10):
        run.train(10)
        run.build_frame(heavy=True)
    assert run.boundary.computed == 10
    assert run.maps.computed == 10


def test_a_settled_network_is_recomputed_less_often_and_shown_within_two_steps():
    """The default run after 20,000 iterations, 8 a frame: its boundary moves by
    a fraction of a step a frame. Fewer than half the frames compute it, and every frame shows a
    boundary within two colour steps of the exact one (one step at the measured speed, and
    rounding), its maps likewise."""
    run = _running()
    run.train(20_000)
    frames_built, worst = 240, 0
    worst_maps = 0
    client = Client(run)
    for _ in range(frames_built):
        run.train(8)
        run.build_frame(heavy=True)
        boundary, maps = client.read().boundary, client.maps
        worst = max(worst, int(np.abs(boundary - _exact_boundary(run)).max()))
        d = run.dataset
        exact_maps = frames.quantize_maps(
            run.net.hidden_activation_grids(d.bounds, run.map_resolution, d.features),
            run.net.activations[:-1],
        )
        worst_maps = max(
            worst_maps, int(np.abs(maps.astype(int).ravel() - _codes(exact_maps)).max())
        )
    assert run.boundary.computed < frames_built / 2
    assert run.maps.computed < frames_built / 2
    assert worst <= 2 and worst_maps <= 2


def test_a_paused_run_shows_the_exact_boundary():
    run = _running()
    run.train(20_000)
    client = Client(run)
    for _ in range(5):
        run.train(8)
        run.build_frame(heavy=False)
        client.read()
    computed = run.boundary.computed
    run.train(8)
    run.status = "paused"  # the final frame of a pause
    run.build_frame(heavy=False)
    assert run.boundary.computed == computed + 1
    assert np.array_equal(client.read().boundary, _exact_boundary(run))


def test_reset_update_and_new_data_recompute_the_pictures():
    run = _running()
    run.train(20_000)
    for _ in range(3):
        run.train(8)
        run.build_frame(heavy=True)
    for change in (
        lambda: run.update(HyperparameterUpdate(learning_rate=0.5)),
        lambda: run.replace_data(run.config, run.data),
    ):
        change()
        before = run.boundary.computed, run.maps.computed
        run.build_frame(heavy=True)
        assert (run.boundary.computed, run.maps.computed) == (before[0] + 1, before[1] + 1)
    run.reset()
    assert run.boundary.computed == run.maps.computed == 0
