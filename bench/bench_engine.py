"""Benchmark: nnplay's NumPy engine vs the course's textbook implementation (vs PyTorch eager).

Run by hand (never part of the test suite):

    python bench/bench_engine.py                      # all workloads, 15 rounds of 0.2 s blocks
    python bench/bench_engine.py --quick              # smoke test (a few seconds)
    python bench/bench_engine.py --only W1,W3 --repeats 25 --block 0.3 --json bench/results/x.json
    python bench/bench_engine.py --only W4 --profile  # cProfile one engine block per workload

Method (see bench/README.md): for every workload the contenders are timed INTERLEAVED in one
process -- round r runs one timed block of each (engine, textbook, torch), the order rotating
from round to round -- so that the machine's second-to-second speed swings hit all of them
alike. Each round gives a paired ratio engine_rate / textbook_rate; the reported speed-up is
the median of those paired ratios (with its interquartile range), and the reported rates are
the medians over rounds. Blocks are sized during a warm-up so that each lasts ~``--block`` s.

Before timing, a sanity check proves both sides compute the same thing: from identical
parameters one engine step and one textbook iteration must give the same cost and the same
updated parameters (np.allclose, rtol 1e-9); the grid workload's float32 maps must match the
textbook's float64 forward pass to ~1e-5.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import textbook as tb  # noqa: E402
from bench import torch_ref  # noqa: E402

# --------------------------------------------------------------------------- workloads

BOUNDS = (-4.0, 4.0, -4.0, 4.0)  # x1_min, x1_max, x2_min, x2_max for the W5 grids


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    m: int
    kind: str  # "full" | "minibatch" | "grid"
    target: float
    learning_rate: float
    init: str  # textbook init: "random" (randn * 0.01) or "sqrt" (randn / sqrt(n_prev))
    data: str = "gauss"  # "gauss" (N(0,1) points, Y = x1*x2 > 0) or "images" (U[0,1), random Y)
    batch_size: int | None = None
    unit: str = "it/s"
    seed: int = 1


WORKLOADS = {
    w.key: w
    for w in (
        Workload(
            "W1", "flower [2,4,1] tanh, m=400, full batch",
            (2, 4, 1), ("tanh", "sigmoid"), 400, "full", 3.0, 1.2, "random",
        ),
        Workload(
            "W2", "deep [2,8,8,8,8,1] relu, m=1000, full batch",
            (2, 8, 8, 8, 8, 1), ("relu",) * 4 + ("sigmoid",), 1000, "full", 1.5, 0.1, "sqrt",
        ),
        Workload(
            "W3", "mini-batch [2,8,8,1] tanh, m=1000, batch 10",
            (2, 8, 8, 1), ("tanh", "tanh", "sigmoid"), 1000, "minibatch", 3.0, 0.1, "random",
            batch_size=10, unit="steps/s",
        ),
        Workload(
            "W4", "cat-sized [12288,20,7,5,1] relu, m=209, full batch",
            (12288, 20, 7, 5, 1), ("relu",) * 3 + ("sigmoid",), 209, "full", 1.3, 0.0075, "sqrt",
            data="images",
        ),
        Workload(
            "W5", "grid: W2 net P(y=1) on 200x200 + hidden maps on 50x50",
            (2, 8, 8, 8, 8, 1), ("relu",) * 4 + ("sigmoid",), 1000, "grid", 2.0, 0.1, "sqrt",
            unit="frames/s",
        ),
    )
}  # fmt: skip


def make_data(w: Workload):
    """Seeded float64 data: X (n_x, m), Y (1, m)."""
    rng = np.random.default_rng(1000 + w.seed)
    n_x = w.layer_dims[0]
    if w.data == "images":
        X = rng.random((n_x, w.m))  # like flattened 64x64x3 images / 255
        Y = (rng.random((1, w.m)) < 0.5).astype(np.float64)
    else:
        X = rng.standard_normal((n_x, w.m))
        Y = (X[0:1] * X[1:2] > 0).astype(np.float64)
    return X, Y


def make_parameters(w: Workload):
    """The identical float64 starting point every contender is given."""
    rng = np.random.default_rng(w.seed)
    return tb.initialize_parameters_deep(list(w.layer_dims), rng, init=w.init)


def copy_params(p):
    return {k: np.array(v, copy=True) for k, v in p.items()}


def grid_points(bounds, resolution):
    """Course-style grid as a (2, resolution**2) float64 array; row = x2, col = x1, C-order."""
    x1s = np.linspace(bounds[0], bounds[1], resolution)
    x2s = np.linspace(bounds[2], bounds[3], resolution)
    xx, yy = np.meshgrid(x1s, x2s)
    return np.c_[xx.ravel(), yy.ravel()].T


# --------------------------------------------------------------------------- engine adapter


class EngineUnavailableError(RuntimeError):
    pass


def load_engine():
    try:
        from engine import Network
    except Exception as exc:  # ImportError, or the engine mid-edit
        raise EngineUnavailableError(f"`from engine import Network` failed: {exc!r}") from exc
    return Network


class EngineAdapter:
    """The only place that touches the engine's API (adapt here if it changes)."""

    def __init__(self, Network, w: Workload, params):
        self.w = w
        self.net = Network(
            layer_dims=list(w.layer_dims),
            activations=list(w.activations),
            init="random",
            init_scale=0.01,
            seed=3,
        )
        self.set_parameters(params)

    def set_parameters(self, params):
        self.net.set_parameters(params)

    @property
    def parameters(self):
        return self.net.parameters

    def step(self, X, Y, lr):
        return self.net.step(X, Y, learning_rate=lr)

    def fit(self, X, Y, lr, iterations, batch_size, seed):
        return self.net.fit(
            X, Y, learning_rate=lr, iterations=iterations, batch_size=batch_size, seed=seed
        )

    def proba_grid(self, resolution=200):
        return self.net.predict_proba_grid(bounds=BOUNDS, resolution=resolution)

    def hidden_grids(self, resolution=50):
        return self.net.hidden_activation_grids(bounds=BOUNDS, resolution=resolution)


# --------------------------------------------------------------------------- contenders
#
# A contender has prepare(round_index) -- untimed, resets its state to the common start -- and
# run(n) -- the timed block of n units of work (iterations / mini-batch steps / frames).


class Contender:
    name = "?"

    def prepare(self, r):  # untimed
        pass

    def run(self, n):  # timed
        raise NotImplementedError


class EngineFull(Contender):
    name = "engine"

    def __init__(self, eng, X, Y, p0, lr):
        self.eng, self.X, self.Y, self.p0, self.lr = eng, X, Y, p0, lr

    def prepare(self, r):
        self.eng.set_parameters(self.p0)

    def run(self, n):
        step, X, Y, lr = self.eng.net.step, self.X, self.Y, self.lr
        for _ in range(n):
            step(X, Y, learning_rate=lr)


class TextbookFull(Contender):
    name = "textbook"

    def __init__(self, w, X, Y, p0):
        self.w, self.X, self.Y, self.p0 = w, X, Y, p0

    def prepare(self, r):
        self.params = copy_params(self.p0)

    def run(self, n):
        self.params, _ = tb.L_layer_model(
            self.X, self.Y, self.params, list(self.w.activations), self.w.learning_rate, n
        )


class TorchFull(Contender):
    name = "torch"

    def __init__(self, w, X, Y, p0):
        self.w, self.p0 = w, p0
        self.net = torch_ref.TorchNet(p0, w.activations)
        self.X, self.Y = torch_ref.to_tensor(X), torch_ref.to_tensor(Y)

    def prepare(self, r):
        self.net.set_parameters(self.p0)

    def run(self, n):
        step, X, Y, lr = self.net.step, self.X, self.Y, self.w.learning_rate
        for _ in range(n):
            step(X, Y, lr)


class EngineMinibatch(EngineFull):
    def __init__(self, eng, X, Y, p0, lr, batch_size):
        super().__init__(eng, X, Y, p0, lr)
        self.batch_size = batch_size
        self.r = 0

    def prepare(self, r):
        super().prepare(r)
        self.r = r

    def run(self, n):
        self.eng.fit(self.X, self.Y, self.lr, n, self.batch_size, seed=self.r)


class TextbookMinibatch(TextbookFull):
    def prepare(self, r):
        super().prepare(r)
        self.rng = np.random.default_rng(r)

    def run(self, n):
        w = self.w
        self.params, _ = tb.minibatch_model(
            self.X, self.Y, self.params, list(w.activations), w.learning_rate, n,
            w.batch_size, self.rng,
        )  # fmt: skip


class TorchMinibatch(TorchFull):
    def prepare(self, r):
        super().prepare(r)
        self.gen = torch_ref.make_generator(r)

    def run(self, n):
        w = self.w
        self.net.fit_minibatch(self.X, self.Y, w.learning_rate, n, w.batch_size, self.gen)


class EngineGrid(Contender):
    """One frame = P(y=1) on the 200x200 grid + every hidden unit on the 50x50 grid."""

    name = "engine"

    def __init__(self, eng):
        self.eng = eng

    def run(self, n):
        net = self.eng.net
        for _ in range(n):
            net.predict_proba_grid(bounds=BOUNDS, resolution=200)
            net.hidden_activation_grids(bounds=BOUNDS, resolution=50)


def textbook_frame(params, activations):
    """The course's way: build the grids in float64, forward, reshape."""
    Xg = grid_points(BOUNDS, 200)
    P = tb.forward_only(Xg, params, activations).reshape(200, 200)
    Xh = grid_points(BOUNDS, 50)
    A_list = tb.forward_all_activations(Xh, params, activations)
    maps = [A.reshape(A.shape[0], 50, 50) for A in A_list[:-1]]
    return P, maps


class TextbookGrid(Contender):
    name = "textbook"

    def __init__(self, w, params):
        self.params, self.acts = params, list(w.activations)

    def run(self, n):
        for _ in range(n):
            textbook_frame(self.params, self.acts)


class TorchGrid(Contender):
    name = "torch"

    def __init__(self, w, params):
        self.net = torch_ref.TorchNet(params, w.activations)

    def run(self, n):
        torch = torch_ref.torch
        for _ in range(n):
            with torch.no_grad():
                for res in (200, 50):
                    x1 = torch.linspace(BOUNDS[0], BOUNDS[1], res, dtype=torch.float64)
                    x2 = torch.linspace(BOUNDS[2], BOUNDS[3], res, dtype=torch.float64)
                    yy, xx = torch.meshgrid(x2, x1, indexing="ij")
                    Xg = torch.stack((xx.reshape(-1), yy.reshape(-1)))
                    if res == 200:
                        self.net.predict_proba(Xg).reshape(200, 200)
                    else:
                        A_list = self.net.forward_all(Xg)
                        [A.reshape(A.shape[0], 50, 50) for A in A_list[:-1]]


# --------------------------------------------------------------------------- sanity checks


class SanityError(RuntimeError):
    pass


def _compare_params(label, got, want, rtol=1e-9, atol=1e-12):
    missing = set(want) - set(got)
    if missing:
        raise SanityError(f"{label}: parameters missing keys {sorted(missing)}")
    worst = 0.0
    for k in want:
        g, e = np.asarray(got[k]), np.asarray(want[k])
        if g.shape != e.shape:
            raise SanityError(f"{label}: {k} has shape {g.shape}, expected {e.shape}")
        if not np.allclose(g, e, rtol=rtol, atol=atol):
            diff = float(np.max(np.abs(g - e)))
            raise SanityError(
                f"{label}: updated {k} differs from the textbook (max |diff| {diff:g})"
            )
        worst = max(worst, float(np.max(np.abs(g - e))) if g.size else 0.0)
    return worst


def sanity_step(w, Network, X, Y, p0, with_torch):
    """One engine step and one textbook iteration from identical parameters must agree."""
    if w.kind == "minibatch":  # check one mini-batch update on the first batch
        X, Y = X[:, : w.batch_size], Y[:, : w.batch_size]
    lr = w.learning_rate
    cost_t, params_t = tb.one_iteration(X, Y, copy_params(p0), list(w.activations), lr)
    cost_t = float(cost_t)
    report = {"textbook_cost": cost_t}

    eng = EngineAdapter(Network, w, copy_params(p0))
    start = eng.parameters
    _compare_params(f"{w.key} engine set_parameters round-trip", start, p0, rtol=0, atol=0)
    cost_e = float(eng.step(X, Y, lr))
    if not np.isclose(cost_e, cost_t, rtol=1e-9, atol=1e-12):
        raise SanityError(
            f"{w.key}: engine step cost {cost_e!r} != textbook cost {cost_t!r} "
            "from identical parameters -- the engine and the textbook do not compute the same thing"
        )
    report["engine_cost"] = cost_e
    report["engine_max_param_diff"] = _compare_params(f"{w.key} engine", eng.parameters, params_t)

    if with_torch:
        tnet = torch_ref.TorchNet(p0, w.activations)
        cost_p = tnet.step(torch_ref.to_tensor(X), torch_ref.to_tensor(Y), lr)
        if not np.isclose(cost_p, cost_t, rtol=1e-9, atol=1e-12):
            raise SanityError(f"{w.key}: torch cost {cost_p!r} != textbook cost {cost_t!r}")
        report["torch_cost"] = cost_p
        report["torch_max_param_diff"] = _compare_params(
            f"{w.key} torch", tnet.parameters, params_t
        )
    return report


def trained_grid_params(w, X, Y):
    """W2's net after 300 textbook iterations, so the maps are not a flat 0.5."""
    p = make_parameters(w)
    p, _ = tb.L_layer_model(X, Y, p, list(w.activations), w.learning_rate, 300)
    return p


def sanity_grid(w, eng, params, with_torch, tol=1e-5):
    P_t, maps_t = textbook_frame(params, list(w.activations))
    P_e = np.asarray(eng.proba_grid(200))
    if P_e.shape != (200, 200):
        raise SanityError(f"W5: engine predict_proba_grid shape {P_e.shape}, expected (200, 200)")
    dP = float(np.max(np.abs(P_e.astype(np.float64) - P_t)))
    if dP > tol:
        raise SanityError(f"W5: engine P grid differs from the textbook by {dP:g} (> {tol:g})")
    maps_e = eng.hidden_grids(50)
    if len(maps_e) != len(maps_t):
        raise SanityError(f"W5: engine returned {len(maps_e)} hidden maps, expected {len(maps_t)}")
    dH = 0.0
    for layer, (a, b) in enumerate(zip(maps_e, maps_t, strict=True), start=1):
        a = np.asarray(a, dtype=np.float64)
        if a.shape != b.shape:
            raise SanityError(f"W5: hidden layer {layer} map shape {a.shape}, expected {b.shape}")
        scale = max(1.0, float(np.max(np.abs(b))))
        d = float(np.max(np.abs(a - b)))
        dH = max(dH, d / scale)
    if dH > tol:
        raise SanityError(f"W5: engine hidden maps differ from the textbook by {dH:g} (> {tol:g})")
    report = {
        "engine_P_max_abs_diff": dP,
        "engine_hidden_max_rel_diff": dH,
        "P_range": [float(P_t.min()), float(P_t.max())],
        "engine_dtype": str(P_e.dtype),
    }
    if with_torch:
        tn = torch_ref.TorchNet(params, w.activations)
        Pp = tn.predict_proba(torch_ref.to_tensor(grid_points(BOUNDS, 200))).numpy()
        report["torch_P_max_abs_diff"] = float(np.max(np.abs(Pp.reshape(200, 200) - P_t)))
    return report


# --------------------------------------------------------------------------- timing


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""What a block is timed with: wall time (the default), or the process's CPU time, which leaves
out the time the process waited for a core on a loaded machine (for the single-threaded small
workloads W1-W3 it is the work itself; with BLAS threads it also counts their CPU)."""

clock = CLOCKS["wall"]


def _time_block(c: Contender, n: int, r: int) -> float:
    c.prepare(r)
    t0 = clock()
    c.run(n)
    return clock() - t0


def calibrate(c: Contender, block: float) -> tuple[int, float]:
    """Warm up, then pick n so that one block lasts ~`block` seconds."""
    # Warm-up: first calls pay for imports, allocation of workspaces, BLAS thread start-up,
    # torch's autograd set-up... Run single units for at least max(block, 0.1) s.
    t_end = time.perf_counter() + max(block, 0.1)
    calls = 0
    while calls < 3 or time.perf_counter() < t_end:
        _time_block(c, 1, 0)
        calls += 1
    n, elapsed = 1, 0.0
    while True:
        elapsed = _time_block(c, n, 0)
        if elapsed >= block / 4 or n >= 1 << 22:
            break
        n *= 2
    n = max(1, round(n * block / elapsed))
    _time_block(c, n, 0)  # one full-size warm-up block
    return n, elapsed


def _quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def time_interleaved(contenders, repeats, block):
    ns = {}
    for c in contenders:
        ns[c.name], _ = calibrate(c, block)
    rates = {c.name: [] for c in contenders}
    k = len(contenders)
    for r in range(repeats):
        order = [contenders[(r + j) % k] for j in range(k)]  # rotate: A,B,C / B,C,A / C,A,B
        for c in order:
            dt = _time_block(c, ns[c.name], r + 1)
            rates[c.name].append(ns[c.name] / dt)
    return ns, rates


def summarize(ns, rates):
    out = {"n_per_block": ns, "rates": rates}
    out["median_rate"] = {k: statistics.median(v) for k, v in rates.items()}
    for other in ("textbook", "torch"):
        if "engine" in rates and other in rates:
            ratios = [a / b for a, b in zip(rates["engine"], rates[other], strict=True)]
            q1, q3 = _quartiles(ratios)
            out[f"engine_over_{other}"] = {
                "ratios": ratios,
                "median": statistics.median(ratios),
                "q1": q1,
                "q3": q3,
            }
    return out


# --------------------------------------------------------------------------- driver


def build_contenders(w, Network, with_torch):
    X, Y = make_data(w)
    if w.kind == "grid":
        params = trained_grid_params(w, X, Y)
        eng = EngineAdapter(Network, w, params) if Network else None
        cs = [EngineGrid(eng)] if eng else []
        cs.append(TextbookGrid(w, params))
        if with_torch:
            cs.append(TorchGrid(w, params))
        return cs, (X, Y, params, eng)
    p0 = make_parameters(w)
    cs = []
    eng = None
    if Network:
        eng = EngineAdapter(Network, w, p0)
        if w.kind == "minibatch":
            cs.append(EngineMinibatch(eng, X, Y, p0, w.learning_rate, w.batch_size))
        else:
            cs.append(EngineFull(eng, X, Y, p0, w.learning_rate))
    if w.kind == "minibatch":
        cs.append(TextbookMinibatch(w, X, Y, p0))
        if with_torch:
            cs.append(TorchMinibatch(w, X, Y, p0))
    else:
        cs.append(TextbookFull(w, X, Y, p0))
        if with_torch:
            cs.append(TorchFull(w, X, Y, p0))
    return cs, (X, Y, p0, eng)


def profile_engine(c: Contender, n: int, top: int = 25) -> str:
    c.prepare(0)
    prof = cProfile.Profile()
    prof.enable()
    c.run(n)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(top)
    return s.getvalue()


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    """The 1-minute load average (None where the OS has none): more than ~0 means other
    processes share the CPUs, which widens the spread of the rates (the ratios are paired, but
    a 2-thread BLAS call whose second thread is descheduled still stalls)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def environment():
    return {
        "loadavg_1min_at_start": load_average(),
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch_ref.version(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def fmt_rate(x):
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def markdown_table(results):
    lines = [
        "| workload | engine it/s | textbook it/s | torch it/s | engine/textbook "
        "(median of paired ratios, IQR) | target | met? |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for key, res in results.items():
        w = WORKLOADS[key]
        med = res["median_rate"]
        ratio = res.get("engine_over_textbook")
        if ratio:
            rtxt = f"{ratio['median']:.2f}x ({ratio['q1']:.2f}–{ratio['q3']:.2f})"
            met = "yes" if ratio["median"] >= w.target else "**no**"
        else:
            rtxt, met = "–", "–"
        unit = "" if w.unit == "it/s" else f" {w.unit}"
        lines.append(
            f"| {key} {w.title} | {fmt_rate(med.get('engine'))}{unit} | "
            f"{fmt_rate(med.get('textbook'))} | {fmt_rate(med.get('torch'))} | {rtxt} | "
            f">= {w.target:g}x | {met} |"
        )
    return "\n".join(lines)


def warm_allocator(nbytes=24 * 2**20):
    """Allocate and free one ~24 MB block so glibc raises its dynamic mmap threshold.

    Without this, multi-megabyte temporaries (the textbook's W5 grid arrays) are mmap'ed and
    page-faulted afresh on every allocation until the process happens to free a big block --
    e.g. after W4 has run. Doing it up front makes every workload's numbers independent of
    which workloads ran before it (and favours the textbook, never the engine).
    """
    block = np.ones(nbytes // 8)
    del block


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15, help="interleaved rounds (default 15)")
    ap.add_argument("--block", type=float, default=0.2, help="seconds per timed block (0.2)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 3 rounds of 0.03 s blocks")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    ap.add_argument("--json", metavar="PATH", help="write all results (raw rates too) as JSON")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    ap.add_argument(
        "--no-engine",
        action="store_true",
        help="time textbook/torch only (e.g. while the engine does not exist yet)",
    )
    ap.add_argument(
        "--profile", action="store_true", help="also cProfile one engine block per workload"
    )
    ap.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="time blocks by wall time (default) or by the process's CPU time (robust to a "
        "loaded machine for the single-threaded W1-W3)",
    )
    ap.add_argument(
        "--no-malloc-warmup",
        action="store_true",
        help="skip the allocator warm-up (fresh-process malloc behaviour; see warm_allocator)",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.block = 3, 0.03
    keys = [k.strip().upper() for k in args.only.split(",") if k.strip()] or list(WORKLOADS)
    bad = [k for k in keys if k not in WORKLOADS]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {', '.join(WORKLOADS)}")
    args.keys = keys
    return args


def main(argv=None):
    global clock
    args = parse_args(argv)
    clock = CLOCKS[args.clock]
    env = environment()
    env["clock"] = args.clock
    if not args.no_malloc_warmup:
        warm_allocator()
    with_torch = torch_ref.AVAILABLE and not args.no_torch
    Network = None
    if not args.no_engine:
        try:
            Network = load_engine()
        except EngineUnavailableError as exc:
            print(f"ERROR: {exc}\n(use --no-engine to time textbook/torch only)", file=sys.stderr)
            return 2

    print(
        f"# nnplay engine benchmark — {env['date']}\n"
        f"python {env['python']}, numpy {env['numpy']}, torch {env['torch'] or 'not installed'}"
        f"{'' if with_torch else ' (skipped)'}\n"
        f"CPU: {env['cpu']} ({env['cpus']} logical CPUs); "
        f"{args.repeats} interleaved rounds of ~{args.block:g} s blocks ({args.clock} clock)"
        f"{'' if not args.no_malloc_warmup else '; no allocator warm-up'}\n"
        f"load average (1 min) at start: {env['loadavg_1min_at_start']}\n"
    )
    if not with_torch and torch_ref.AVAILABLE is False:
        print(f"torch columns skipped: {torch_ref.UNAVAILABLE_REASON}\n")

    results, sanity, profiles = {}, {}, {}
    for key in args.keys:
        w = WORKLOADS[key]
        contenders, (X, Y, params, eng) = build_contenders(w, Network, with_torch)
        if Network is not None:
            try:
                if w.kind == "grid":
                    sanity[key] = sanity_grid(w, eng, params, with_torch)
                else:
                    sanity[key] = sanity_step(w, Network, X, Y, params, with_torch)
            except SanityError as exc:
                print(f"SANITY CHECK FAILED — aborting, the comparison would be invalid:\n  {exc}")
                return 1
            print(f"{key}: sanity OK {json.dumps(sanity[key], default=float)}")
        ns, rates = time_interleaved(contenders, args.repeats, args.block)
        results[key] = summarize(ns, rates)
        results[key]["loadavg_1min_after"] = load_average()
        med = results[key]["median_rate"]
        ratio = results[key].get("engine_over_textbook", {}).get("median")
        print(
            f"{key}: n/block {ns}; median {w.unit}: "
            + ", ".join(f"{k} {fmt_rate(v)}" for k, v in med.items())
            + (f"; engine/textbook {ratio:.2f}x" if ratio else "")
            + f"; load average {results[key]['loadavg_1min_after']}",
            flush=True,
        )
        if args.profile and Network is not None:
            prof = profile_engine(contenders[0], ns["engine"])
            profiles[key] = prof
            print(f"\n## cProfile of one engine block ({key}, n={ns['engine']})\n{prof}")

    print("\n" + markdown_table(results) + "\n")
    print(
        "it/s = training iterations (forward + cost + backward + update) per second; "
        "W3 = mini-batch updates/s; W5 = frames/s (200x200 P grid + 50x50 hidden maps)."
    )
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "environment": env,
            "args": {
                "repeats": args.repeats,
                "block": args.block,
                "only": args.keys,
                "malloc_warmup": not args.no_malloc_warmup,
            },
            "torch_used": with_torch,
            "workloads": {
                k: {
                    "title": WORKLOADS[k].title,
                    "unit": WORKLOADS[k].unit,
                    "target": WORKLOADS[k].target,
                    **results[k],
                    "sanity": sanity.get(k),
                }
                for k in results
            },
            "table": markdown_table(results),
            "profiles": profiles,
        }
        path.write_text(json.dumps(payload, indent=2, default=float))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
