"""A run's frames, encoded once in the training thread and fanned out to every connection that
shows the run: its owner's, and any number of viewers'.

Each connection has a `View` of the run: the newest frame it has not sent yet, the newest
detail, and the gallery (once). A new frame replaces an unsent one (latest wins), so a slow
connection gets the newest state and never a backlog, and never slows the others: nothing waits
for it. What a connection missed travels with its next frame: a frame's costs are every cost
since that connection's last frame (`costs_from` says from which iteration). Connections that
are up to date (the usual case) share one encoding, byte for byte; one that fell behind gets its
own, with its longer run of costs.

Pictures travel once. A frame's `boundary` and a detail's `maps` (STICKY) are often the very
blob of the frame before (app/pictures.py recomputes them only when they can have moved by a
colour step); a blob published again as the same object is not sent again to a connection that
has it: its frames go without it (a few hundred bytes instead of ~10 KB), and the page keeps
showing the one it has. A connection that has not received the newest one — it joined later,
or the frame that carried it was replaced before it was sent — gets it with its next frame.

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


STICKY = {"frame": ("boundary",), "detail": ("maps",)}
"""Blobs a connection is sent only when it does not have them yet (see the module docstring)."""


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
        self._has: dict[str, int] = {}
        """The version of each sticky blob this connection was sent."""
        self._carries: dict[str, dict[str, int]] = {"frame": {}, "detail": {}}
        """The versions of sticky blobs in its unsent frame and detail."""

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
        self._last: dict[str, tuple[str, list[frames.Blob]]] = {}
        """The newest frame's and detail's header (as JSON; the frame's with its seq) and blobs
        other than the sticky ones, for a view that joins later."""
        self._sticky: dict[str, tuple[int, frames.Blob]] = {}
        """The newest blob of each sticky name, and its version (counting up)."""
        self._versions = 0
        self._make_gallery = gallery
        self._gallery: bytes | None = None
        self.closed = False
        self.keeps_costs = False
        """Whether every cost since iteration 1 is kept for views that join later (a run a class
        follows: a student who joins mid-lesson gets the whole cost curve); see keep_costs."""
        self._history: list[np.ndarray] = []
        """With keeps_costs: every cost since iteration 1 (since the last reset), in chunks."""

    @property
    def view_count(self) -> int:
        return len(self._views)

    def keep_costs(self) -> None:
        """From now on keep every cost (since iteration 1, or since the last reset: costs
        dropped before this call are gone) for the views that join later. At most
        max_run_iterations float64s: 8 MB for a million iterations; only a class's shown runs
        keep them."""
        with self._lock:
            if not self.keeps_costs and self._costs_from == 1:  # nothing dropped yet
                self._history = list(self._costs)
            self.keeps_costs = True

    def subscribe(
        self, notify: Callable[[], None] = _nothing, ended: Callable[[str], None] = _nothing
    ) -> View | None:
        """A new view of the run; None if the run has ended. A view that joins a run with
        frames gets the newest at once: with no costs (its costs start where it joined), or,
        if the outbox keeps its costs, with every cost kept."""
        with self._lock:
            if self.closed:
                return None
            view = View(self, notify, ended)
            end = self._costs_end()
            costs = NO_COSTS
            if self.keeps_costs and self._history:
                # The unsent costs become the whole history again, from where it starts; they
                # are dropped again once every view has been sent them.
                costs = np.concatenate(self._history)
                self._history = [costs]
                self._costs, self._costs_from = [costs], end - len(costs)
            view.sent_from = end - len(costs)
            view._frame_end = end
            view._gallery = self._gallery_bytes()
            if "frame" in self._last:
                body, blobs = self._last["frame"]
                view._frame = self._encode_for(view, "frame", body, blobs, view.sent_from, costs)
            if "detail" in self._last:
                body, blobs = self._last["detail"]
                view._detail = self._encode_for(view, "detail", body, blobs)
            self._views.append(view)
        if view._frame is not None:
            view.notify()
        return view

    # --- training-thread side --------------------------------------------------------------------

    def publish(
        self,
        header: dict,
        blobs: Sequence[frames.Blob],
        detail: tuple[dict, Sequence[frames.Blob]] | None,
        new_costs: np.ndarray,
    ) -> None:
        """A new frame for every view: `header` gets its `seq` and each view's `costs_from`;
        its blobs follow the costs blob. `detail` (its header and blobs) goes to every view
        too. Sticky blobs go only to the views that do not have them (module docstring)."""
        with self._lock:
            if len(new_costs):
                self._costs.append(new_costs)
                if self.keeps_costs:
                    self._history.append(new_costs)
            if len(self._costs) > 1:
                self._costs = [np.concatenate(self._costs)]
            costs = self._costs[0] if self._costs else NO_COSTS
            end = self._costs_from + len(costs)
            self._seq += 1
            body = frames.header_json({**header, "seq": self._seq})  # once for every view
            blobs = self._keep_sticky(blobs)
            self._last["frame"] = (body, blobs)
            if detail is not None:
                detail_body = frames.header_json(detail[0])
                detail_blobs = self._keep_sticky(detail[1])
                self._last["detail"] = (detail_body, detail_blobs)
            encoded: dict[tuple, tuple[bytes, dict[str, int]]] = {}
            for view in self._views:
                start = view.sent_from
                view._frame = self._encode_for(
                    view, "frame", body, blobs, start, costs[start - self._costs_from :], encoded
                )
                view._frame_end = end
                if detail is not None:
                    view._detail = self._encode_for(
                        view, "detail", detail_body, detail_blobs, cache=encoded
                    )
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
            self._history = []
            for view in self._views:
                view.sent_from = view._frame_end = 1
                view._frame = None
                view._carries["frame"] = {}

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
                view._has.update(view._carries["frame"])
                view._carries["frame"] = {}
            elif gallery is not None:
                # The gallery goes just before the view's first frame, never alone ahead of it.
                view._gallery, gallery = gallery, None
            if detail is not None:
                view._has.update(view._carries["detail"])
                view._carries["detail"] = {}
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

    def _keep_sticky(self, blobs: Sequence[frames.Blob]) -> list[frames.Blob]:
        """Record the sticky blobs among `blobs` (a new version for each new object); return
        the others, in order."""
        rest = []
        for blob in blobs:
            if blob.name in STICKY["frame"] or blob.name in STICKY["detail"]:
                known = self._sticky.get(blob.name)
                if known is None or known[1] is not blob:
                    self._versions += 1
                    self._sticky[blob.name] = (self._versions, blob)
            else:
                rest.append(blob)
        return rest

    def _encode_for(
        self,
        view: View,
        kind: str,
        body: str,
        blobs: list[frames.Blob],
        start: int | None = None,
        costs: np.ndarray | None = None,
        cache: dict | None = None,
    ) -> bytes:
        """The frame (`kind` "frame": with costs from iteration `start`) or detail of header
        JSON `body` and `blobs` for `view`: with the sticky blobs it does not have, which its
        unsent message then carries. Views that need the same share one encoding (`cache`)."""
        needed = tuple(
            name
            for name in STICKY[kind]
            if name in self._sticky and self._sticky[name][0] > view._has.get(name, 0)
        )
        key = (kind, start, needed)
        if cache is not None and key in cache:
            message, carries = cache[key]
        else:
            sticky = [self._sticky[name][1] for name in needed]
            carries = {name: self._sticky[name][0] for name in needed}
            if kind == "frame":
                cost_blob = frames.Blob.of("costs", costs.astype(np.float32))
                text = f'{body[:-1]},"costs_from":{start}}}'
                message = frames.encode_json(text, [cost_blob, *sticky, *blobs])
            else:
                message = frames.encode_json(body, [*sticky, *blobs])
            if cache is not None:
                cache[key] = (message, carries)
        view._carries[kind] = carries
        return message
