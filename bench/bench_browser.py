"""Browser rendering benchmark: how fast the playground draws in headless Chromium.

    python bench/bench_browser.py                         # 1280x720 and 1920x1080, 3 rounds
    python bench/bench_browser.py --rounds 5 --seconds 10 --repeats 10
    python bench/bench_browser.py --viewports 1280x720 --trace /tmp/nnplay-trace.json

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
  iteration (> 0), `--repeats` times, the run reset (and its iteration-0 frame drawn) between.

Not a test: run by hand. Results go to bench/README.md ("Browser rendering").
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.threaded import ThreadedServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGET_FPS = 20.0
TARGET_LATENCY_MS = 300.0
TARGET_READY_MS = 1000.0
STATS = "window.nnplayStats"


def snapshot(page) -> dict:
    """The page's counters and clock, read at one instant."""
    return page.evaluate(f"() => ({{...{STATS}, now: performance.now()}})")


def measure_readiness(page, url: str | None) -> dict:
    """Navigate to `url` (None: reload) and time the page becoming usable (ms from navigation)."""
    if url is None:
        page.reload()
    else:
        page.goto(url)
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


def measure_throughput(page, seconds: float, browser=None, trace: str | None = None) -> dict:
    """Press play and count what the page receives and draws over `seconds`."""
    page.get_by_test_id("play").click()
    page.wait_for_timeout(500)  # past the first frames: a steady state
    if trace and browser is not None:
        browser.start_tracing(page=page, path=trace, screenshots=False)
    before = snapshot(page)
    page.wait_for_timeout(seconds * 1000)
    after = snapshot(page)
    if trace and browser is not None:
        browser.stop_tracing()
    page.get_by_test_id("pause").click()
    elapsed = (after["now"] - before["now"]) / 1000

    def rate(key: str) -> float:
        return (after[key] - before[key]) / elapsed

    draws = after["boundaryDraws"] - before["boundaryDraws"]
    return {
        "drawn_per_s": rate("boundaryDraws"),
        "received_per_s": rate("framesReceived"),
        "coalesced_per_s": rate("framesCoalesced"),
        "draw_ms_per_frame": (after["drawMs"] - before["drawMs"]) / max(1, draws),
        "iterations_per_s": (after["drawnIteration"] - before["drawnIteration"]) / elapsed,
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
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        result = {"readiness": measure_readiness(page, url)}
        result["readiness_warm"] = measure_readiness(page, None)  # cached: a return visit
        result["throughput"] = measure_throughput(page, args.seconds, browser, trace)
        result["latency_ms"] = measure_latency(page, args.repeats)
        result["errors"] = errors
        return result
    finally:
        context.close()


def summarize(values: list[float]) -> str:
    """median (min–max)"""
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def report(results: dict[str, list[dict]]) -> str:
    rows = [
        "| viewport | drawn/s | received/s | coalesced/s | draw ms/frame"
        " | play → trained boundary: median of round medians, ms | max, ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rounds in results.items():
        t = [r["throughput"] for r in rounds]
        rows.append(
            f"| {name} | {summarize([x['drawn_per_s'] for x in t])}"
            f" | {summarize([x['received_per_s'] for x in t])}"
            f" | {summarize([x['coalesced_per_s'] for x in t])}"
            f" | {summarize([x['draw_ms_per_frame'] for x in t])}"
            f" | {summarize([statistics.median(r['latency_ms']) for r in rounds])}"
            f" | {summarize([max(r['latency_ms']) for r in rounds])} |"
        )
    rows += [
        "",
        "| viewport | visit | DOMContentLoaded ms | load ms | run created ms | first boundary ms |",
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
        fps = statistics.median(r["throughput"]["drawn_per_s"] for r in rounds)
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
    args = parser.parse_args()
    sizes = {v: tuple(int(x) for x in v.split("x")) for v in args.viewports.split(",")}

    server = ThreadedServer(create_app(Settings())).start()
    url = server.url
    results: dict[str, list[dict]] = {name: [] for name in sizes}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(f"Chromium {browser.version}, server {url}", flush=True)
            trace = args.trace
            for r in range(args.rounds):
                for name, size in sizes.items():  # interleaved: a noisy second hits both
                    result = run_round(browser, url + "/", size, args, trace)
                    trace = None
                    results[name].append(result)
                    t = result["throughput"]
                    lat = result["latency_ms"]
                    print(
                        f"round {r + 1} {name}: drawn {t['drawn_per_s']:.1f}/s, received "
                        f"{t['received_per_s']:.1f}/s, draw {t['draw_ms_per_frame']:.1f} ms/frame, "
                        f"play latency median {statistics.median(lat):.0f} max {max(lat):.0f} ms, "
                        f"first boundary at {result['readiness']['first_boundary_ms']:.0f} ms"
                        + (f", ERRORS {result['errors']}" if result["errors"] else ""),
                        flush=True,
                    )
            browser.close()
    finally:
        server.stop()
    print()
    print(report(results))
    print()
    print("\n".join(verdicts(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
