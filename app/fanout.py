"""A run's frames, encoded once in the training thread and fanned out to every connection that
shows the run: its owner's, and any number of viewers'.

Each connection has a `View` of the run: the newest frame it has not sent yet, the newest
detail, and the gallery (once). A new frame replaces an unsent one (latest wins), so a slow
connection gets the newest state and never a backlog, and never slows the others: nothing waits
for it. What a connection missed travels with its next frame: a frame's costs are every cost
since that connection's last frame (`costs_from` says from which iteration). Connections that
are up to date (the usual case) share one encoding, byte for byte; one that fell behind gets its
own, with its longer run of costs.

Threading contract: `publish`, `reset` and `close` are called from the training thread, `take`
and `View.close` from the event loop, `subscribe` from either; everything shared is behind one
lock, held for one encoding at most (as before: the frame was always encoded under the outbox's
lock). A view's `notify` and `ended` are called from the thread that published or closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from . import frames

NO_COSTS = np.empty(0)


def _nothing(*args) -> None:
    pass


class View:
    """One connection's share of a run's frames (made by `Outbox.subscribe`)."""

    def __init__(
        self,
        outbox: Outbox,
        notify: Callable[[], None] = _nothing,
        ended: Callable[[str], None] = _nothing,
    ) -> None:
        self._outbox = outbox
        self.notify = notify
        """Called when a new frame waits for this view (from the publishing thread)."""
        self.ended = ended
        """Called once with the reason ("deleted", "owner_left") when the run ends."""
        self.closed = False
        self.sent_from = 1
        """The first iteration whose cost this connection has not been sent."""
        self._frame: bytes | None = None
        self._frame_end = 1
        self._detail: bytes | None = None
        self._gallery: bytes | None = None

    def take(self) -> tuple[bytes | None, bytes | None, bytes | None]:
        """The gallery (once), the newest frame and detail not yet sent (None where none); the
        frame's costs count as sent."""
        return self._outbox._take(self)

    def close(self) -> None:
        """Stop receiving the run's frames (idempotent)."""
        self._outbox._unsubscribe(self)


class Outbox:
    """The frames of one run and the views they go to.

    `gallery`: builds the run's gallery message (sent once to each view, before its first
    frame), or None if the run has none."""

    def __init__(self, gallery: Callable[[], bytes] | None = None) -> None:
        self._lock = threading.Lock()
        self._views: list[View] = []
        self._costs: list[np.ndarray] = []
        """Costs not yet sent to every view, from iteration `_costs_from` on."""
        self._costs_from = 1
        self._seq = 0
        self._last: tuple[str, list[frames.Blob]] | None = None
        """The newest frame's header (as JSON, with its seq) and blobs, for a view that joins
        later."""
        self._detail: bytes | None = None
        self._make_gallery = gallery
        self._gallery: bytes | None = None
        self.closed = False

    @property
    def view_count(self) -> int:
        return len(self._views)

    def subscribe(
        self, notify: Callable[[], None] = _nothing, ended: Callable[[str], None] = _nothing
    ) -> View | None:
        """A new view of the run; None if the run has ended. A view that joins a run with
        frames gets the newest at once (with no costs: its costs start where it joined)."""
        with self._lock:
            if self.closed:
                return None
            view = View(self, notify, ended)
            view.sent_from = self._costs_end()
            view._frame_end = view.sent_from
            view._gallery = self._gallery_bytes()
            if self._last is not None:
                body, blobs = self._last
                view._frame = self._encode(body, blobs, view.sent_from, NO_COSTS)
                view._detail = self._detail
            self._views.append(view)
        if view._frame is not None:
            view.notify()
        return view

    # --- training-thread side --------------------------------------------------------------------

    def publish(
        self,
        header: dict,
        blobs: Sequence[frames.Blob],
        detail: bytes | None,
        new_costs: np.ndarray,
    ) -> None:
        """A new frame for every view: `header` gets its `seq` and each view's `costs_from`;
        its blobs follow the costs blob. `detail` (already encoded) goes to every view too."""
        with self._lock:
            if len(new_costs):
                self._costs.append(new_costs)
            if len(self._costs) > 1:
                self._costs = [np.concatenate(self._costs)]
            costs = self._costs[0] if self._costs else NO_COSTS
            end = self._costs_from + len(costs)
            self._seq += 1
            body = frames.header_json({**header, "seq": self._seq})  # once for every view
            blobs = list(blobs)
            encoded: dict[int, bytes] = {}
            for view in self._views:
                start = view.sent_from
                if start not in encoded:
                    encoded[start] = self._encode(
                        body, blobs, start, costs[start - self._costs_from :]
                    )
                view._frame, view._frame_end = encoded[start], end
                if detail is not None:
                    view._detail = detail
            self._last = (body, blobs)
            if detail is not None:
                self._detail = detail
            # Costs every view has been sent are dropped (sent_from only grows, until a reset).
            sent = min((view.sent_from for view in self._views), default=end)
            self._costs = [costs[sent - self._costs_from :]] if sent < end else []
            self._costs_from = min(sent, end)
            views = list(self._views)
        for view in views:
            view.notify()

    def reset(self) -> None:
        """Costs restart at iteration 1 (the run went back to iteration 0); unsent frames of
        the old iterations are dropped (the reset's own frame follows)."""
        with self._lock:
            self._costs, self._costs_from = [], 1
            for view in self._views:
                view.sent_from = view._frame_end = 1
                view._frame = None

    def close(self, reason: str) -> None:
        """The run ended: no view gets frames any more, and each is told why (once)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            views, self._views = self._views, []
            for view in views:
                view.closed = True
        for view in views:
            view.ended(reason)

    # --- event-loop side -------------------------------------------------------------------------

    def _take(self, view: View) -> tuple[bytes | None, bytes | None, bytes | None]:
        with self._lock:
            gallery, view._gallery = view._gallery, None
            frame, view._frame = view._frame, None
            detail, view._detail = view._detail, None
            if frame is not None:
                view.sent_from = view._frame_end
            elif gallery is not None:
                # The gallery goes just before the view's first frame, never alone ahead of it.
                view._gallery, gallery = gallery, None
        return gallery, frame, detail

    def _unsubscribe(self, view: View) -> None:
        with self._lock:
            if view in self._views:
                self._views.remove(view)
            view.closed = True

    # --- inside the lock -------------------------------------------------------------------------

    def _costs_end(self) -> int:
        return self._costs_from + sum(len(c) for c in self._costs)

    def _gallery_bytes(self) -> bytes | None:
        if self._gallery is None and self._make_gallery is not None:
            self._gallery = self._make_gallery()
        return self._gallery

    @staticmethod
    def _encode(body: str, blobs: list[frames.Blob], start: int, costs: np.ndarray) -> bytes:
        """The frame of header JSON `body` for a view whose costs start at iteration `start`."""
        cost_blob = frames.Blob.of("costs", costs.astype(np.float32))
        return frames.encode_json(f'{body[:-1]},"costs_from":{start}}}', [cost_blob, *blobs])
