// Recording the run (static/js/recording.js): the codec choice, the lengths, the file names, the
// layout, the cost axes and curve, the scenes built from a run's record, and a PNG recording
// driven by a fake clock (exactly the frames due, zipped). The browser test
// (tests/browser/test_recording.py) records for real in Chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RunRecord } from '../../static/js/exporter.js';
import {
  HEIGHT, MAX_PNG_FRAMES, MAX_SECONDS, Recording, RecordingController, WIDTH, compareScene, costExtent, curvePixels,
  drawScene, fileStem, fitBounds, layout, networkText, numberText, parseSeconds, pickVideoType, pngFrameCount,
  runScene, settingsText, tickText, ticks,
} from '../../static/js/recording.js';
import { crc32 } from '../../static/js/zip.js';

test('the first supported WebM type is chosen, VP9 first; none: null', () => {
  assert.equal(pickVideoType(() => true), 'video/webm;codecs=vp9');
  assert.equal(pickVideoType((t) => t !== 'video/webm;codecs=vp9'), 'video/webm;codecs=vp8');
  assert.equal(pickVideoType((t) => t === 'video/webm'), 'video/webm');
  assert.equal(pickVideoType((t) => t === 'video/mp4'), null);
});

test('a typed length is whole seconds in 1..MAX_SECONDS; frames are seconds × rate, capped', () => {
  assert.equal(parseSeconds('10'), 10);
  assert.equal(parseSeconds(' 2.6 '), 3);
  assert.equal(parseSeconds('0'), 1);
  assert.equal(parseSeconds('99999'), MAX_SECONDS);
  assert.equal(parseSeconds(''), null);
  assert.equal(parseSeconds('ten'), null);
  assert.equal(pngFrameCount(2, 5), 10);
  assert.equal(pngFrameCount(0.1, 2), 1);
  assert.equal(pngFrameCount(600, 10), MAX_PNG_FRAMES);
});

test('file names: the dataset made safe, and the local date and time', () => {
  const date = new Date(2026, 11, 2, 9, 5);
  assert.equal(fileStem('moons', date), 'nnplay-moons-2026-12-02-0905');
  assert.equal(fileStem('Iris (UCI) / v2', date), 'nnplay-iris-uci-v2-2026-12-02-0905');
  assert.equal(fileStem('Ünïcode ✓', date), 'nnplay-unicode-2026-12-02-0905');
  assert.equal(fileStem('', date), 'nnplay-run-2026-12-02-0905');
});

test('the run in the course\'s words', () => {
  assert.equal(networkText({ layer_dims: [2, 4, 1], activations: ['tanh', 'sigmoid'] }), '2 → 4 tanh → 1 sigmoid');
  assert.equal(networkText({ layer_dims: [2, 1], activations: ['sigmoid'] }), '2 → 1 sigmoid');
  assert.equal(settingsText({ lr: 0.3, opt: 'adam', l2: 0.01, batch: 64, seed: 3 }), 'learning rate α = 0.3 · Adam · L2 λ = 0.01 · batch 64 · seed 3');
  assert.equal(settingsText({ lr: 1.2, opt: 'gd', l2: 0, batch: null, seed: 1 }), 'learning rate α = 1.2 · gradient descent · seed 1');
  assert.equal(numberText(0.14237), '0.142');
  assert.equal(numberText(0.0000123), '1.23e-5');
  assert.equal(numberText(NaN), '–');
});

/** Whether box a lies within box b. */
const inside = (a, b) => a.x >= b.x - 1e-9 && a.y >= b.y - 1e-9 && a.x + a.width <= b.x + b.width + 1e-9 && a.y + a.height <= b.y + b.height + 1e-9;
const apart = (a, b) => a.x + a.width <= b.x + 1e-9 || b.x + b.width <= a.x + 1e-9 || a.y + a.height <= b.y + 1e-9 || b.y + b.height <= a.y + 1e-9;

test('the layout: every box on the frame, none overlapping, the boundaries square', () => {
  const frame = { x: 0, y: 0, width: WIDTH, height: HEIGHT };
  for (const n of [0, 1, 2, 3, 4]) {
    const L = layout(n);
    const boxes = [L.title, L.counter, L.cost, ...L.boundaries];
    assert.equal(L.boundaries.length, n);
    for (const box of boxes) assert.ok(inside(box, frame), `n=${n}: ${JSON.stringify(box)}`);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(apart(boxes[i], boxes[j]), `n=${n}: boxes ${i} and ${j}`);
    for (const b of L.boundaries) assert.equal(b.width, b.height);
    assert.ok(L.cost.width > 400 && L.cost.height > 200, `n=${n}: the cost is legible`);
  }
  assert.ok(layout(1).boundaries[0].width > 550); // one run: the boundary is the slide's half
});

test('the boundary keeps x1 and x2 to scale within its square', () => {
  const square = { x: 10, y: 20, width: 600, height: 600 };
  assert.deepEqual(fitBounds(square, [-1, 1, -1, 1]), square);
  assert.deepEqual(fitBounds(square, [-4, 4, -2, 2]), { x: 10, y: 170, width: 600, height: 300 });
  assert.deepEqual(fitBounds(square, [0, 1, 0, 2]), { x: 160, y: 20, width: 300, height: 600 });
});

test('ticks: round steps on a linear axis, decades on a log axis', () => {
  assert.deepEqual(ticks(0, 0.7, false), [0, 0.2, 0.4, 0.6]);
  assert.deepEqual(ticks(0, 13622, false), [0, 5000, 10000]);
  assert.deepEqual(ticks(0.001, 1, true), [0.001, 0.01, 0.1, 1]);
  assert.equal(ticks(1e-12, 1, true).length <= 5, true);
  assert.deepEqual(ticks(0.2, 0.7, true), [0.2, 0.7]); // within one decade: its ends
  assert.deepEqual([0, 0.5, 2, 0.001, 5000, 10000].map(tickText), ['0', '0.5', '2', '1e-3', '5,000', '10,000']);
});

test('the cost axes: from 0 on a linear axis, positive costs only on a log one', () => {
  const curves = [{ x: [1, 2, 3, 4], y: [0.7, null, 0.1, NaN] }, { x: [2, 30], y: [0.8, 0] }];
  const linear = costExtent(curves, false);
  assert.equal(linear.xMax, 30);
  assert.equal(linear.lo, 0);
  assert.ok(linear.hi > 0.8 && linear.hi < 0.9);
  const log = costExtent(curves, true);
  assert.equal(log.xMax, 10); // the 0 at iteration 30 is not on a log axis: at least 10
  assert.ok(log.lo < 0.1 && log.lo > 0.05 && log.hi > 0.8 && log.hi < 1);
  assert.equal(costExtent([{ x: [], y: [] }], false), null);
});

test('the curve in pixels: x by iteration, y by cost (log: by decade), breaks at gaps', () => {
  const box = { x: 100, y: 50, width: 1000, height: 100 };
  const extent = { xMax: 10, lo: 0, hi: 1 };
  const runs = curvePixels({ x: [0, 5, 6, 10], y: [1, 0.5, null, 0] }, box, extent, false);
  assert.deepEqual(runs, [[[100, 50], [600, 100]], [[1100, 150]]]);
  const log = curvePixels({ x: [0, 10], y: [1, 0.01] }, box, { xMax: 10, lo: 0.01, hi: 1 }, true);
  assert.deepEqual(log, [[[100, 50], [1100, 150]]]);
  const clamped = curvePixels({ x: [5], y: [5] }, box, extent, false); // a divergence stays in the box
  assert.deepEqual(clamped, [[[600, 50]]]);
});

const created = {
  run: 'r1',
  network: { layer_dims: [2, 4, 1], activations: ['tanh', 'sigmoid'] },
  dataset: { name: 'moons', task: 'binary', bounds: [-2, 3, -1.5, 2], plottable: true, train: { x1: [0], x2: [0], y: [1] } },
};
const state = { lr: 1.2, opt: 'gd', l2: 0, batch: null, seed: 3, logcost: true };

function trained(record, upTo) {
  const costs = Array.from({ length: upTo }, (_, i) => 0.7 / (i + 1));
  record.addFrame({ type: 'frame', run: record.created.run, iteration: upTo, train_cost: costs.at(-1), test_cost: 0.2, train_accuracy: 0.9, test_accuracy: 0.85 }, { costs: { data: Float32Array.from(costs) } });
  return record;
}

test('the single run\'s scene: title, settings, counter, scores, the boundary and both curves', () => {
  const record = trained(new RunRecord(created), 100);
  const painted = [];
  const chart = { paintInto: (ctx, box, r) => { painted.push([box, r]); return true; } };
  const scene = runScene({ record, chart, state });
  assert.equal(scene.title, 'moons data · 2 → 4 tanh → 1 sigmoid');
  assert.equal(scene.subtitle, 'learning rate α = 1.2 · gradient descent · seed 3');
  assert.equal(scene.iteration, 100);
  assert.equal(scene.log, true);
  assert.deepEqual(scene.lines, ['train cost 0.007', 'train accuracy 90.0 %', 'test accuracy 85.0 %']);
  assert.deepEqual(scene.curves.map((c) => c.label), ['train', 'test']);
  assert.equal(scene.curves[0].x.at(-1), 100);
  assert.ok(Math.abs(scene.curves[0].y.at(-1) - 0.007) < 1e-6);
  assert.deepEqual(scene.curves[1], { x: [100], y: [0.2], color: scene.curves[1].color, dash: true, label: 'test' });
  assert.equal(scene.panels.length, 1);
  assert.deepEqual(scene.panels[0].bounds, created.dataset.bounds);
  scene.panels[0].paint(null, { x: 1 }, 4);
  assert.deepEqual(painted, [[{ x: 1 }, 4]]);
  // No plane (an image set): no boundary panel, the cost takes the width.
  const images = new RunRecord({ ...created, dataset: { ...created.dataset, plottable: false, train: null } });
  assert.equal(runScene({ record: images, chart, state }).panels.length, 0);
  // Before the run exists: an empty scene that still draws.
  assert.equal(runScene({ record: undefined, chart, state }).iteration, 0);
});

test('the compare scene: a panel and a train curve per run, in its colour and label', () => {
  const runs = [{ id: 'a', label: 'sigmoid', color: '#d62728' }, { id: 'b', label: 'relu', color: '#2ca02c' }];
  const records = [trained(new RunRecord({ ...created, run: 'a' }), 40), trained(new RunRecord({ ...created, run: 'b' }), 50)];
  const charts = [{ paintInto: () => true }, { paintInto: () => false }];
  const scene = compareScene({ runs, records, charts, state, varied: 'Hidden activation' });
  assert.equal(scene.title, 'moons data · hidden activation: sigmoid vs relu');
  assert.equal(scene.subtitle, 'network 2 → 4 → 1 · the runs differ only in hidden activation');
  assert.equal(scene.iteration, 50);
  assert.deepEqual(scene.panels.map((p) => [p.label, p.color, p.paint()]), [['sigmoid', '#d62728', true], ['relu', '#2ca02c', false]]);
  assert.deepEqual(scene.curves.map((c) => [c.label, c.color, c.x.at(-1)]), [['sigmoid', '#d62728', 40], ['relu', '#2ca02c', 50]]);
  assert.deepEqual(scene.lines, ['sigmoid: J = 0.0175', 'relu: J = 0.014']);
});

/** A 2-D context that keeps the text drawn (and what fits: 10 px a character). */
function fakeContext(width = WIDTH, height = HEIGHT) {
  const texts = [];
  const ctx = new Proxy({ canvas: { width, height }, texts }, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'fillText') return (text, x, y) => texts.push({ text, x, y });
      if (key === 'measureText') return (text) => ({ width: 10 * text.length });
      return () => {};
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  return ctx;
}

test('a frame shows the title, the counter, the scores, the axes and the legend, all on the frame', () => {
  const record = trained(new RunRecord(created), 1234);
  const ctx = fakeContext();
  drawScene(ctx, runScene({ record, chart: { paintInto: () => true }, state: { ...state, logcost: false } }));
  const texts = ctx.texts.map((t) => t.text);
  for (const expected of ['moons data · 2 → 4 tanh → 1 sigmoid', 'Iteration', '1,234', 'train cost 5.67e-4', 'Cost J', 'iteration', 'train', 'test']) {
    assert.ok(texts.includes(expected), `${expected} in ${JSON.stringify(texts)}`);
  }
  for (const { text, x, y } of ctx.texts) assert.ok(x >= 0 && x <= WIDTH && y >= 0 && y <= HEIGHT, `${text} at ${x}, ${y}`);
  const empty = fakeContext();
  drawScene(empty, runScene({ record: new RunRecord(created), chart: { paintInto: () => false }, state }));
  assert.ok(empty.texts.some((t) => t.text === 'no boundary yet'));
  assert.ok(empty.texts.some((t) => t.text === 'the cost appears when training starts'));
});

/** A fake page for a Recording: canvases whose PNG is the frame's number, a clock, frames on demand. */
function fakePage() {
  let drawn = 0;
  const page = {
    t: 0,
    queued: [],
    document: {
      createElement: () => ({
        getContext: () => new Proxy({ canvas: { width: WIDTH, height: HEIGHT } }, {
          get: (target, key) => (key in target ? target[key] : key === 'measureText' ? () => ({ width: 0 }) : () => {}),
          set: (target, key, value) => { target[key] = value; return true; },
        }),
        toBlob: (resolve) => { const n = drawn; resolve(new Blob([`png ${n}`])); },
      }),
    },
    frame: (f) => page.queued.push(f),
    now: () => page.t,
    /** Advance the clock by `ms` and run the animation frame waiting. */
    step(ms) {
      page.t += ms;
      const f = page.queued.shift();
      if (f) f();
    },
  };
  page.scene = () => { drawn += 1; return runScene({ record: undefined, chart: { paintInto: () => false }, state }); };
  return page;
}

test('a PNG recording takes exactly seconds × rate frames, at their times, then zips them', async () => {
  const page = fakePage();
  const progress = [];
  const recording = new Recording({ kind: 'png', seconds: 2, rate: 5, scene: page.scene, stem: 'nnplay-moons', onProgress: (e) => progress.push(e) }, page);
  recording.start(); // frame 1 at 0 s
  for (let i = 0; i < 200 && page.queued.length; i++) page.step(16); // ~60 animation frames a second
  const { blob, name } = await recording.done;
  assert.equal(name, 'nnplay-moons-frames.zip');
  const zip = new Uint8Array(await blob.arrayBuffer());
  const view = new DataView(zip.buffer);
  const count = view.getUint16(zip.length - 22 + 10, true);
  assert.equal(count, 10);
  assert.equal(progress.length, 10);
  assert.ok(page.t >= 1800 && page.t < 1900, `the last frame at 1.8 s (${page.t} ms)`);
  // Each frame is the PNG of its own draw: frame k holds "png k" (the scene drawn k times).
  const first = zip.subarray(30 + 'nnplay-moons/frame-0001.png'.length, 30 + 'nnplay-moons/frame-0001.png'.length + 5);
  assert.equal(new TextDecoder().decode(first), 'png 1');
  assert.equal(view.getUint32(14, true), crc32(first));
});

test('a late page takes one frame per animation frame: none skipped, none doubled', async () => {
  const page = fakePage();
  const recording = new Recording({ kind: 'png', seconds: 1, rate: 10, scene: page.scene, stem: 's' }, page);
  recording.start();
  for (let i = 0; i < 100 && page.queued.length; i++) page.step(500); // 2 frames a second only
  const zip = new Uint8Array(await (await recording.done).blob.arrayBuffer());
  assert.equal(new DataView(zip.buffer).getUint16(zip.length - 12, true), 10);
});

test('stopped early, a PNG recording keeps the frames taken so far', async () => {
  const page = fakePage();
  const recording = new Recording({ kind: 'png', seconds: 10, rate: 2, scene: page.scene, stem: 's' }, page);
  recording.start();
  page.step(600);
  page.step(600); // 1.2 s: frames at 0, 0.5 and 1 s
  recording.stop();
  page.step(600); // nothing more
  const zip = new Uint8Array(await (await recording.done).blob.arrayBuffer());
  assert.equal(new DataView(zip.buffer).getUint16(zip.length - 12, true), 3);
});

test('without a WebM recorder the controller says so and records nothing', () => {
  const page = fakePage();
  const said = [];
  let played = 0;
  const controller = new RecordingController({
    view: { showError: (m) => said.push(m), showRecording: () => said.push('recording'), showProgress: () => {} },
    scene: page.scene, dataset: () => 'moons', play: () => { played += 1; }, save: () => {},
    deps: { ...page, MediaRecorder: { isTypeSupported: () => false } },
  });
  controller.start({ kind: 'webm', seconds: 5, rate: 5, play: false });
  assert.equal(controller.recording, null);
  assert.match(said[0], /cannot record a WebM video/);
  assert.equal(played, 0);
});

test('the controller plays if asked, records one at a time, saves the file under the dataset\'s name', async () => {
  const page = fakePage();
  const saved = [];
  let played = 0;
  const controller = new RecordingController({
    view: { showError: assert.fail, showRecording: () => {}, showProgress: () => {}, showDone: () => {} },
    scene: page.scene, dataset: () => 'moons', play: () => { played += 1; }, save: (name, blob) => saved.push([name, blob]),
    deps: page, now: () => new Date(2026, 0, 31, 23, 59),
  });
  controller.start({ kind: 'png', seconds: 1, rate: 2, play: true });
  const first = controller.recording;
  controller.start({ kind: 'png', seconds: 1, rate: 2, play: true }); // ignored: one at a time
  assert.equal(controller.recording, first);
  assert.equal(played, 1);
  while (page.queued.length) page.step(100);
  await first.done;
  await new Promise((resolve) => { setTimeout(resolve, 0); });
  assert.deepEqual(saved.map(([name]) => name), ['nnplay-moons-2026-01-31-2359-frames.zip']);
  assert.equal(controller.last.name, saved[0][0]);
  assert.equal(controller.recording, null);
});
