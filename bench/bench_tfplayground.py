"""nnplay side by side with TensorFlow Playground in one Chromium, on TF Playground's problems.

    python bench/bench_tfplayground.py --setup         # once: fetch and build TF Playground
    python bench/bench_tfplayground.py --setup --source ../playground  # a clone or bare git dir
    python bench/bench_tfplayground.py                 # 5 rounds of circle, xor, spiral
    python bench/bench_tfplayground.py --rounds 3 --problems circle,xor --seconds 5 --json o.json
    python bench/bench_tfplayground.py --base-root /tmp/base     # + the nnplay of another checkout
    python bench/bench_tfplayground.py --check-accuracy --rounds 3   # the accuracy read, checked

Setup (`--setup`) takes TF Playground's public source (`git clone
https://github.com/tensorflow/playground`, or `--source` a clone, a bare git dir or a plain
directory), applies bench/tfplayground/bench-hook.patch (one counter, below) and builds it with
its own pinned toolchain (`npm ci && npm run build`, node 20) into bench/.cache/playground
(git-ignored). Nothing else is downloaded at run time: the run serves that build on loopback
from a thread of this process, and every host but loopback fails to resolve in its Chromium
(bench/chromium.py OFFLINE_ARGS: TF Playground's Google fonts and analytics), counted in the
report. (Until 2026-12-02 they were aborted by Playwright's request routing, which also passed
every loopback request through the Python client: ~90 ms more of nnplay's cold load.)

Each trial is a fresh browser context (empty cache: a cold load) of one system on one problem:

* TF Playground with its own defaults for everything but the dataset (URL hash `#dataset=circle`,
  `xor` or `spiral`, and `seed`): 500 points, 50 % train, noise 0, network 4, 2 tanh, learning
  rate 0.03, batch 10; one epoch (25 updates) per animation frame;
* nnplay, a real `nnplay serve` subprocess on a free port (of this checkout, or of
  `--nnplay-root`, e.g. a `git worktree` of the commit to compare with), on its equivalent
  dataset (`circles`, `xor`, `spiral`) with TF Playground's data settings and architecture
  (`size=500`, `noise=0`, `train=0.5`, `layers=4:tanh,2:tanh`, seeds `dseed` and `seed`) and
  nnplay's defaults for the rest, speed included (never set: it is read back from the page's
  `#speed` control).

and measures, from play pressed (a click on `#play-pause-button` / `#play`, timed in the page):

* time to 95 % test accuracy. TF Playground shows the test loss only, so the patch counts, in the
  loop that already computes that loss (no extra forward pass), the test points whose output has
  the label's sign (the class its boundary shows) and exposes the share as `window.tfpBench`;
  nnplay's is the test accuracy its page shows (`#test-acc`). Both are read at every animation
  frame; a trial that has not reached 95 % after `--timeout` seconds is a timeout;
* boundaries drawn per second, over `--seconds` from 0.5 s after play: TF Playground's, the
  animation frames in which its decision-boundary canvas (`#heatmap canvas`) got a new image
  (putImageData wrapped by an init script); nnplay's, its page's own counter
  (`window.nnplayStats.boundaryDraws`, static/js/stats.js), with frames received beside it and, as
  a cross-check that does not trust the page, the animation frames in which any 2-D canvas of at
  least 64 x 64 got putImageData/drawImage;
* browser CPU over the same window, in cores: every Chromium process (browser, renderers, GPU,
  utilities) from /proc/<pid>/stat; and for nnplay its server's CPU beside it;
* cold load to the first trained boundary: navigation start to the first boundary of an
  iteration > 0 drawn, play being clicked as soon as the page can take it.

Trials are interleaved: in each round every problem runs TF Playground and nnplay back to back
(and `base`, the nnplay of `--base-root`, e.g. a worktree of the commit before a change; which
goes first alternates by round); round r seeds both with r + 1 (TF Playground's `seed`
string, nnplay's data and initialization seeds). The report gives
medians per problem and the median of per-pair ratios nnplay / TF (< 1: nnplay takes less).
Not a test: run by hand; results in bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS, OFFLINE_ARGS  # bench/chromium.py
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "playground"
PATCH = HERE / "tfplayground" / "bench-hook.patch"
UPSTREAM = "https://github.com/tensorflow/playground"

VIEWPORT = {"width": 1280, "height": 800}
PROBLEMS = {"circle": "circles", "xor": "xor", "spiral": "spiral"}  # TF name -> nnplay name
SYSTEMS = ("tf", "nnplay", "base")  # base: an nnplay of another checkout (--base-root)
TARGET_ACCURACY = 0.95
WARMUP_S = 0.5
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Setup: fetch and build TF Playground


def _run(cmd: list[str], cwd: Path) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def _export_source(source: str | None, into: Path) -> str:
    """Put TF Playground's files into `into`; returns where they came from (commit if known)."""
    if source is None:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                _run(["git", "clone", "--depth", "1", UPSTREAM, tmp + "/playground"], Path(tmp))
            except subprocess.CalledProcessError:
                raise SystemExit(
                    f"could not clone {UPSTREAM}: clone it where you can and pass --source"
                ) from None
            return _export_source(tmp + "/playground", into)
    path = Path(source).resolve()
    git_dir = path / ".git" if (path / ".git").exists() else path
    is_git = (git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir()
    if is_git:
        commit = subprocess.run(
            ["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        archive = subprocess.run(
            ["git", "--git-dir", str(git_dir), "archive", "--format=tar", "HEAD"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        return f"{UPSTREAM} @ {commit}"
    if not (path / "src" / "playground.ts").is_file():
        raise SystemExit(f"{path} holds no TF Playground source (no src/playground.ts)")
    shutil.copytree(
        path,
        into,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("node_modules", "dist", ".git"),
    )
    return f"{path.name} (a plain directory, commit unknown)"


def setup(source: str | None) -> None:
    """Fetch, patch and build TF Playground into CACHE (a build that succeeded replaces it)."""
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed (node 20): apt-get install -y nodejs npm")
    work = CACHE.with_name(CACHE.name + ".new")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        info = _build(source, work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if CACHE.exists():
        shutil.rmtree(CACHE)
    work.rename(CACHE)
    print(f"built TF Playground into {CACHE / 'dist'}: {info}")


def _build(source: str | None, work: Path) -> dict:
    origin = _export_source(source, work)
    # The patch only adds a read-only counter (see bench/tfplayground/README.md).
    _run(["patch", "-p1", "--forward", "-i", str(PATCH)], work)
    # Its package-lock.json pins its whole toolchain (browserify + tsify + TypeScript 2.9 +
    # uglify-js 2), which builds unchanged on node 20: install exactly that.
    _run(["npm", "ci", "--no-audit", "--no-fund"], work)
    (work / "dist").mkdir(exist_ok=True)
    _run(["npm", "run", "build"], work)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    info = {
        "source": origin,
        "patch": PATCH.name,
        "node": node,
        "built": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    (work / "BUILD.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


# ---------------------------------------------------------------------------------------------
# Servers: TF Playground's build on loopback, nnplay as a real `nnplay serve`


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass  # no access log on the console


def serve_static(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nnplay(root: Path) -> tuple[subprocess.Popen, str]:
    """`nnplay serve` of the checkout `root` (its own app/, static/, templates/) on a free port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"nnplay serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "api/options", timeout=1) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("nnplay serve did not answer within 30 s")


# ---------------------------------------------------------------------------------------------
# CPU from /proc


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime + stime ticks) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _find_pid(tag: str) -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if tag.encode() in f.read():
                        return int(entry)
            except OSError:
                pass
    return None


def tree_ticks(root: int) -> dict[int, int]:
    """CPU ticks of `root` and all its descendants, by pid."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out[pid] = table[pid][1]
            todo.extend(children.get(pid, []))
    return out


def busy_ticks() -> int:
    """CPU ticks the whole machine spent busy (all cores, /proc/stat), for the others' load."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def cores(before: dict[int, int], after: dict[int, int], seconds: float) -> float:
    """CPU over the interval, in cores (processes born during it count from zero)."""
    ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
    return ticks / CLK_TCK / seconds


# ---------------------------------------------------------------------------------------------
# In-page hooks

# Installed before any page script. Counts, per animation frame, the canvases that got a new
# image; records when play was clicked, when the test accuracy first reached the target and
# when the first trained boundary was drawn. `cfg` is filled in per system.
HOOKS = r"""
(cfg) => {
  const B = window.__bench = { tick: 0, playAt: null, reachedAt: null, reachedIter: null,
    firstTrainedAt: null, boundaryTicks: 0, bigCanvasTicks: 0, lastAcc: null };
  let boundaryTick = -1, bigTick = -1, boundaryCanvas = null;
  const T = () => window.tfpBench;
  const readTf = () => T() ? [T().testAccuracy, T().iter] : null;
  const readNn = () => {
    const acc = document.getElementById('test-acc'), it = document.getElementById('iteration');
    if (!acc || !it) return null;
    const v = parseFloat(acc.textContent);
    return Number.isFinite(v) ? [v / 100, Number(it.dataset.value || 0)] : null;
  };
  const read = cfg.kind === 'tf' ? readTf : readNn;
  const note = (canvas) => {
    if (!canvas) return;
    if (cfg.kind === 'tf') {
      boundaryCanvas = boundaryCanvas || document.querySelector('#heatmap canvas');
      if (canvas === boundaryCanvas) {
        if (boundaryTick !== B.tick) { boundaryTick = B.tick; B.boundaryTicks++; }
        if (B.playAt !== null && B.firstTrainedAt === null && T() && T().iter > 0) {
          B.firstTrainedAt = performance.now();
        }
      }
    }
    if (canvas.width >= 64 && canvas.height >= 64 && bigTick !== B.tick) {
      bigTick = B.tick;
      B.bigCanvasTicks++;
    }
  };
  const C2D = CanvasRenderingContext2D.prototype;
  for (const name of ['putImageData', 'drawImage']) {
    const original = C2D[name];
    C2D[name] = function (...args) { note(this.canvas); return original.apply(this, args); };
  }
  document.addEventListener('click', (e) => {
    const hit = e.target.closest && e.target.closest(cfg.play);
    if (B.playAt === null && hit) B.playAt = performance.now();
  }, true);
  const loop = () => {
    B.tick++;
    if (B.playAt !== null && B.reachedAt === null) {
      const r = read();
      if (r) {
        B.lastAcc = r[0];
        if (r[0] >= cfg.target - 1e-9 && r[1] > 0) {
          B.reachedAt = performance.now();
          B.reachedIter = r[1];
        }
      }
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}
"""

RETURNING_VISITOR = "try { localStorage.setItem('nnplay.welcome', 'dismissed') } catch (e) {}"
CONFIG = {
    "tf": {"kind": "tf", "play": "#play-pause-button", "target": TARGET_ACCURACY},
    "nnplay": {"kind": "nnplay", "play": "#play", "target": TARGET_ACCURACY},
}
# When a page can take play, and when its first trained boundary is drawn (ms from navigation).
READY = {
    "tf": "() => window.tfpBench !== undefined && !!document.querySelector('#heatmap canvas')",
    "nnplay": "() => window.nnplayStats && window.nnplayStats.firstCreatedAt !== null",
}
TRAINED_AT = {
    "tf": "() => window.__bench.firstTrainedAt",
    "nnplay": "() => window.nnplayStats.firstTrainedAt",
}
SNAPSHOT = {
    "tf": "() => ({now: performance.now(), drawn: window.__bench.boundaryTicks,"
    " big: window.__bench.bigCanvasTicks, iter: window.tfpBench.iter, received: null,"
    " boundaries: null})",
    "nnplay": "() => ({now: performance.now(), drawn: window.nnplayStats.boundaryDraws,"
    " big: window.__bench.bigCanvasTicks, iter: window.nnplayStats.drawnIteration,"
    " received: window.nnplayStats.framesReceived,"
    " boundaries: window.nnplayStats.boundariesReceived})",
}


def trial_url(kind: str, base: str, problem: str, round_index: int) -> str:
    if kind == "tf":
        return f"{base}index.html#dataset={problem}&seed={round_index + 1}"
    hash_ = urllib.parse.urlencode(
        {
            "dataset": PROBLEMS[problem],
            "size": 500,
            "noise": 0,
            "train": 0.5,
            "layers": "4:tanh,2:tanh",
            "dseed": round_index + 1,
            "seed": round_index + 1,
        },
        safe=":,",
    )
    return f"{base}#{hash_}"


# ---------------------------------------------------------------------------------------------
# One trial


def run_trial(
    browser, browser_pid: int, system: str, url: str, args, server_pid: int | None
) -> dict:
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    blocked: list[str] = []  # outside requests, which OFFLINE_ARGS make fail

    def failed(request) -> None:
        if urllib.parse.urlsplit(request.url).hostname not in ("127.0.0.1", "localhost", "::1"):
            blocked.append(request.url)

    context.on("requestfailed", failed)
    kind = "tf" if system == "tf" else "nnplay"  # "base": an nnplay of another checkout
    if kind == "nnplay":
        context.add_init_script(RETURNING_VISITOR)
    context.add_init_script(f"({HOOKS})({json.dumps(CONFIG[kind])})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    result: dict = {"system": system, "url": url}
    try:
        page.goto(url)
        page.wait_for_function(READY[kind], timeout=30_000)
        if kind == "nnplay":
            result["speed"] = page.evaluate("() => document.getElementById('speed')?.value ?? null")
        page.click(CONFIG[kind]["play"])
        page.wait_for_function(f"{TRAINED_AT[kind]} !== null", timeout=30_000)
        result["cold_first_trained_ms"] = page.evaluate(TRAINED_AT[kind])
        play_at = page.evaluate("() => window.__bench.playAt")
        # The measuring window: from WARMUP_S after play, for --seconds.
        now = page.evaluate("() => performance.now()")
        page.wait_for_timeout(max(0.0, WARMUP_S * 1000 - (now - play_at)))
        m0, b0 = busy_ticks(), tree_ticks(browser_pid)
        s0 = tree_ticks(server_pid) if server_pid else {}
        t0 = time.monotonic()
        p0 = page.evaluate(SNAPSHOT[kind])
        page.wait_for_timeout(args.seconds * 1000)
        m1, b1 = busy_ticks(), tree_ticks(browser_pid)
        s1 = tree_ticks(server_pid) if server_pid else {}
        wall = time.monotonic() - t0
        p1 = page.evaluate(SNAPSHOT[kind])
        if kind == "nnplay":  # what the page said at the end of the window (a stall shows)
            result["status"] = page.evaluate(
                "() => document.getElementById('run-status')?.textContent ?? null"
            )
        elapsed = (p1["now"] - p0["now"]) / 1000
        result["drawn_per_s"] = (p1["drawn"] - p0["drawn"]) / elapsed
        result["canvas_ticks_per_s"] = (p1["big"] - p0["big"]) / elapsed
        result["iterations_per_s"] = ((p1["iter"] or 0) - (p0["iter"] or 0)) / elapsed
        if p1["received"] is not None:
            result["received_per_s"] = (p1["received"] - p0["received"]) / elapsed
        if p1.get("boundaries") is not None and p0.get("boundaries") is not None:
            # The server sends a boundary only when it has changed: these are what can be drawn.
            got = p1["boundaries"] - p0["boundaries"]
            result["boundaries_received_per_s"] = got / elapsed
            result["drawn_of_received"] = (p1["drawn"] - p0["drawn"]) / got if got else None
        result["browser_cores"] = cores(b0, b1, wall)
        result["server_cores"] = cores(s0, s1, wall) if server_pid else 0.0
        # Everything else on the machine meanwhile (other people's jobs, this script, the
        # Playwright driver): the noise to read the numbers against.
        result["machine_cores"] = (m1 - m0) / CLK_TCK / wall
        result["other_cores"] = (
            result["machine_cores"] - result["browser_cores"] - result["server_cores"]
        )
        left = args.timeout * 1000 - (page.evaluate("() => performance.now()") - play_at)
        if left > 0:
            # A timeout is an outcome, recorded below.
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function("() => window.__bench.reachedAt !== null", timeout=left)
        bench = page.evaluate("() => window.__bench")
        reached = (
            bench["reachedAt"] is not None and bench["reachedAt"] - play_at <= args.timeout * 1000
        )
        result["time_to_target_s"] = (bench["reachedAt"] - play_at) / 1000 if reached else None
        result["iteration_at_target"] = bench["reachedIter"] if reached else None
        result["last_accuracy"] = bench["lastAcc"]
        result["timeout"] = not reached
    except Exception as e:  # a broken trial is reported, the run goes on
        result["error"] = f"{type(e).__name__}: {e}".splitlines()[0]
    finally:
        context.close()
    result["blocked_requests"] = len(blocked)
    result["blocked_hosts"] = sorted({urllib.parse.urlsplit(u).hostname or u for u in blocked})
    result["page_errors"] = errors
    return result


# ---------------------------------------------------------------------------------------------
# A check of the patch's accuracy against the page itself

# The share of test points (shown with showTestData) whose colour matches the boundary
# heatmap's colour under them (blue +1, orange -1), beside the patch's count, at one instant.
HEATMAP_ACCURACY = r"""
() => {
  const canvas = document.querySelector('#heatmap canvas');
  const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const box = canvas.getBoundingClientRect();
  let right = 0, n = 0;
  for (const c of document.querySelectorAll('#heatmap svg g.test circle')) {
    const r = c.getBoundingClientRect();
    const px = Math.floor((r.left + r.width / 2 - box.left) / box.width * canvas.width);
    const py = Math.floor((r.top + r.height / 2 - box.top) / box.height * canvas.height);
    const i = 4 * (py * canvas.width + px);
    const shown = image[i + 2] - image[i] > 0 ? 1 : -1;
    const fill = getComputedStyle(c).fill.match(/\d+/g).map(Number);
    n++;
    if (shown === (fill[2] - fill[0] > 0 ? 1 : -1)) right++;
  }
  return {heatmap: right / n, points: n, patch: window.tfpBench.testAccuracy,
    epoch: window.tfpBench.iter};
}
"""


def check_accuracy(args, problems: list[str]) -> None:
    """TF Playground paused at a few instants: the patch's test accuracy against the one its
    heatmap shows at the test points (they differ only where a point's 0.12-wide heatmap cell
    straddles the boundary)."""
    static_server, tf_base = serve_static(CACHE / "dist")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *OFFLINE_ARGS]
            )
            for problem in problems:
                for r in range(args.rounds):
                    context = browser.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    page.goto(
                        f"{tf_base}index.html#dataset={problem}&seed={r + 1}&showTestData=true"
                    )
                    page.wait_for_function(READY["tf"])
                    page.click(CONFIG["tf"]["play"])
                    page.wait_for_timeout(150 * (r + 1))
                    page.click(CONFIG["tf"]["play"])
                    page.wait_for_timeout(200)  # the last epoch drawn
                    print(problem, f"seed {r + 1}", page.evaluate(HEATMAP_ACCURACY), flush=True)
                    context.close()
            browser.close()
    finally:
        static_server.shutdown()


# ---------------------------------------------------------------------------------------------
# Report


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None:
        return "–"
    if value == float("inf"):
        return "timeout"
    return f"{value:.{digits}f}{unit}"


def machine() -> dict:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()]}


def nnplay_commit(root: Path) -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=root, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        "app",
        "engine",
        "static",
        "templates",
    )
    return commit + (" + uncommitted changes in app/engine/static/templates" if dirty else "")


INF = float("inf")
METRICS = [  # key, label, digits: the main table, TF Playground and nnplay side by side
    ("time_to_target_s", "time to 95 % test accuracy (s)", 2),
    ("drawn_per_s", "boundaries drawn per s", 1),
    ("browser_cores", "browser CPU (cores)", 2),
    ("cold_first_trained_ms", "cold load to first trained boundary (ms)", 0),
]
DETAILS = [  # key, label, digits: the second table
    ("iteration_at_target", "iterations at 95 % (TF: epochs of 25 updates)", 0),
    ("iterations_per_s", "iterations per s (TF: epochs)", 1),
    ("received_per_s", "frames received per s", 1),
    ("boundaries_received_per_s", "frames received with a new boundary per s", 1),
    ("drawn_of_received", "new boundaries received that were drawn", 2),
    ("canvas_ticks_per_s", "frames painting a 2-D canvas >= 64 px, per s", 1),
    ("server_cores", "server CPU (cores)", 2),
]


def time_of(trial: dict) -> float:
    """Seconds to the target; a timeout (or a failed trial) is infinitely long."""
    return INF if trial.get("timeout", True) else trial["time_to_target_s"]


def cell(trials: list[dict], key: str, digits: int) -> str:
    if key == "time_to_target_s":
        done = [t for t in trials if "error" not in t]
        text = fmt(median([time_of(t) for t in done]), digits)
        n_out = sum(1 for t in done if t["timeout"])
        return text + (f" ({n_out}/{len(done)} timeouts)" if n_out else "")
    return fmt(median([t[key] for t in trials if t.get(key) is not None]), digits)


def pair_ratio(pairs: list[tuple[dict, dict]], key: str) -> str:
    """Median over the rounds of nnplay / TF. For the time, a timeout is infinitely long (a
    pair where only TF timed out gives 0, only nnplay ∞; both: left out)."""
    ratios = []
    for tf, nn in pairs:
        if key == "time_to_target_s":
            a, b = time_of(tf), time_of(nn)
            if a == b == INF:
                continue
            ratios.append(0.0 if a == INF else b / a)
        elif tf.get(key) and nn.get(key) is not None:
            ratios.append(nn[key] / tf[key])
    ratio = median(ratios)
    if ratio is None:
        return "–"
    text = "∞" if ratio == INF else f"{ratio:.2f}"
    return text + (f" (of {len(ratios)} pairs)" if len(ratios) != len(pairs) else "")


def report(trials: list[dict], meta: dict) -> str:
    m0, m1 = meta["machine_start"], meta["machine_end"]
    others = [t["other_cores"] for t in trials if "other_cores" in t]
    busy = [t["machine_cores"] for t in trials if "machine_cores" in t]
    lines = [
        f"{meta['date']}: "
        + "; ".join(f"{s} = nnplay {c}" for s, c in meta["commits"].items())
        + " against TF Playground "
        f"({meta['tf_build'].get('source', '?')}); {meta['rounds']} rounds, "
        f"window {meta['seconds']:g} s, timeout {meta['timeout']:g} s; nnplay's default speed "
        f"as its page showed it: "
        + "; ".join(f"{s} {', '.join(v) or '?'}" for s, v in meta["nnplay_speeds"].items())
        + ".",
        f"Machine: {m0['cpu']}, {m0['cores']} cores, load average {m0['load']} at start, "
        f"{m1['load']} at end; during the windows the machine was busy "
        f"{fmt(median(busy), 2)} cores (median), of which other processes than the browser and "
        f"the nnplay server {fmt(median(others), 2)} (range {fmt(min(others, default=None), 2)}"
        f"–{fmt(max(others, default=None), 2)}).",
        "Ratios: the median over the rounds of each pair's ratio (< 1: nnplay's is smaller; for"
        " the time a timeout is infinitely long, so a pair where only nnplay timed out gives ∞).",
        "",
    ]
    nn_systems = [s for s in meta["systems"] if s != "tf"]

    def short(commit: str) -> str:  # "abc1234*" when the checkout had uncommitted changes
        return commit.split()[0] + ("*" if "uncommitted" in commit else "")

    names = {"tf": "TF Playground", **{s: f"{s} {short(meta['commits'][s])}" for s in nn_systems}}
    head = ["TF Playground"]
    for s in nn_systems:
        head += [names[s], f"{s} / TF"]
    lines += ["| problem | metric | " + " | ".join(head) + " |", "|---" * (2 + len(head)) + "|"]
    details = [
        "",
        "| problem | detail | " + " | ".join(names[s] for s in meta["systems"]) + " |",
        "|---" * (2 + len(meta["systems"])) + "|",
    ]
    for problem in meta["problems"]:
        by = {
            s: [t for t in trials if t["problem"] == problem and t["system"] == s] for s in SYSTEMS
        }
        tf_by_round = {t["round"]: t for t in by["tf"]}
        pairs = {
            s: [(tf_by_round[t["round"]], t) for t in by[s] if t["round"] in tf_by_round]
            for s in nn_systems
        }
        for key, label, digits in METRICS:
            row = [cell(by["tf"], key, digits)]
            for s in nn_systems:
                row += [cell(by[s], key, digits), pair_ratio(pairs[s], key)]
            lines.append(f"| {problem} | {label} | " + " | ".join(row) + " |")
        for key, label, digits in DETAILS:
            row = [cell(by[s], key, digits) for s in meta["systems"]]
            details.append(f"| {problem} | {label} | " + " | ".join(row) + " |")
    lines.extend(details)
    stalls = [t for t in trials if t.get("received_per_s") is not None and t["received_per_s"] < 5]
    if stalls:
        lines.extend(["", f"{len(stalls)} nnplay trial(s) nearly stalled (< 5 frames received/s):"])
        lines.extend(
            f"- {t['system']} {t['problem']} round {t['round']}: {t['received_per_s']:.1f} frames/s"
            f" received, {t['drawn_per_s']:.1f} drawn, server {t['server_cores']:.2f} cores,"
            f" browser {t['browser_cores']:.2f}, machine {t['machine_cores']:.2f}"
            f" (page status {t.get('status')})"
            for t in stalls
        )
    errors = [t for t in trials if "error" in t]
    if errors:
        lines.extend(["", f"{len(errors)} trial(s) failed:"])
        lines.extend(
            f"- {t['system']} {t['problem']} round {t['round']}: {t['error']}" for t in errors
        )
    hosts = sorted({h for t in trials for h in t.get("blocked_hosts", [])})
    blocked = sum(t.get("blocked_requests", 0) for t in trials)
    lines.extend(
        [
            "",
            f"Failed (outside loopback): {blocked} requests, to {', '.join(hosts) or '-'}.",
        ]
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--setup", action="store_true", help="fetch and build TF Playground, then stop"
    )
    parser.add_argument(
        "--source",
        help="TF Playground's source: a clone, a bare git dir or a directory (default: git clone)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--problems", default="circle,xor,spiral", help="of: " + ", ".join(PROBLEMS)
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="frames and CPU window after play"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="give up on 95 %% after this many s"
    )
    parser.add_argument("--json", help="write every trial and the report's context here")
    parser.add_argument(
        "--check-accuracy",
        action="store_true",
        help="only compare the patch's TF Playground test accuracy with its heatmap's, then stop",
    )
    parser.add_argument(
        "--base-root",
        type=lambda p: Path(p).resolve(),
        help="also run the nnplay of this checkout (e.g. a worktree of the start commit) as"
        " `base`, interleaved in the same rounds",
    )
    parser.add_argument(
        "--nnplay-root",
        type=lambda p: Path(p).resolve(),
        default=ROOT,
        help="the nnplay checkout to serve (default: this one), e.g. a `git worktree` of a commit",
    )
    args = parser.parse_args()
    if args.setup:
        setup(args.source)
        return
    problems = [p.strip() for p in args.problems.split(",") if p.strip()]
    unknown = [p for p in problems if p not in PROBLEMS]
    if unknown:
        parser.error(f"unknown problem(s) {unknown}: choose from {', '.join(PROBLEMS)}")
    dist = CACHE / "dist"
    if not (dist / "bundle.js").is_file():
        raise SystemExit(f"no TF Playground build in {dist}: run with --setup first")
    if args.check_accuracy:
        check_accuracy(args, problems)
        return
    tf_build = (
        json.loads((CACHE / "BUILD.json").read_text()) if (CACHE / "BUILD.json").exists() else {}
    )

    roots = {"nnplay": args.nnplay_root}
    if args.base_root:
        roots["base"] = args.base_root
    systems = [s for s in SYSTEMS if s == "tf" or s in roots]
    meta = {
        "systems": systems,
        "commits": {s: nnplay_commit(root) for s, root in roots.items()},
        "tf_build": tf_build,
        "rounds": args.rounds,
        "problems": problems,
        "seconds": args.seconds,
        "timeout": args.timeout,
        "machine_start": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    static_server, tf_base = serve_static(dist)
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    trials: list[dict] = []
    tag = f"--tfp-bench-tag={uuid.uuid4().hex}"  # finds this browser's process tree in /proc
    try:
        for s, root in roots.items():
            servers[s] = start_nnplay(root)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *OFFLINE_ARGS, tag]
            )
            browser_pid = _find_pid(tag)
            if browser_pid is None:
                raise SystemExit("could not find the browser's process")
            for r in range(args.rounds):
                for problem in problems:
                    order = systems if r % 2 == 0 else systems[::-1]
                    for system in order:
                        proc, base = servers.get(system, (None, tf_base))
                        url = trial_url("tf" if system == "tf" else "nnplay", base, problem, r)
                        pid = proc.pid if proc else None
                        t = run_trial(browser, browser_pid, system, url, args, pid)
                        t.update(problem=problem, round=r)
                        trials.append(t)
                        summary = ", ".join(
                            f"{k}={t[k]:.2f}" if isinstance(t.get(k), float) else f"{k}={t.get(k)}"
                            for k in (
                                "time_to_target_s",
                                "drawn_per_s",
                                "browser_cores",
                                "cold_first_trained_ms",
                                "other_cores",
                                "error",
                            )
                            if k in t
                        )
                        print(f"round {r} {problem:6} {system:6} {summary}", flush=True)
            browser.close()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        static_server.shutdown()
    meta["machine_end"] = machine()
    meta["nnplay_speeds"] = {
        s: sorted({t["speed"] for t in trials if t["system"] == s and t.get("speed")})
        for s in roots
    }
    text = report(trials, meta)
    print()
    print(text)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "trials": trials, "report": text}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
