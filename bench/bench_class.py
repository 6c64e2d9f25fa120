"""Classroom benchmark (issue 15): a real `nnplay serve` and headless class members.

    .venv/bin/python bench/bench_class.py                  # both scenarios, 15 s windows
    .venv/bin/python bench/bench_class.py --viewers 200 --board 60 --seconds 20

(a) **Follow**: a teacher opens a class, creates the default run (flower, 4 tanh units, auto
speed), shows it and plays; `--viewers` students join and watch it, each reading every frame's
header only. Reported: the viewers' frames/s (median, minimum), the server's event-loop lag
(p99, max, from /api/health), and the server's CPU with the viewers, against a window of the
teacher alone measured just before in the same run: the difference over the viewers is the
CPU one viewer costs.

(b) **Board**: `--board` students join, each creates and plays its own default run and reads
its frames' headers; the teacher opens the class board. Reported: every student's frames/s
(median, minimum), the board's refreshes a second at the teacher, and the server's CPU with
the board open against a window with it closed just before: the difference over the students
is the CPU of one board tile. (The teacher's page drawing the board is the browser's work,
not measured here.)

(c) **Page**: as (b), with the teacher's page in Chromium (bench/chromium.py) leading the class,
playing its own run with the board open: its boundaries drawn a second, animation frames a
second and boards received a second, from the page's own counters.

(d) **Tiles**: the board's own work timed in this process (the board's cost in (b) is below
the noise of 60 students training): 60 students' entries and the board's JSON.

The load generator runs in this process and its CPU is reported beside the server's. The
first line printed names the machine, the commit and the time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the app, for (d)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import (
    cpu_seconds,
    free_port,
    header_of,
    http_json,
    machine,
    server_pids,
    start_server,
    stop_server,
)

ENV = {"NNPLAY_MAX_SESSIONS_PER_CLIENT": "1000", "NNPLAY_MAX_SESSIONS": "1000"}
"""Every member comes from 127.0.0.1, and 200 viewers and a teacher are 201 sessions."""


async def recv_json(ws, kinds: tuple[str, ...]) -> dict:
    while True:
        message = await ws.recv()
        if isinstance(message, str):
            body = json.loads(message)
            if body["type"] in kinds:
                assert body["type"] != "error", body
                return body


class Counter:
    """Frames (or boards) one member received inside the counting window."""

    def __init__(self) -> None:
        self.count = 0
        self.counting = False

    def hit(self) -> None:
        if self.counting:
            self.count += 1


async def member(
    url: str, code: str, counter: Counter, stop: asyncio.Event, ready: list, watch: bool
) -> None:
    """A student: joins, then watches the shown run (`watch`) or plays its own default run;
    reads every message, counting frames."""
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        await ws.recv()  # hello
        await ws.send(json.dumps({"type": "class_join", "code": code, "name": "bench"}))
        joined = await recv_json(ws, ("class", "error"))
        if watch:
            await ws.send(json.dumps({"type": "watch", "runs": joined["shown"]["runs"]}))
            await recv_json(ws, ("watching", "error"))
        else:
            await ws.send(json.dumps({"type": "create", "config": {}}))
            run = (await recv_json(ws, ("created", "error")))["run"]
            await ws.send(json.dumps({"type": "play", "runs": [run]}))
        ready.append(1)
        await drain(ws, stop, counter)


async def window(seconds: float, pids: list[int], counters: list[Counter]) -> dict:
    """Count for `seconds`: each counter's rate, the server's and this process's CPU."""
    for c in counters:
        c.count, c.counting = 0, True
    server_before, own_before = cpu_seconds(pids), time.process_time()
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    for c in counters:
        c.counting = False
    return {
        "rates": [c.count / elapsed for c in counters],
        "server_cores": (cpu_seconds(pids) - server_before) / elapsed,
        "own_cores": (time.process_time() - own_before) / elapsed,
    }


async def teacher_of(url: str) -> tuple:
    ws = await websockets.connect(url, compression=None, max_size=None)
    await ws.recv()
    await ws.send(json.dumps({"type": "class_open"}))
    opened = await recv_json(ws, ("class", "error"))
    return ws, opened["code"]


def is_frame(message) -> bool:
    return isinstance(message, bytes) and header_of(message)["type"] == "frame"


def is_board(message) -> bool:
    return isinstance(message, str) and '"type": "board"' in message


async def drain(ws, stop: asyncio.Event, counter: Counter, counts=is_frame) -> None:
    """Read everything until `stop`, counting the messages `counts` picks (frames by default)."""
    while not stop.is_set():
        try:
            message = await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        if counts(message):
            counter.hit()


def lag(port: int, seconds: float) -> dict:
    return http_json(f"http://127.0.0.1:{port}/api/health?lag_window={min(30, seconds)}")[
        "loop_lag"
    ]


async def follow(port: int, pids: list[int], viewers: int, seconds: float, settle: float) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    ws, code = await teacher_of(url)
    await ws.send(json.dumps({"type": "create", "config": {}}))
    run = (await recv_json(ws, ("created", "error")))["run"]
    await ws.send(json.dumps({"type": "class_show", "runs": [run]}))
    await recv_json(ws, ("ack", "error"))
    await ws.send(json.dumps({"type": "play", "runs": [run]}))
    stop = asyncio.Event()
    own = Counter()
    tasks = [asyncio.create_task(drain(ws, stop, own))]
    await asyncio.sleep(settle)  # past auto's quick start: its steady state
    alone = await window(seconds, pids, [own])
    counters, ready = [Counter() for _ in range(viewers)], []
    tasks += [asyncio.create_task(member(url, code, c, stop, ready, watch=True)) for c in counters]
    while len(ready) < viewers:
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)
    crowd = await window(seconds, pids, counters)
    lags = await asyncio.to_thread(lag, port, seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await ws.close()
    rates = crowd["rates"]
    return {
        "viewers": viewers,
        "teacher_fps_alone": alone["rates"][0],
        "viewer_fps_median": statistics.median(rates),
        "viewer_fps_min": min(rates),
        "lag_p99_ms": lags.get("p99_ms"),
        "lag_max_ms": lags.get("max_ms"),
        "server_cores_alone": alone["server_cores"],
        "server_cores": crowd["server_cores"],
        "ms_per_viewer_second": 1000 * (crowd["server_cores"] - alone["server_cores"]) / viewers,
        "generator_cores": crowd["own_cores"],
    }


async def board(port: int, pids: list[int], students: int, seconds: float, settle: float) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    ws, code = await teacher_of(url)
    stop = asyncio.Event()
    counters, ready = [Counter() for _ in range(students)], []
    tasks = [asyncio.create_task(member(url, code, c, stop, ready, watch=False)) for c in counters]
    while len(ready) < students:
        await asyncio.sleep(0.1)
    boards = Counter()
    tasks.append(asyncio.create_task(drain(ws, stop, boards, is_board)))
    await asyncio.sleep(settle)
    # Board closed and open in turn, three windows each: the board's cost is the difference
    # of the medians (the students' own training is most of the CPU, and it drifts).
    closed, opened = [], []
    for _ in range(3):
        await ws.send(json.dumps({"type": "class_board", "open": False}))
        await asyncio.sleep(1.0)
        closed.append(await window(seconds / 3, pids, counters))
        await ws.send(json.dumps({"type": "class_board", "open": True}))
        await asyncio.sleep(1.0)
        opened.append(await window(seconds / 3, pids, [*counters, boards]))
    lags = await asyncio.to_thread(lag, port, seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await ws.close()
    rates = [r for w in opened for r in w["rates"][:-1]]
    closed_cores = statistics.median(w["server_cores"] for w in closed)
    open_cores = statistics.median(w["server_cores"] for w in opened)
    return {
        "students": students,
        "student_fps_median": statistics.median(rates),
        "student_fps_min": min(rates),
        "student_fps_min_board_closed": min(r for w in closed for r in w["rates"]),
        "boards_per_second": statistics.median(w["rates"][-1] for w in opened),
        "lag_p99_ms": lags.get("p99_ms"),
        "server_cores_board_closed": closed_cores,
        "server_cores": open_cores,
        "ms_per_tile_second": 1000 * (open_cores - closed_cores) / students,
        "generator_cores": statistics.median(w["own_cores"] for w in opened),
    }


FPS_PROBE = """() => { window.benchFrames = 0; window.benchBoards = 0;
  const tick = () => { window.benchFrames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.nnplay.socket.listen({
    message: (m) => { if (m.type === 'board') window.benchBoards++; },
  });
}"""
PAGE_COUNTS = """() => ({ frames: window.benchFrames, boards: window.benchBoards,
  draws: window.nnplayStats.boundaryDraws, received: window.nnplayStats.framesReceived,
  boundaries: window.nnplayStats.boundariesReceived,
  coalesced: window.nnplayStats.framesCoalesced })"""


async def board_page(port: int, pids: list[int], students: int, seconds: float, settle: float):
    """(c) The teacher's page in Chromium leads the class, plays its run and shows the board
    while `students` headless students train their own runs: its boundaries drawn a second,
    animation frames a second, boards a second (the page's own counters)."""
    from chromium import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    url = f"ws://127.0.0.1:{port}/ws"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport={"width": 1400, "height": 900}, bypass_csp=True
        )
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{port}/")
        await page.wait_for_function("window.nnplay && window.nnplay.classroom")
        await page.get_by_test_id("class-menu").locator("summary").click()
        await page.get_by_test_id("class-start").click()
        await page.wait_for_function("window.nnplay.classroom.info")
        code = await page.evaluate("window.nnplay.classroom.info.code")
        stop = asyncio.Event()
        counters, ready = [Counter() for _ in range(students)], []
        tasks = [
            asyncio.create_task(member(url, code, c, stop, ready, watch=False)) for c in counters
        ]
        while len(ready) < students:
            await asyncio.sleep(0.1)
        await page.get_by_test_id("play").click()
        await page.get_by_test_id("class-board-toggle").click()
        await page.evaluate(FPS_PROBE)
        await asyncio.sleep(settle)
        before = await page.evaluate(PAGE_COUNTS)
        crowd = await window(seconds, pids, counters)
        after = await page.evaluate(PAGE_COUNTS)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await browser.close()
    elapsed = seconds
    return {
        "students": students,
        "page_frames_received_per_s": (after["received"] - before["received"]) / elapsed,
        "page_boundaries_received_per_s": (after["boundaries"] - before["boundaries"]) / elapsed,
        "page_boundaries_drawn_per_s": (after["draws"] - before["draws"]) / elapsed,
        "page_coalesced_per_s": (after["coalesced"] - before["coalesced"]) / elapsed,
        "page_animation_frames_per_s": (after["frames"] - before["frames"]) / elapsed,
        "page_boards_per_s": (after["boards"] - before["boards"]) / elapsed,
        "student_fps_median": statistics.median(crowd["rates"]),
        "student_fps_min": min(crowd["rates"]),
        "server_cores": crowd["server_cores"],
    }


def tile_cost(students: int, repeats: int = 200) -> dict:
    """(d) The board's own work, in this process: `students` default runs (one frame built
    each), their board entries (app/classroom.py `tile`) and the board's JSON, timed
    `repeats` times. The server does this once per `class_board_seconds`."""
    from app.classroom import tile
    from app.runconfig import RunConfigModel
    from app.runs import Run
    from app.settings import Settings

    settings = Settings()
    runs = [Run(RunConfigModel(), settings) for _ in range(students)]
    for run in runs:
        run.train(50)
        run.build_frame(heavy=False)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        entries = [{"student": "x" * 11, "name": "bench", "runs": [tile(r)]} for r in runs]
        json.dumps({"type": "board", "ref": None, "students": entries, "challenge": None})
        times.append(time.perf_counter() - started)
    board = statistics.median(times)
    return {
        "students": students,
        "board_ms": 1000 * board,
        "us_per_tile": 1e6 * board / students,
        "ms_per_tile_second_at_1hz": 1000 * board / students,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--board", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        default="follow,board,page,tiles",
        help="follow, board, page, tiles (comma-separated)",
    )
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds of play before the first window"
    )
    args = parser.parse_args()
    print(machine(), flush=True)
    for _ in range(args.repeats):
        for name in args.scenarios.split(","):
            if name == "tiles":
                print(name, json.dumps(tile_cost(args.board)), flush=True)
                continue
            port = free_port()
            process = start_server(port, 1, ENV)
            try:
                pids = server_pids(process.pid)
                timing = (args.seconds, args.settle)
                if name == "follow":
                    result = asyncio.run(follow(port, pids, args.viewers, *timing))
                elif name == "board":
                    result = asyncio.run(board(port, pids, args.board, *timing))
                else:
                    result = asyncio.run(board_page(port, pids, args.board, *timing))
            finally:
                stop_server(process)
            print(
                name,
                json.dumps(
                    {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
                ),
                flush=True,
            )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
