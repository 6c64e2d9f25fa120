"""Event-loop lag: how late the loop wakes a sleeper, the measure of "nothing blocks the loop".

A task sleeps `INTERVAL` over and over and records how much later than asked it woke up. The
recent samples' percentiles are reported by GET /api/health and read by the server benchmark.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time

INTERVAL = 0.02
SAMPLES = 1500
"""30 s of history at 50 samples a second."""


class LoopLagMonitor:
    """Samples the running loop's wake-up delay in the background while started."""

    def __init__(self) -> None:
        self.samples: collections.deque[tuple[float, float]] = collections.deque(maxlen=SAMPLES)
        """(time it was taken, lag in seconds)."""
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="nnplay-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(INTERVAL)
            now = time.perf_counter()
            self.samples.append((now, max(0.0, now - start - INTERVAL)))

    def summary(self, window: float | None = None) -> dict[str, float | int]:
        """p50, p99 and max lag in milliseconds over the last `window` seconds (default: all
        recent samples, up to 30 s). Callable from any thread (GET /api/health is answered in
        the thread pool while the loop records)."""
        since = time.perf_counter() - window if window else -1.0
        # Copied in one C call, which the loop's task cannot interleave with: a Python-level
        # loop over the deque would see it mutated (RuntimeError) when the GIL switches mid-way.
        samples = list(self.samples)
        data = sorted(lag for t, lag in samples if t >= since)
        if not data:
            return {"samples": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}

        def pick(q: float) -> float:
            return round(1000 * data[min(len(data) - 1, int(q * len(data)))], 3)

        return {
            "samples": len(data),
            "p50_ms": pick(0.5),
            "p99_ms": pick(0.99),
            "max_ms": round(1000 * data[-1], 3),
        }
