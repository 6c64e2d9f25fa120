"""Server benchmark: N concurrent WebSocket clients against a real `nnplay serve`.

    python bench/bench_server.py                     # 1, 10 and 30 clients, 10 s each
    python bench/bench_server.py --clients 30 --seconds 20 --workers 2

Each client connects, creates the default run (the course's flower, one hidden layer of 4 tanh
units, 100 × 100 boundary), waits for its first frame, presses play and counts what it receives
for `--seconds`. Reported per scenario: frames/s received per client (median and minimum over
clients), first-frame latency after play (median, max), bytes per boundary frame, bytes per
detail message, the server's event-loop lag over the window (p50/p99/max, from /api/health),
and the server's CPU use (sum over its processes, in cores) and per student-second (ms of server
CPU per second of one student's run), beside the load generator's own CPU. The clients run in
this process (they read each frame's header only), the server in another: both share the
machine's cores, as they would in a classroom. The first line printed names the machine.

How evenly the class is served: the mean frame rate of the slowest half of the clients over
that of the fastest half (1.0 when everyone gets the same; also within the worst server
process), and with `--workers N` how many clients each server process holds and their median
frame rate, read from the kernel's socket tables (/proc), whatever the server reports. The loop
lag is the worst worker's: /api/health names the pid that answered, so it is asked until every
worker has.

    python bench/bench_server.py --clients 30,100,200 --workers 2 --runs-per-client 4
    python bench/bench_server.py --clients 30 --workers 2 --against /tmp/base --repeats 3

`--runs-per-client 4` gives every client four default runs played as one compare group
(frames/s are then per run, CPU per student-second per client). `--against DIR` runs every
scenario on the server of another checkout too (a `git worktree` of the commit to compare
with), alternately, `--repeats` times: the rows name each one's commit.

    python bench/bench_server.py --fairness          # the two abuse scenarios of issue 10

`--fairness` runs two scenarios instead: (a) one normal student (default run and speed, reads
everything) alone, then beside six clients with four `max`-speed runs each that never read their
socket: the student's frames/s in both and their ratio; (b) the first-frame time (play → first
frame) of students joining, one after another, a server full of the largest networks (30
sessions × 4 runs of max_hidden_layers × max_units, each session's runs one compare group at
`max` speed, every client reading).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
HEAVY_CONFIG = {
    "dataset": {"name": "spiral", "size": 2000},
    "layers": [{"units": 64, "activation": "relu"}] * 6,
    "init": {"name": "he"},
    "learning_rate": 0.01,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def header_of(message: bytes) -> dict:
    (length,) = struct.unpack_from("<I", message, 4)
    return json.loads(message[8 : 8 + length])


def http_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def server_pids(root_pid: int) -> list[int]:
    pids = [root_pid]
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                stat = (child / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) in pids:
                pids.append(int(child.name))
    return pids


async def client(
    url: str,
    seconds: float,
    start_at: asyncio.Event,
    config: dict | None,
    n_runs: int = 1,
    ports: list | None = None,
    warm: float = 0.0,
) -> dict:
    """One student: `n_runs` runs of `config` (one compare group when several), played at
    `start_at`, counting the frames of each for `seconds` (from `warm` seconds after play on:
    the first frame after play is timed either way). Frames/s are per run."""
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        port = ws.transport.get_extra_info("sockname")[1]
        if ports is not None:
            ports.append(port)
        json.loads(await ws.recv())  # hello
        runs = await created_runs(ws, n_runs, config or {})
        await start_at.wait()
        played = time.perf_counter()
        await ws.send(json.dumps({"type": "play", "runs": runs}))
        first = acked = None
        frames = 0
        frame_bytes, detail_bytes = [], []
        deadline = played + warm + seconds
        counted_from = played + warm
        while time.perf_counter() < deadline:
            try:
                message = await asyncio.wait_for(ws.recv(), deadline - time.perf_counter())
            except TimeoutError:
                break
            if not isinstance(message, bytes):
                if acked is None and json.loads(message).get("action") == "play":
                    acked = time.perf_counter() - played
                continue
            header = header_of(message)
            if header["type"] == "detail":
                detail_bytes.append(len(message))
                continue
            if header["iteration"] == 0:
                continue  # the frame from create, before play
            now = time.perf_counter()
            if first is None:
                first = now - played
                if not warm:
                    counted_from = now
            if now >= counted_from:
                frames += 1
                frame_bytes.append(len(message))
        elapsed = time.perf_counter() - counted_from if first is not None else seconds
        await ws.send(json.dumps({"type": "pause", "runs": runs}))
        return {
            "port": port,
            # Without warm-up the first frames start the clock: the frames after them count.
            "fps": (frames - (0 if warm else n_runs)) / n_runs / elapsed
            if frames > n_runs
            else 0.0,
            "first_frame_ms": 1000 * first if first is not None else None,
            "ack_ms": 1000 * acked if acked is not None else None,
            "frame_bytes": statistics.median(frame_bytes) if frame_bytes else None,
            "frame_bytes_max": max(frame_bytes) if frame_bytes else None,
            "detail_bytes": statistics.median(detail_bytes) if detail_bytes else None,
        }


def halves_ratio(rates: list[float]) -> float | None:
    """Mean frame rate of the slowest half of the clients over that of the fastest half (1.0:
    everyone alike); None for fewer than two clients."""
    if len(rates) < 2:
        return None
    ordered = sorted(rates)
    half = len(ordered) // 2
    fastest = statistics.fmean(ordered[-half:])
    return statistics.fmean(ordered[:half]) / fastest if fastest else 0.0


def _socket_inodes(port: int) -> dict[int, int]:
    """Server-side TCP connections of `port` on this machine: the client's port → the socket's
    inode (Linux /proc/net/tcp and tcp6)."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], int(fields[9])
                if int(local.rsplit(":", 1)[1], 16) == port and inode:
                    found[int(remote.rsplit(":", 1)[1], 16)] = inode
    return found


def owners_of(server_port: int, client_ports: list[int], pids: list[int]) -> dict[int, int]:
    """Which server process holds each client's connection: client port → pid (Linux /proc;
    empty elsewhere). Works for any server, whatever it reports about itself."""
    inodes = _socket_inodes(server_port)
    holder = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        holder[int(target[8:-1])] = pid
    return {p: holder[inodes[p]] for p in client_ports if inodes.get(p) in holder}


def worker_lags(port: int, seconds: float, tries: int = 24) -> list[dict]:
    """/api/health's loop lag of each worker: a fresh connection per request reaches whichever
    worker accepts it, so ask until every pid seen has answered (or `tries` run out). A server
    that does not report its pid gives one reading."""
    seen = {}
    for _ in range(tries):
        health = http_json(f"http://127.0.0.1:{port}/api/health?lag_window={min(30, seconds)}")
        seen.setdefault(health.get("pid"), health["loop_lag"])
        if None in seen:
            break
    return list(seen.values())


async def scenario(
    port: int,
    pids: list[int],
    n: int,
    seconds: float,
    heavy: int,
    n_runs: int = 1,
    warm: float = 0.0,
) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    start_at, ports = asyncio.Event(), []
    tasks = [
        asyncio.create_task(client(url, seconds, start_at, None, n_runs, ports, warm))
        for _ in range(n)
    ]
    tasks += [
        asyncio.create_task(client(url, seconds, start_at, HEAVY_CONFIG, warm=warm))
        for _ in range(heavy)
    ]
    await asyncio.sleep(1.0 + 0.05 * (n * n_runs + heavy))  # everyone connected and created
    owners = owners_of(port, ports, pids)
    start_at.set()
    await asyncio.sleep(warm)  # past auto's quick start: the steady state
    cpu0, own0, t0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
    results = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    cpu = (cpu_seconds(pids) - cpu0) / elapsed
    own = (time.process_time() - own0) / elapsed
    lags = await asyncio.to_thread(worker_lags, port, seconds)
    normal = results[:n]
    fps = [r["fps"] for r in normal]
    firsts = [r["first_frame_ms"] for r in normal if r["first_frame_ms"] is not None]
    by_pid = {}
    for r in normal:
        by_pid.setdefault(owners.get(r["port"]), []).append(r["fps"])
    split = sorted(
        ((len(rates), statistics.median(rates)) for pid, rates in by_pid.items() if pid),
        reverse=True,
    )
    within = [halves_ratio(rates) for pid, rates in by_pid.items() if pid and len(rates) > 1]
    return {
        "clients": n,
        "runs_per_client": n_runs,
        "warm_seconds": warm,
        "heavy_clients": heavy,
        "fps_median": statistics.median(fps),
        "fps_min": min(fps),
        "slowest_half_over_fastest_half": halves_ratio(fps),
        # clients per server process (most first) and their median frames/s
        "split": [count for count, _ in split],
        "split_fps_median": [round(rate, 1) for _, rate in split],
        # the halves ratio among one process's clients (the worst process): how evenly one
        # process shares itself, apart from how evenly the processes share the class
        "slowest_half_over_fastest_half_within_a_process": min(within) if within else None,
        "heavy_fps": [round(r["fps"], 1) for r in results[n:]],
        "first_frame_ms_median": statistics.median(firsts) if firsts else None,
        "first_frame_ms_max": max(firsts) if firsts else None,
        "frame_bytes": statistics.median([r["frame_bytes"] for r in normal if r["frame_bytes"]]),
        "frame_bytes_max": max(r["frame_bytes_max"] or 0 for r in normal),
        "detail_bytes": statistics.median(
            [r["detail_bytes"] for r in normal if r["detail_bytes"]] or [0]
        ),
        # the worst worker's (each worker has its own loop)
        "loop_lag": {key: max(lag[key] for lag in lags) for key in ("p50_ms", "p99_ms", "max_ms")},
        "loop_lag_workers": len(lags),
        "server_cpu_cores": round(cpu, 2),
        "server_ms_per_student_second": round(1000 * cpu / (n + heavy), 1),
        "load_generator_cpu_cores": round(own, 2),
    }


def commit_of(root: Path) -> str:
    return subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True
    ).stdout.strip()


def machine() -> str:
    """This machine, as a benchmark result must name it: cores, CPU model, load, commit."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = commit_of(ROOT)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} logical CPUs, {model}; load average {load}; "
        f"commit {commit or '?'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def start_server(
    port: int, workers: int, env: dict | None = None, root: Path = ROOT
) -> subprocess.Popen:
    """`nnplay serve` of the checkout at `root` on `port`, once it answers /api/health."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers in its process group, to kill them all if need be
    )
    for _ in range(200):
        try:
            health = http_json(f"http://127.0.0.1:{port}/api/health")
            break
        except OSError:
            time.sleep(0.05)
    else:
        stop_server(process)
        raise RuntimeError("the server did not start")
    if workers > 1:  # every worker up before the clients come
        if "pid" not in health:  # a server that does not say which process answers
            time.sleep(WORKERS_START_SECONDS)
        pids = {health.get("pid")}
        deadline = time.monotonic() + WORKERS_START_SECONDS
        while len(pids) < workers and "pid" in health and time.monotonic() < deadline:
            time.sleep(0.05)
            health = http_json(f"http://127.0.0.1:{port}/api/health")
            pids.add(health["pid"])
    return process


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM, as a classroom's server is stopped; its whole process group killed if it has
    not exited 30 s later (or had not started)."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


WORKERS_START_SECONDS = 5.0
"""How long `--workers N` may take to start every worker."""
LARGEST_CONFIG = {
    "dataset": {"name": "spiral", "size": 2000},
    "layers": [{"units": 64, "activation": "relu"}] * 6,  # max_hidden_layers × max_units
    "init": {"name": "he"},
    "learning_rate": 0.01,
}
READY_WAIT_STEPS = 1500
"""0.2 s steps to wait for the full sessions to create and play their runs (5 minutes)."""
LOAD_ENV = {"NNPLAY_MAX_SESSIONS_PER_CLIENT": "1000"}
"""Every client of the load generator comes from 127.0.0.1: lift the per-address session cap."""
FAIR_ENV = LOAD_ENV


async def created_runs(ws, n: int, config: dict) -> list[str]:
    runs = []
    for _ in range(n):
        await ws.send(json.dumps({"type": "create", "config": config}))
        while True:
            message = await ws.recv()
            if isinstance(message, str) and json.loads(message)["type"] in ("created", "error"):
                body = json.loads(message)
                assert body["type"] == "created", body
                runs.append(body["run"])
                break
    return runs


async def non_reader(url: str, stop: asyncio.Event) -> None:
    """Four `max`-speed runs, played, then never another read until `stop`."""
    async with websockets.connect(url, compression=None, max_size=None, max_queue=4) as ws:
        await ws.recv()  # hello
        runs = await created_runs(ws, 4, {})
        await ws.send(json.dumps({"type": "speed", "runs": runs, "iterations_per_frame": "max"}))
        for run in runs:
            await ws.send(json.dumps({"type": "play", "runs": [run]}))
        await stop.wait()


async def reader(url: str, n_runs: int, config: dict, stop: asyncio.Event, ready: list) -> None:
    """`n_runs` runs played as one compare group at `max` speed; reads everything."""
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        await ws.recv()
        runs = await created_runs(ws, n_runs, config)
        await ws.send(json.dumps({"type": "speed", "runs": runs, "iterations_per_frame": "max"}))
        await ws.send(json.dumps({"type": "play", "runs": runs}))
        ready.append(1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)


async def fairness(port: int, seconds: float) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    alone = await client(url, seconds, _set_event(), None)
    stop = asyncio.Event()
    attackers = [asyncio.create_task(non_reader(url, stop)) for _ in range(6)]
    await asyncio.sleep(12.0)  # their buffers fill, then (after unread_pause_seconds) they pause
    beside = await client(url, seconds, _set_event(), None)
    stop.set()
    await asyncio.gather(*attackers, return_exceptions=True)
    return {
        "scenario": "normal student beside 6 non-reading clients × 4 max runs",
        "fps_alone": round(alone["fps"], 1),
        "fps_beside": round(beside["fps"], 1),
        "ratio": round(beside["fps"] / alone["fps"], 3) if alone["fps"] else None,
    }


async def first_frames(port: int, sessions: int, joiners: int) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    stop, ready = asyncio.Event(), []
    full = [
        asyncio.create_task(reader(url, 4, LARGEST_CONFIG, stop, ready)) for _ in range(sessions)
    ]
    for _ in range(READY_WAIT_STEPS):  # bounded: a server that never gets there fails the row
        if len(ready) >= sessions:
            break
        await asyncio.sleep(0.2)
    else:
        stop.set()
        await asyncio.gather(*full, return_exceptions=True)
        raise RuntimeError(f"only {len(ready)} of {sessions} sessions playing after 5 minutes")
    await asyncio.sleep(3.0)  # all of them training
    times, acks, lags = [], [], []
    for _ in range(joiners):
        probe = asyncio.create_task(loop_lag(lags))
        result = await client(url, 5.0, _set_event(), None)
        probe.cancel()
        times.append(result["first_frame_ms"])
        acks.append(result["ack_ms"])
    stop.set()
    await asyncio.gather(*full, return_exceptions=True)
    known = [t for t in times if t is not None]
    return {
        "scenario": f"first frame of a student joining {sessions} sessions × 4 largest runs",
        "first_frame_ms": [round(t) if t is not None else None for t in times],
        "median_ms": round(statistics.median(known)) if known else None,
        "max_ms": round(max(known)) if known else None,
        # play → its ack: the command's wait for the training thread (a turn in progress)
        "ack_ms": [round(t) if t is not None else None for t in acks],
        # these clients share the machine with the server: their own loop's lag is in the times
        "bench_loop_lag_ms": {
            "p50": round(statistics.median(lags)) if lags else None,
            "max": round(max(lags)) if lags else None,
        },
    }


async def loop_lag(lags: list[float], period: float = 0.01) -> None:
    """Record this process's event-loop lag (ms) every `period` until cancelled."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(period)
        lags.append(1000 * (time.perf_counter() - start - period))


def _set_event() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


def run_fairness(args: argparse.Namespace) -> None:
    rows = []
    for name in ("unread", "first_frame"):
        port = free_port()
        server = start_server(port, 1, FAIR_ENV)
        try:
            time.sleep(0.5)
            if name == "unread":
                row = asyncio.run(fairness(port, args.seconds))
            else:
                row = asyncio.run(first_frames(port, args.sessions, args.joiners))
        finally:
            stop_server(server)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,10,30", help="client counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--heavy", type=int, default=0, help="extra clients with a heavy run")
    parser.add_argument(
        "--runs-per-client", type=int, default=1, help="default runs per client, one compare group"
    )
    parser.add_argument(
        "--against",
        default=None,
        help="another checkout (e.g. a git worktree of the base commit): each scenario runs on "
        "its server and on this one's, alternately",
    )
    parser.add_argument("--repeats", type=int, default=1, help="rounds of every scenario")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server (repeatable), "
        "e.g. NNPLAY_SWITCH_INTERVAL=0.005",
    )
    parser.add_argument(
        "--warm",
        type=float,
        default=0.0,
        help="count frames and CPU from this many seconds after play (the steady state after "
        "auto's quick start, which halves every 2 s: 14 s leaves 1/128 of it)",
    )
    parser.add_argument("--json", default=None)
    parser.add_argument("--fairness", action="store_true", help="the issue-10 abuse scenarios")
    parser.add_argument("--sessions", type=int, default=30, help="--fairness: full sessions")
    parser.add_argument("--joiners", type=int, default=5, help="--fairness: students joining")
    args = parser.parse_args()
    if args.fairness:
        run_fairness(args)
        return
    print(machine(), flush=True)
    roots = [Path(args.against).resolve(), ROOT] if args.against else [ROOT]
    rows = []
    for _ in range(args.repeats):
        for n in (int(c) for c in args.clients.split(",")):
            for root in roots:
                port = free_port()
                env = {**LOAD_ENV, **dict(pair.split("=", 1) for pair in args.server_env)}
                server = start_server(port, args.workers, env, root)
                try:
                    time.sleep(0.5)
                    pids = server_pids(server.pid)
                    row = asyncio.run(
                        scenario(
                            port,
                            pids,
                            n,
                            args.seconds,
                            args.heavy,
                            args.runs_per_client,
                            args.warm,
                        )
                    )
                finally:
                    stop_server(server)
                row["workers"] = args.workers
                row["server_env"] = args.server_env
                row["commit"] = commit_of(root)
                row["load_average"] = round(os.getloadavg()[0], 2)
                rows.append(row)
                print(json.dumps(row), flush=True)
    print()
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


def table(rows: list[dict]) -> str:
    """The scenario rows as a markdown table."""
    lines = [
        "| commit | clients | workers | frames/s per client (median / min) | slowest half / "
        "fastest half (within the worst process) | clients per process (their median "
        "frames/s) | first frame after play "
        "(median / max) | bytes per boundary frame (median / max) | detail bytes | loop lag "
        "p50 / p99 / max (worst worker) | server CPU | per student-second | load generator CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        heavy = f" + {r['heavy_clients']} heavy" if r["heavy_clients"] else ""
        runs = f" × {r['runs_per_client']} runs" if r["runs_per_client"] > 1 else ""
        lag = r["loop_lag"]
        ratio = r["slowest_half_over_fastest_half"]
        within = r.get("slowest_half_over_fastest_half_within_a_process")
        pairs = zip(r["split"], r["split_fps_median"], strict=True)
        split = " / ".join(f"{count} ({rate})" for count, rate in pairs)
        env = "".join(f" ({pair})" for pair in r.get("server_env", []))
        lines.append(
            f"| {r['commit']}{env} | {r['clients']}{runs}{heavy} | {r['workers']}"
            f" | {r['fps_median']:.1f} / {r['fps_min']:.1f}"
            f" | {'–' if ratio is None else f'{ratio:.2f}'}"
            f" ({'–' if within is None else f'{within:.2f}'}) | {split or '–'}"
            f" | {r['first_frame_ms_median']:.0f} / {r['first_frame_ms_max']:.0f} ms"
            f" | {r['frame_bytes']:.0f} / {r['frame_bytes_max']} B | {r['detail_bytes']:.0f} B"
            f" | {lag['p50_ms']:.1f} / {lag['p99_ms']:.1f} / {lag['max_ms']:.1f} ms"
            f" | {r['server_cpu_cores']:.2f} cores | {r['server_ms_per_student_second']:.1f} ms"
            f" | {r['load_generator_cpu_cores']:.2f} cores |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
