"""A run's frames fanned out to its views: encoded once for those up to date, latest wins, the
costs a slow view missed travel with its next frame, a late viewer starts at the newest."""

from __future__ import annotations

import numpy as np

from app.fanout import Outbox
from app.frames import Blob, decode

BOUNDARY = Blob.of("boundary", np.arange(16, dtype=np.uint8).reshape(4, 4))


PARAMETERS = Blob.of("parameters", np.arange(5, dtype=np.float32))


def publish(
    outbox: Outbox, iteration: int, costs: list[float], detail: str | None = None, boundary=None
):
    """A frame of `iteration` with those new costs and `boundary` (BOUNDARY, the same object
    each time, unless given); with a detail whose header says `detail`."""
    header = {"type": "frame", "run": "r", "iteration": iteration}
    details = None if detail is None else ({"type": "detail", "tag": detail}, [PARAMETERS])
    blobs = [BOUNDARY if boundary is None else boundary]
    outbox.publish(header, blobs, details, np.array(costs, dtype=np.float64))


def tag(detail: bytes) -> str:
    return decode(detail)[0]["tag"]


def costs_of(frame: bytes) -> tuple[int, list[float]]:
    header, arrays = decode(frame)
    return header["costs_from"], arrays["costs"].tolist()


def test_views_that_are_up_to_date_get_the_same_bytes():
    outbox = Outbox()
    a, b = outbox.subscribe(), outbox.subscribe()
    publish(outbox, 2, [1.0, 0.5], detail="detail-1")
    (_, frame_a, detail_a), (_, frame_b, detail_b) = a.take(), b.take()
    assert frame_a is frame_b  # one encoding
    assert detail_a is detail_b and tag(detail_a) == "detail-1"
    assert costs_of(frame_a) == (1, [1.0, 0.5])
    assert decode(frame_a)[0]["seq"] == 1


def test_a_slow_view_gets_the_newest_frame_with_every_cost_it_missed():
    outbox = Outbox()
    fast, slow = outbox.subscribe(), outbox.subscribe()
    publish(outbox, 1, [0.9])
    fast.take()
    publish(outbox, 2, [0.8])
    fast.take()
    publish(outbox, 3, [0.7])
    _, frame_fast, _ = fast.take()
    _, frame_slow, _ = slow.take()
    assert costs_of(frame_fast) == (3, [np.float32(0.7)])
    assert costs_of(frame_slow) == (1, [np.float32(c) for c in (0.9, 0.8, 0.7)])
    assert decode(frame_slow)[0]["iteration"] == 3  # the newest, not a backlog
    assert slow.take() == (None, None, None)
    publish(outbox, 4, [0.6])
    assert costs_of(slow.take()[1]) == costs_of(fast.take()[1]) == (4, [np.float32(0.6)])


def test_a_late_viewer_starts_at_the_newest_frame_without_the_history():
    outbox = Outbox()
    owner = outbox.subscribe()
    publish(outbox, 2, [1.0, 0.5], detail="detail")
    owner.take()
    notified = []
    viewer = outbox.subscribe(notify=lambda: notified.append(True))
    assert notified == [True]
    _, frame, detail = viewer.take()
    header, _ = decode(frame)
    assert header["iteration"] == 2 and header["seq"] == 1 and tag(detail) == "detail"
    assert "boundary" in decode(frame)[1]  # the picture the owner already has
    assert costs_of(frame) == (3, [])
    publish(outbox, 3, [0.25])
    assert viewer.take()[1] == owner.take()[1]  # from here on, the same bytes


def test_reset_restarts_the_costs_of_every_view_at_iteration_one():
    outbox = Outbox()
    a, b = outbox.subscribe(), outbox.subscribe()
    publish(outbox, 2, [1.0, 0.5])
    a.take()
    outbox.reset()
    assert b.take() == (None, None, None)  # the old iterations' frame is dropped
    publish(outbox, 0, [])
    assert costs_of(a.take()[1]) == costs_of(b.take()[1]) == (1, [])


def test_the_gallery_goes_once_to_each_view_just_before_its_first_frame():
    made = []
    outbox = Outbox(gallery=lambda: made.append(1) or b"gallery")
    owner = outbox.subscribe()
    assert owner.take() == (None, None, None)  # not ahead of a frame
    publish(outbox, 0, [])
    gallery, frame, _ = owner.take()
    assert gallery == b"gallery" and frame is not None
    publish(outbox, 1, [0.5])
    assert owner.take()[0] is None
    viewer = outbox.subscribe()
    assert viewer.take()[0] == b"gallery"
    assert made == [1]  # encoded once


def test_closing_tells_every_view_once_and_a_closed_outbox_takes_no_viewer():
    outbox = Outbox()
    told = []
    views = [outbox.subscribe(ended=lambda reason, i=i: told.append((i, reason))) for i in (0, 1)]
    views[1].close()
    outbox.close("deleted")
    outbox.close("owner_left")
    assert told == [(0, "deleted")] and all(view.closed for view in views)
    assert outbox.subscribe() is None
    publish(outbox, 1, [0.5])  # a frame built meanwhile goes nowhere
    assert views[0].take() == (None, None, None)


def test_costs_every_view_was_sent_are_not_kept():
    outbox = Outbox()
    view = outbox.subscribe()
    for i in range(50):
        publish(outbox, i + 1, [float(i)])
        view.take()
    assert sum(len(c) for c in outbox._costs) <= 1


def _has_boundary(frame: bytes) -> bool:
    return "boundary" in decode(frame)[1]


def test_a_picture_goes_once_to_each_view_and_again_to_one_that_missed_it():
    outbox = Outbox()
    fast, slow = outbox.subscribe(), outbox.subscribe()
    publish(outbox, 1, [0.9])
    assert _has_boundary(fast.take()[1])
    publish(outbox, 2, [0.8])  # the same boundary again: not sent to who has it
    frame = fast.take()[1]
    assert not _has_boundary(frame) and decode(frame)[0]["iteration"] == 2
    new = Blob.of("boundary", np.full((4, 4), 7, dtype=np.uint8))
    publish(outbox, 3, [0.7], boundary=new)
    assert _has_boundary(fast.take()[1])
    publish(outbox, 4, [0.6], boundary=new)  # replaces slow's unsent frame that carried it
    assert not _has_boundary(fast.take()[1])
    header, arrays = decode(slow.take()[1])  # slow took none of frames 1–3: 4 brings it
    assert header["iteration"] == 4 and (arrays["boundary"] == 7).all()
    publish(outbox, 5, [0.5], boundary=new)
    frame_fast, frame_slow = fast.take()[1], slow.take()[1]
    assert frame_fast is frame_slow and not _has_boundary(frame_fast)  # up to date: one encoding

    publish(outbox, 6, [0.4], boundary=Blob.of("boundary", np.zeros((4, 4), dtype=np.uint8)))
    publish(outbox, 7, [0.3], boundary=BOUNDARY)  # a new object again, though seen before
    assert (decode(fast.take()[1])[1]["boundary"] == np.arange(16).reshape(4, 4)).all()


def test_a_detail_sends_its_maps_once_to_each_view():
    outbox = Outbox()
    maps = Blob.of("maps", np.ones((2, 3, 3), dtype=np.uint8))
    view = outbox.subscribe()

    def detail(iteration):
        header = {"type": "frame", "run": "r", "iteration": iteration}
        outbox.publish(header, [BOUNDARY], ({"type": "detail"}, [maps, PARAMETERS]), np.empty(0))
        return decode(view.take()[2])[1]

    first, second = detail(1), detail(2)
    assert set(first) == {"maps", "parameters"} and set(second) == {"parameters"}
    late = outbox.subscribe()
    _, frame, late_detail = late.take()
    assert _has_boundary(frame) and set(decode(late_detail)[1]) == {"maps", "parameters"}


def test_after_a_reset_the_next_picture_goes_to_every_view():
    outbox = Outbox()
    a = outbox.subscribe()
    publish(outbox, 1, [0.9])
    a.take()
    outbox.reset()
    publish(outbox, 0, [], boundary=Blob.of("boundary", np.zeros((4, 4), dtype=np.uint8)))
    assert _has_boundary(a.take()[1])
