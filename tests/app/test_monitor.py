"""app/monitor.py: the event-loop lag monitor and its summary."""

from __future__ import annotations

import asyncio
import sys
import threading

from app.monitor import SAMPLES, LoopLagMonitor


def test_summary_reads_the_percentiles_of_the_window():
    monitor = LoopLagMonitor()
    assert monitor.summary() == {"samples": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    for k in range(100):
        monitor.samples.append((float(k), k / 1000))  # taken at t = k s, k ms late
    assert monitor.summary() == {"samples": 100, "p50_ms": 50.0, "p99_ms": 99.0, "max_ms": 99.0}
    # a window counts back from now: these samples are all decades old
    assert monitor.summary(window=5)["samples"] == 0


def test_summary_from_another_thread_while_the_loop_records():
    """GET /api/health is answered in the thread pool while the loop's task appends samples:
    iterating the deque there raised "deque mutated during iteration" (a 500) once the switch
    interval let the loop run in between (bench_server.py with NNPLAY_SWITCH_INTERVAL=0.0002)."""
    monitor = LoopLagMonitor()
    stop = threading.Event()

    def record() -> None:  # the loop's task, as fast as it can
        k = 0
        while not stop.is_set():
            monitor.samples.append((1e12, (k % 7) / 1000))
            k += 1

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    writer = threading.Thread(target=record)
    writer.start()
    try:
        while len(monitor.samples) < SAMPLES:
            pass
        for _ in range(300):
            summary = monitor.summary()
            assert summary["samples"] == SAMPLES
            assert 0.0 <= summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"] <= 6.0
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(previous)


def test_the_monitor_samples_a_running_loop():
    async def sample() -> dict:
        monitor = LoopLagMonitor()
        monitor.start()
        await asyncio.sleep(0.15)
        await monitor.stop()
        return monitor.summary()

    summary = asyncio.run(sample())
    assert summary["samples"] >= 3
    assert summary["max_ms"] >= summary["p50_ms"] >= 0.0
