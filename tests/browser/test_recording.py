"""Recording the run for a slide (static/js/recording.js, recordPanel.js), in real Chromium: a
WebM video of the chosen length made by the browser's MediaRecorder, a PNG sequence in a ZIP
that Python's zipfile opens and an animated GIF, each frame 1280 x 720, while the network
trains; in compare mode every run side by side."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

from tests.browser.page_helpers import iteration

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# The recorded video decoded by the page's own <video>. MediaRecorder's WebM has no duration in
# its header (it reads Infinity) unless the page wrote it in (static/js/webm.js): then it is
# known at once ("header"); else seek far past the end, and the player then knows it.
VIDEO_FACTS = """async () => {
  const { blob } = window.nnplay.recording.last;
  const video = document.createElement('video');
  video.muted = true;
  video.src = URL.createObjectURL(blob);
  await new Promise((resolve, reject) => {
    video.onloadedmetadata = resolve;
    video.onerror = () => reject(new Error('the video does not decode'));
  });
  const header = video.duration;
  if (!Number.isFinite(video.duration)) {
    await new Promise((resolve) => {
      video.ondurationchange = () => { if (Number.isFinite(video.duration)) resolve(); };
      video.currentTime = 1e101;
    });
  }
  // Where the last frame ends, whatever the header says: seek past the end, read the clock.
  await new Promise((resolve) => { video.onseeked = resolve; video.currentTime = 1e101; });
  const played = video.currentTime;
  const { duration, videoWidth: width, videoHeight: height } = video;
  return { header, duration, played, width, height, size: blob.size, type: blob.type };
}"""


def record(page, seconds: int, kind: str, rate: int | None = None, badge: bool = False):
    """Fill the share menu's form and record: the download it makes. With `badge`, wait for
    the clock to show while it records (not while a GIF records: on a loaded machine encoding
    its frames may keep the page too busy to be asked before the recording ends)."""
    page.get_by_test_id("share-menu").locator("summary").click()
    page.get_by_test_id("record-seconds").fill(str(seconds))
    page.get_by_test_id("record-format").select_option(kind)
    if rate is not None:
        page.get_by_test_id("record-rate").select_option(str(rate))
    with page.expect_download(timeout=90_000) as info:
        page.get_by_test_id("record-start").click()
        if badge:
            page.get_by_test_id("record-badge").wait_for()
    return info.value


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def gif_frames(data: bytes) -> tuple[int, int, list[int]]:
    """A GIF's screen size and each frame's delay (hundredths of a second), block by block."""
    assert data[:6] == b"GIF89a"
    width, height = struct.unpack("<HH", data[6:10])
    p = 13 + (3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    delays: list[int] = []
    delay = 0

    def skip_sub_blocks(p: int) -> int:
        while data[p]:
            p += 1 + data[p]
        return p + 1

    while data[p] != 0x3B:
        if data[p] == 0x21:  # an extension: graphic control holds the delay
            if data[p + 1] == 0xF9:
                delay = struct.unpack("<H", data[p + 4 : p + 6])[0]
            p = skip_sub_blocks(p + 2)
        else:
            assert data[p] == 0x2C, f"unknown block at {p}"
            flags = data[p + 9]
            p += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0) + 1  # + LZW code size
            p = skip_sub_blocks(p)
            delays.append(delay)
    assert p == len(data) - 1
    return width, height, delays


def test_a_recorded_video_has_the_chosen_length_and_is_a_webm(playground, shots):
    page = playground
    before = iteration(page)
    download = record(page, 2, "webm", badge=True)
    dataset = page.evaluate("window.nnplay.controller.state.dataset")
    name = download.suggested_filename
    assert re.fullmatch(rf"nnplay-{dataset}-\d{{4}}-\d\d-\d\d-\d{{4}}\.webm", name), name
    data = Path(download.path()).read_bytes()
    assert data[:4] == EBML_MAGIC
    assert b"webm" in data[:64]  # the EBML DocType
    facts = page.evaluate(VIDEO_FACTS)
    assert facts["size"] == len(data) > 10_000
    assert facts["type"] == "video/webm"
    assert (facts["width"], facts["height"]) == (1280, 720)
    # About the chosen 2 s: the recorder stops on a timer, late only by what the page's load adds.
    assert 1.6 <= facts["duration"] <= 3.5, facts
    assert facts["header"] == facts["duration"]  # its length is in its header: seekable at once
    assert abs(facts["played"] - facts["duration"]) < 0.1  # and is its frames' own
    assert iteration(page) > before  # "play while recording" started the training
    # The menu offers the file again, named as downloaded.
    link = page.get_by_test_id("record-file")
    assert link.get_attribute("download") == download.suggested_filename
    assert page.get_by_test_id("record-badge").is_hidden()
    page.screenshot(path=str(shots / "recording-menu.png"))


def test_a_png_sequence_is_a_zip_of_the_expected_frames(playground, shots):
    page = playground
    download = record(page, 2, "png", rate=5)
    assert download.suggested_filename.endswith("-frames.zip")
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC checks
        names = archive.namelist()
        assert len(names) == 10  # 2 s at 5 frames a second
        assert names == sorted(names) and all(n.endswith(".png") for n in names)
        frames = [archive.read(n) for n in names]
    assert all(png_size(f) == (1280, 720) for f in frames)
    assert frames[0] != frames[-1]  # the run trained while it recorded
    (shots / "recording-first.png").write_bytes(frames[0])
    (shots / "recording-last.png").write_bytes(frames[-1])


def test_a_click_on_the_badge_stops_the_recording_early(playground, shots):
    page = playground
    page.get_by_test_id("share-menu").locator("summary").click()
    page.get_by_test_id("record-seconds").fill("30")
    page.get_by_test_id("record-start").click()
    badge = page.get_by_test_id("record-badge")
    badge.wait_for()
    page.wait_for_function("document.querySelector('[data-testid=record-progress]').value > 0")
    page.screenshot(path=str(shots / "recording-badge.png"))
    with page.expect_download(timeout=60_000) as info:
        badge.click()
    assert info.value.suggested_filename.endswith(".webm")
    facts = page.evaluate(VIDEO_FACTS)
    assert 0 < facts["duration"] < 20, facts  # stopped on the click, not after the 30 s chosen
    assert badge.is_hidden()


def test_compare_mode_records_every_run_side_by_side(page, server_url, shots):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server_url + "/#cmp=activation&vals=sigmoid,tanh,relu")
    page.wait_for_function(
        "() => { const c = window.nnplay && window.nnplay.compare; return c && c.ready"
        " && c.runs.length === 3 && c.runs.every(r => window.nnplay.recorder.get(r.id)?.frame); }"
    )
    download = record(page, 2, "png", rate=2)
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        assert archive.testzip() is None
        frames = [archive.read(n) for n in archive.namelist()]
    assert len(frames) == 4
    assert all(png_size(f) == (1280, 720) for f in frames)
    scene = page.evaluate(
        "(() => { const s = window.nnplay.recording.scene();"
        " return { panels: s.panels.map(p => p.label), curves: s.curves.map(c => c.label) }; })()"
    )
    labels = page.evaluate("window.nnplay.compare.runs.map(r => r.label)")
    assert scene == {"panels": labels, "curves": labels} and len(labels) == 3
    assert page.evaluate("window.nnplay.compare.progress()") > 0  # it played while recording
    (shots / "recording-compare.png").write_bytes(frames[-1])


def test_an_animated_gif_holds_the_frames_at_the_chosen_rate(playground, shots):
    page = playground
    download = record(page, 2, "gif", rate=2)
    assert download.suggested_filename.endswith(".gif")
    data = Path(download.path()).read_bytes()
    width, height, delays = gif_frames(data)
    assert (width, height) == (1280, 720)
    assert delays == [50] * 4  # 2 s at 2 frames a second: 4 frames of 0.5 s
    (shots / "recording.gif").write_bytes(data)
    # Chromium's own decoder reads it (and shows it, to look at).
    size = page.evaluate(
        """async () => {
      const img = document.createElement('img');
      img.dataset.testid = 'gif-shown';
      img.style.cssText = 'position:fixed;left:0;top:0;width:1280px;height:720px;z-index:99';
      img.src = URL.createObjectURL(window.nnplay.recording.last.blob);
      document.body.append(img);
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }"""
    )
    assert size == [1280, 720]
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_test_id("gif-shown").screenshot(path=str(shots / "recording-gif.png"))
