"""Browser rendering benchmark: how fast the playground draws in headless Chromium.

    python bench/bench_browser.py                         # 1280x720 and 1920x1080, 3 rounds
    python bench/bench_browser.py --rounds 5 --seconds 10 --repeats 10
    python bench/bench_browser.py --viewports 1280x720 --trace /tmp/nnplay-trace.json
    python bench/bench_browser.py --page compare --viewports 1280x720   # 3-run compare page
    python bench/bench_browser.py --url old=http://127.0.0.1:8101 --url new=http://127.0.0.1:8102

A real server (`create_app(Settings())`, default limits and frame rate) runs in a thread of this
process; Debian's Chromium is driven by Playwright. Each round opens a fresh page per viewport
on the default configuration (flower, one hidden layer of 4 tanh units, 100 x 100 boundary) and
measures, from the page's own counters (`window.nnplayStats`, static/js/stats.js) and
performance.now() clock:

* readiness: navigation start to DOMContentLoaded, load, the first run created (play acts
  from then on) and the first boundary drawn; cold (a fresh browser context: empty HTTP and
  code caches, a first visit) and warm (the same page reloaded, a returning visitor);
* throughput: boundary heatmaps actually drawn per second over `--seconds` after play (not
  frames received: those are counted too, with the ones coalesced before they could be drawn),
  and the time spent in the per-animation-frame draw;
* play latency: from the play click handler to the first drawn boundary of a trained
  iteration (> 0), `--repeats` times, the run reset (and its iteration-0 frame drawn) between;
* browser CPU over the throughput window, in cores, from /proc: every Chromium process this
  benchmark started (the renderer, the GPU process, the browser process, utilities);
* iterations shown per second: how often the iteration the page shows (the counter, or the
  compare view's) changed, read once per animation frame by a script the benchmark adds: the
  same measure on any version of the page, whatever its own counters.

`--page compare` opens the 3-run compare page (activation: sigmoid, tanh, relu) instead and
measures throughput and CPU (no play latency). `--url NAME=URL` (repeatable) measures servers
already running instead of one in this process, interleaved round by round: to compare two
trees, serve each on its own port (`nnplay serve --port N` in each).

Not a test: run by hand. Results go to bench/README.md ("Browser rendering").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (bench/chromium.py)

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.threaded import ThreadedServer  # noqa: E402

TARGET_FPS = 20.0
TARGET_LATENCY_MS = 300.0
TARGET_READY_MS = 1000.0
STATS = "window.nnplayStats"
COMPARE_HASH = "#cmp=activation&vals=sigmoid,tanh,relu"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Counts, once per animation frame, the changes of the iteration the page shows (the single
# view's counter, or the compare view's): a measure of frames shown that needs no page counter.
SHOWN_COUNTER = """
(() => {
  window.benchShown = { changes: 0, last: null };
  const tick = () => {
    const cmp = document.getElementById('compare');
    const id = cmp && !cmp.hidden ? 'cmp-iteration' : 'iteration';
    const el = document.getElementById(id);
    const v = el ? (el.dataset.values || el.dataset.value || el.textContent) : null;
    if (v !== window.benchShown.last) {
      window.benchShown.changes += 1;
      window.benchShown.last = v;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def chromium_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of every Chromium process descended from this one: {pid: (type, s)}."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            # Chromium's children rewrite their title: one string, arguments split by spaces.
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
        kind = "browser"
        for arg in cmdline:
            if arg.startswith(b"--type="):
                kind = arg[7:].decode()
        if cmdline and b"chrom" in cmdline[0]:
            info[int(entry)] = (kind, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    found: dict[int, tuple[str, float]] = {}
    stack = [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            if child in info:
                found[child] = info[child]
    return found


def cpu_cores(before: dict, after: dict, elapsed: float) -> dict[str, float]:
    """Cores used between two chromium_cpu() readings, per process type and in total."""
    cores: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        used = seconds - before.get(pid, (kind, 0.0))[1]
        cores[kind] = cores.get(kind, 0.0) + used / elapsed
    cores["total"] = sum(cores.values())
    return cores


def snapshot(page) -> dict:
    """The page's counters and clock, read at one instant."""
    return page.evaluate(
        f"() => ({{...{STATS}, shown: window.benchShown?.changes, now: performance.now()}})"
    )


def measure_readiness(page, url: str | None, compare: bool = False) -> dict:
    """Navigate to `url` (None: reload) and time the page becoming usable (ms from navigation)."""
    if url is None:
        page.reload()
    else:
        page.goto(url)
    if compare:  # the compare view's runs created, their boundaries shown
        page.wait_for_function(
            "() => { const c = window.nnplay && window.nnplay.compare;"
            " return c && c.ready && c.runs.length === 3 && c.runs.every(r => {"
            " const rec = window.nnplay.recorder.get(r.id); return rec && rec.frame; }); }",
            timeout=30_000,
        )
        nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        s = snapshot(page)
        return {
            "dom_content_loaded_ms": nav,
            "load_ms": nav,
            "run_created_ms": s["firstCreatedAt"] or 0,
            "first_boundary_ms": s["now"],
            "boundary_in_view": True,
            "visibility": page.evaluate("document.visibilityState"),
        }
    page.wait_for_function(f"{STATS} && {STATS}.firstBoundaryAt !== null", timeout=30_000)
    nav = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
    )
    s = snapshot(page)
    box = page.get_by_test_id("boundary-chart").bounding_box()
    viewport = page.viewport_size
    return {
        "dom_content_loaded_ms": nav["dcl"],
        "load_ms": nav["load"],
        "run_created_ms": s["firstCreatedAt"],
        "first_boundary_ms": s["firstBoundaryAt"],
        "boundary_in_view": box is not None
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] + box["width"] <= viewport["width"],
        "visibility": page.evaluate("document.visibilityState"),
    }


def measure_throughput(
    page, seconds: float, browser=None, trace: str | None = None, compare: bool = False
) -> dict:
    """Press play and count what the page receives and draws over `seconds`, and its CPU."""
    controls = ("compare-play", "compare-pause") if compare else ("play", "pause")
    page.get_by_test_id(controls[0]).click()
    page.wait_for_timeout(500)  # past the first frames: a steady state
    if trace and browser is not None:
        browser.start_tracing(page=page, path=trace, screenshots=False)
    before = snapshot(page)
    cpu_before = chromium_cpu()
    page.wait_for_timeout(seconds * 1000)
    after = snapshot(page)
    cpu_after = chromium_cpu()
    if trace and browser is not None:
        browser.stop_tracing()
    page.get_by_test_id(controls[1]).click()
    elapsed = (after["now"] - before["now"]) / 1000

    def rate(key: str) -> float | None:
        if after.get(key) is None or before.get(key) is None:
            return None  # a counter this version of the page does not have
        return (after[key] - before[key]) / elapsed

    draws = after["boundaryDraws"] - before["boundaryDraws"]
    return {
        "drawn_per_s": rate("compareDraws" if compare else "boundaryDraws"),
        "shown_per_s": rate("shown"),
        "received_per_s": rate("framesReceived"),
        "coalesced_per_s": rate("framesCoalesced"),
        "draw_ms_per_frame": (after["drawMs"] - before["drawMs"]) / max(1, draws),
        "draw_ms_per_s": rate("drawMs"),
        "iterations_per_s": rate("drawnIteration"),
        "cpu_cores": cpu_cores(cpu_before, cpu_after, elapsed),
    }


def measure_latency(page, repeats: int) -> list[float]:
    """Play-click to first trained boundary drawn, after a reset each time (ms)."""
    latencies = []
    play = page.get_by_test_id("play")
    for _ in range(repeats):
        page.get_by_test_id("reset").click()
        page.wait_for_function(
            f"{STATS}.drawnIteration === 0 && "
            "document.querySelector('[data-testid=status]').textContent === 'paused'"
        )
        page.wait_for_timeout(300)  # quiet: no frame in flight
        play.click()
        page.wait_for_function(f"{STATS}.firstTrainedAt !== null", timeout=10_000)
        s = snapshot(page)
        latencies.append(s["firstTrainedAt"] - s["playAt"])
        page.get_by_test_id("pause").click()
    return latencies


RETURNING_VISITOR = "try { localStorage.setItem('nnplay.welcome', 'dismissed') } catch (e) {}"


def run_round(browser, url: str, size: tuple[int, int], args, trace: str | None) -> dict:
    # Playwright's wait_for_function evaluates strings, which the page's CSP forbids: bypass it
    # (as the browser tests do), and start as a returning visitor (no first-visit card).
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    context.add_init_script(RETURNING_VISITOR)
    context.add_init_script(SHOWN_COUNTER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    compare = args.page == "compare"
    try:
        result = {"readiness": measure_readiness(page, url, compare)}
        result["readiness_warm"] = measure_readiness(page, None, compare)  # a return visit
        if not compare or args.wait_plotly:
            page.wait_for_function("() => window.Plotly !== undefined", timeout=30_000)
        page.wait_for_timeout(args.settle * 1000)
        result["throughput"] = measure_throughput(page, args.seconds, browser, trace, compare)
        result["latency_ms"] = [0.0] if compare else measure_latency(page, args.repeats)
        result["errors"] = errors
        return result
    finally:
        context.close()


def summarize(values: list[float | None]) -> str:
    """median (min–max)"""
    if any(v is None for v in values):
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def report(results: dict[str, list[dict]]) -> str:
    rows = [
        "| page | drawn/s | shown/s | received/s | coalesced/s | draw JS ms/frame"
        " | browser CPU, cores (renderer, GPU) | play → trained boundary: median of round"
        " medians, ms | max, ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rounds in results.items():
        t = [r["throughput"] for r in rounds]
        cpu = [x["cpu_cores"] for x in t]
        rows.append(
            f"| {name} | {summarize([x['drawn_per_s'] for x in t])}"
            f" | {summarize([x['shown_per_s'] for x in t])}"
            f" | {summarize([x['received_per_s'] for x in t])}"
            f" | {summarize([x['coalesced_per_s'] for x in t])}"
            f" | {summarize([x['draw_ms_per_frame'] for x in t])}"
            f" | {summarize([c['total'] for c in cpu])}"
            f" ({summarize([c.get('renderer', 0.0) for c in cpu])},"
            f" {summarize([c.get('gpu-process', 0.0) for c in cpu])})"
            f" | {summarize([statistics.median(r['latency_ms']) for r in rounds])}"
            f" | {summarize([max(r['latency_ms']) for r in rounds])} |"
        )
    rows += [
        "",
        "| page | visit | DOMContentLoaded ms | load ms | run created ms | first boundary ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, rounds in results.items():
        for visit, key in (("cold", "readiness"), ("warm", "readiness_warm")):
            rd = [r[key] for r in rounds]
            rows.append(
                f"| {name} | {visit} | {summarize([x['dom_content_loaded_ms'] for x in rd])}"
                f" | {summarize([x['load_ms'] for x in rd])}"
                f" | {summarize([x['run_created_ms'] for x in rd])}"
                f" | {summarize([x['first_boundary_ms'] for x in rd])} |"
            )
    return "\n".join(rows)


def verdict(value: float, target: float, fallback: float | None, fallback_name: str) -> str:
    """'met' for value <= target, else `fallback_name` if the fallback value meets it."""
    if value <= target:
        return "met"
    return fallback_name if fallback is not None and fallback <= target else "MISSED"


def verdicts(results: dict[str, list[dict]]) -> list[str]:
    lines = []
    for name, rounds in results.items():
        fps = statistics.median(
            r["throughput"]["drawn_per_s"] or r["throughput"]["shown_per_s"] for r in rounds
        )
        latency = statistics.median(statistics.median(r["latency_ms"]) for r in rounds)
        worst = max(max(r["latency_ms"]) for r in rounds)
        ready = statistics.median(r["readiness"]["first_boundary_ms"] for r in rounds)
        warm = statistics.median(r["readiness_warm"]["first_boundary_ms"] for r in rounds)
        lines.append(
            f"{name}: drawn {fps:.1f}/s (target >= {TARGET_FPS:.0f}: "
            f"{verdict(-fps, -TARGET_FPS, None, '')}); "
            f"play latency median {latency:.0f} ms, max {worst:.0f} ms (target <= "
            f"{TARGET_LATENCY_MS:.0f}: "
            f"{verdict(worst, TARGET_LATENCY_MS, latency, 'median only')}); "
            f"usable at {ready:.0f} ms cold, {warm:.0f} ms warm (target <= {TARGET_READY_MS:.0f}: "
            f"{verdict(ready, TARGET_READY_MS, warm, 'warm only')})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewports", default="1280x720,1920x1080")
    parser.add_argument("--rounds", type=int, default=3, help="fresh pages per viewport")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput window")
    parser.add_argument("--repeats", type=int, default=10, help="play-latency samples per round")
    parser.add_argument("--trace", help="write a Chrome trace of the first throughput window")
    parser.add_argument("--json", help="write the raw per-round results here")
    parser.add_argument("--page", choices=("single", "compare"), default="single")
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="a running server to measure (repeatable: interleaved); default: one in-process",
    )
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds after Plotly loads, before play"
    )
    parser.add_argument(
        "--wait-plotly", action="store_true", help="compare page: wait for Plotly too"
    )
    args = parser.parse_args()
    sizes = {v: tuple(int(x) for x in v.split("x")) for v in args.viewports.split(",")}
    server = None
    if args.url:
        urls = dict(u.split("=", 1) for u in args.url)
    else:
        server = ThreadedServer(create_app(Settings())).start()
        urls = {"": server.url}
    suffix = "/" + (COMPARE_HASH if args.page == "compare" else "")
    pages = {
        f"{tree} {view}".strip(): (url, size)
        for view, size in sizes.items()
        for tree, url in urls.items()
    }
    results: dict[str, list[dict]] = {name: [] for name in pages}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(
                f"Chromium {browser.version}, servers {urls}, page {args.page}, "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            trace = args.trace
            for r in range(args.rounds):
                for name, (url, size) in pages.items():  # interleaved: a noisy second hits all
                    result = run_round(browser, url.rstrip("/") + suffix, size, args, trace)
                    trace = None
                    results[name].append(result)
                    t = result["throughput"]
                    lat = result["latency_ms"]
                    drawn = t["drawn_per_s"]
                    print(
                        f"round {r + 1} {name}: drawn "
                        + ("–" if drawn is None else f"{drawn:.1f}")
                        + f"/s, shown {t['shown_per_s']:.1f}/s, received "
                        f"{t['received_per_s']:.1f}/s, draw {t['draw_ms_per_frame']:.1f} ms/frame, "
                        f"CPU {t['cpu_cores']['total']:.2f} cores "
                        f"(renderer {t['cpu_cores'].get('renderer', 0):.2f}, "
                        f"gpu {t['cpu_cores'].get('gpu-process', 0):.2f}), "
                        f"play latency median {statistics.median(lat):.0f} max {max(lat):.0f} ms, "
                        f"first boundary at {result['readiness']['first_boundary_ms']:.0f} ms"
                        + (f", ERRORS {result['errors']}" if result["errors"] else ""),
                        flush=True,
                    )
            browser.close()
    finally:
        if server is not None:
            server.stop()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    print()
    print(report(results))
    print()
    print("\n".join(verdicts(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
