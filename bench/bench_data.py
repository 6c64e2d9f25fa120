"""Own-data benchmark: what a user's file costs the server, against the default run.

    python bench/bench_data.py                 # 7 repeats of each measurement
    python bench/bench_data.py --repeats 15

Measured in-process (no network), each as the median of --repeats, with the default flower run
measured in the same process as the reference:

* reading files: checking an uploaded CSV at the size limits (10,000 rows × 10 columns), building a
  run from it, and from a course-sized image set (209 + 50 images of 64 × 64 × 3, synthetic) —
  each parse in the sandbox (a fresh child process, app/sandbox.py), and again from the parsed
  result the store keeps for the runs that follow;
* training: seconds per iteration of the course's [12288, 20, 7, 5, 1] ReLU network on that set,
  and of [n_x, 8, 1] tanh on the big CSV;
* frames: time to build one frame (light and heavy) for each run — the CSV and image runs add a
  confusion table and, for images, the gallery's predictions — and the bytes each sends: the
  frame, the detail message and the one-off gallery.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np

from app.data import build
from app.routes.uploads import _check_csv
from app.runs import Run
from app.schemas import RunConfigModel
from app.settings import Settings
from app.uploads import UploadStore
from engine.loaders import synthetic_images


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_csv(rows: int = 10_000, columns: int = 10, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, columns - 1))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    lines = [",".join(f"f{j}" for j in range(columns - 1)) + ",label"]
    lines += [",".join(f"{v:.5f}" for v in x) + f",{t}" for x, t in zip(X, y, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def course_sized_images() -> bytes:
    arrays = synthetic_images(m_train=209, m_test=50, size=64, seed=0)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def frame_costs(run: Run, repeats: int) -> tuple[float, float, int, int]:
    """(light frame s, heavy frame s, frame bytes, detail bytes); the bytes of one frame after
    10 iterations, as at the default speed of 10 iterations per frame."""
    light = median_seconds(lambda: run.build_frame(heavy=False), repeats)
    heavy = median_seconds(lambda: run.build_frame(heavy=True), repeats)
    run.owner_view.take()
    run.train(10)
    run.build_frame(heavy=True)
    _, frame, detail = run.owner_view.take()
    return light, heavy, len(frame), len(detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    settings = Settings()
    store = UploadStore(settings.max_uploads, settings.max_upload_store_bytes, 3600)
    csv_bytes, image_bytes = big_csv(), course_sized_images()
    csv = store.add("big.csv", csv_bytes)
    images = store.add("cats.npz", image_bytes)
    configs = {
        "flower (reference)": RunConfigModel(),
        "CSV 10,000 × 9 → [9, 8, 1]": RunConfigModel.model_validate(
            {
                "dataset": {"kind": "csv", "upload": csv.id, "label": "label"},
                "layers": [{"units": 8}],
            }
        ),
        "images 259 × 64·64·3 → [12288, 20, 7, 5, 1]": RunConfigModel.model_validate(
            {
                "dataset": {"kind": "images", "uploads": [images.id]},
                "layers": [{"units": n, "activation": "relu"} for n in (20, 7, 5)],
                "init": {"name": "xavier"},
                "learning_rate": 0.0075,
            }
        ),
    }
    print(f"CSV file {len(csv_bytes) / 1e6:.2f} MB, image file {len(image_bytes) / 1e6:.2f} MB")
    check = median_seconds(lambda: _check_csv("big.csv", csv_bytes, settings, store), repeats)
    print(f"POST /api/uploads check of the CSV: {check * 1e3:.0f} ms")
    print(f"sandbox isolation: {store.sandbox.isolation}")
    print(
        f"{'run':46} {'build run':>10} {'cached':>9} {'s/iter':>9} {'frame':>8} {'heavy':>8} "
        f"{'frame B':>8} {'detail B':>9} {'gallery B':>10}"
    )
    reference = None
    for name, config in configs.items():

        def parse(c=config):
            store._parsed.clear()  # a parse in the sandbox, as the first run from a file
            build(c.dataset, settings, store)

        built = median_seconds(parse, repeats)
        cached = median_seconds(lambda c=config: build(c.dataset, settings, store), repeats)
        run = Run(config, settings, store)
        run.train(5)  # warm the workspaces
        per_iteration = median_seconds(lambda r=run: r.train(20), repeats) / 20
        light, heavy, frame_bytes, detail_bytes = frame_costs(run, repeats)
        gallery = len(run.gallery_message()) if run.data.gallery is not None else 0
        reference = reference or light
        print(
            f"{name:46} {built * 1e3:8.1f}ms {cached * 1e3:7.1f}ms {per_iteration * 1e3:7.2f}ms "
            f"{light * 1e3:6.2f}ms {heavy * 1e3:6.2f}ms {frame_bytes:8d} {detail_bytes:9d} "
            f"{gallery:10d}   (frame {light / reference:.1f}× the reference)"
        )
    store.close()


if __name__ == "__main__":
    main()
