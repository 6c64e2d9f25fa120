// Drawing the streamed frames (static/js/runView.js, charts.js BoundaryChart, renderLoop.js):
// frames that arrive faster than animation frames are drawn once, the newest, as one
// putImageData of the grid's pixels into the boundary's own canvas, with no Plotly call per
// frame; a secondary chart is drawn in the animation frame that drew a new boundary, and an
// off-screen one waits. The browser is stood in for by the few objects the chart touches
// (canvas, ImageData, Plotly's react/relayout), each recording what it was asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { paintGrid } from '../../static/js/boundaryGrid.js';
import { divergingLut } from '../../static/js/colors.js';
import { BoundaryChart } from '../../static/js/charts.js';
import { RenderLoop } from '../../static/js/renderLoop.js';
import { CHART_INTERVAL_MS, QUIET_MS, RunView } from '../../static/js/runView.js';

const R = 8;

/** The browser globals BoundaryChart uses, recording every put and every Plotly call. */
function fakeBrowser() {
  const calls = { react: 0, relayout: 0, puts: [] };
  globalThis.ImageData = class {
    constructor(w, h) {
      this.width = w;
      this.height = h;
      this.data = new Uint8ClampedArray(w * h * 4);
    }
  };
  globalThis.document = {
    createElement: () => ({
      width: 0, height: 0, style: {}, dataset: {}, hidden: false,
      getContext: () => ({ putImageData: (image) => calls.puts.push(Uint8ClampedArray.from(image.data)) }),
      toDataURL: () => 'data:image/png;base64,',
    }),
  };
  globalThis.window = {
    Plotly: {
      react(el, data, layout) {
        calls.react += 1;
        el.data = data;
        el.layout = layout;
        el._fullLayout = { width: 400, height: 400, xaxis: { _offset: 30, _length: 350 }, yaxis: { _offset: 12, _length: 350 } };
      },
      relayout() { calls.relayout += 1; },
      Plots: { resize() {} },
    },
  };
  return calls;
}

function chartElement() {
  return { style: {}, hidden: false, clientWidth: 400, clientHeight: 400, children: [], append(c) { this.children.push(c); }, on() {} };
}

const CREATED = {
  boundary_resolution: R,
  dataset: {
    task: 'binary', plottable: true, bounds: [-1, 1, -1, 1],
    train: { x1: [0.5], x2: [0.5], y: [1] }, test: { x1: [], x2: [], y: [] },
  },
};

/** A grid blob whose every byte is `q`, as frames.js decodes it. */
function grid(q) {
  return { data: new Uint8Array(R * R).fill(q), meta: { encoding: 'probability', lo: 0, hi: 1, shape: [R, R] } };
}

/** A chart that counts its draws; `needsDraw` while it has something new. */
function fakeChart(onScreen = true) {
  return {
    drawn: 0, pending: false, onScreen,
    get needsDraw() { return this.pending && this.onScreen; },
    draw() { this.drawn += 1; this.pending = false; },
    add() { this.pending = true; }, update() { this.pending = true; },
  };
}

function views(boundary, { gradientsOnScreen = true } = {}) {
  const nothing = () => {};
  const cost = fakeChart();
  const gradients = fakeChart(gradientsOnScreen);
  const saturation = fakeChart();
  return {
    boundary, cost, gradients, saturation,
    diagram: { draw: nothing, updateBoundary: nothing },
    gallery: { update: nothing }, confusion: { update: nothing },
  };
}

/** A render loop whose animation frames run when the test says, at the clock the test sets. */
function manualLoop() {
  const frames = [];
  const clock = { now: 0 };
  const loop = new RenderLoop({ frame: (fn) => frames.push(fn), now: () => clock.now });
  return { loop, clock, run: () => { const fn = frames.shift(); if (fn) fn(); return Boolean(fn); }, pending: () => frames.length };
}

/** The RGBA pixels the chart must put for a grid of `q` (through its own lookup table). */
function expectedPixels(chart, q) {
  const px = new Uint8ClampedArray(R * R * 4);
  paintGrid(px, grid(q).data, R, chart.lutFor(grid(q).meta));
  return px;
}

test('a burst of frames within one animation frame is drawn once: the newest grid, one put, no Plotly call', () => {
  const calls = fakeBrowser();
  const boundary = new BoundaryChart(chartElement());
  const show = new RunView(views(boundary));
  boundary.setRun(CREATED);
  const { loop, clock, run, pending } = manualLoop();
  const painter = { paint: (now) => show.paint(now, () => { painter.fresh += 1; }), fresh: 0 };
  show.frame({ iteration: 0 }, { boundary: grid(0) });
  loop.request(painter);
  run(); // the run's first frame: Plotly draws the points and axes once
  assert.equal(calls.react, 1);
  const reacts = calls.react;
  const puts = calls.puts.length;
  painter.fresh = 0;
  clock.now = 1000;
  for (let k = 1; k <= 5; k++) { // five frames arrive before the next animation frame
    show.frame({ iteration: 10 * k }, { boundary: grid(40 * k) });
    loop.request(painter);
  }
  assert.equal(pending(), 1, 'one animation frame asked for, however many frames came');
  run();
  assert.equal(painter.fresh, 1, 'one boundary drawn');
  assert.equal(calls.puts.length, puts + 1, 'one putImageData');
  assert.deepEqual(calls.puts.at(-1), expectedPixels(boundary, 200), 'of the newest grid');
  assert.equal(calls.react, reacts, 'no Plotly.react for a new grid');
  assert.equal(calls.relayout, 0, 'no Plotly.relayout for a new grid');
  assert.equal(boundary.canvas.hidden, false, 'the canvas shows');
  assert.deepEqual([boundary.canvas.style.left, boundary.canvas.style.top, boundary.canvas.style.width, boundary.canvas.style.height],
    ['30px', '12px', '350px', '350px'], 'over the axes as Plotly laid them out');
  for (let k = 0; run() && k < 100; k++) clock.now += 50; // the charts' turns: no new grid
  assert.equal(pending(), 0, 'the loop stops once the charts have drawn');
  assert.equal(calls.puts.length, puts + 1, 'nothing more is put');
});

test('every frame that comes in its own animation frame is drawn, each with its own pixels', () => {
  const calls = fakeBrowser();
  const boundary = new BoundaryChart(chartElement());
  const show = new RunView(views(boundary));
  boundary.setRun(CREATED);
  const { loop, clock, run } = manualLoop();
  const drawn = [];
  const painter = { paint: (now) => show.paint(now, () => drawn.push(now)) };
  for (let k = 0; k < 30; k++) {
    clock.now = 1000 + 33 * k;
    show.frame({ iteration: k }, { boundary: grid(k * 8) });
    loop.request(painter);
    run();
    assert.deepEqual(calls.puts.at(-1), expectedPixels(boundary, k * 8), `frame ${k}`);
  }
  assert.equal(drawn.length, 30);
  assert.equal(calls.react, 1, 'Plotly drew the chart once, for the run');
});

test('a secondary chart is drawn in the animation frame that drew a new boundary, or once frames pause', () => {
  fakeBrowser();
  const boundary = new BoundaryChart(chartElement());
  const v = views(boundary);
  v.gradients.add = () => {}; // only the cost chart has anything to draw here
  v.saturation.update = () => {};
  const show = new RunView(v);
  boundary.setRun(CREATED);
  const { loop, clock, run } = manualLoop();
  let fresh = false;
  const painter = { paint: (now) => show.paint(now, () => { fresh = true; }) };
  const inFresh = [];
  const inOther = [];
  for (let k = 0; k < 121; k++) { // 2 s of frames every 33 ms, animation frames every 16.5 ms
    clock.now = 1000 + 16.5 * k;
    if (k % 2 === 0) {
      show.frame({ iteration: k }, { boundary: grid(k) });
      loop.request(painter);
    }
    const before = v.cost.drawn;
    fresh = false;
    run();
    (fresh ? inFresh : inOther).push(v.cost.drawn - before);
  }
  assert.ok(inFresh.reduce((a, b) => a + b) >= Math.floor(2000 / CHART_INTERVAL_MS.cost) - 1, `drawn every interval: ${inFresh}`);
  assert.equal(inOther.reduce((a, b) => a + b, 0), 0, 'never in an animation frame without a new boundary');
  show.frame({ iteration: 99 }, {}); // a frame without a boundary (paused: the last costs)
  const drawn = v.cost.drawn;
  clock.now += CHART_INTERVAL_MS.cost + QUIET_MS;
  loop.request(painter);
  run();
  assert.equal(v.cost.drawn, drawn + 1, 'no new boundary for a while: drawn anyway');
});

test('an off-screen chart is not drawn, and the loop stops waiting for it', () => {
  fakeBrowser();
  const boundary = new BoundaryChart(chartElement());
  const v = views(boundary, { gradientsOnScreen: false });
  const show = new RunView(v);
  boundary.setRun(CREATED);
  const { loop, clock, run, pending } = manualLoop();
  const painter = { paint: (now) => show.paint(now, () => {}) };
  for (let k = 0; k < 20; k++) {
    clock.now = 1000 + 33 * k;
    show.frame({ iteration: k }, { boundary: grid(k) });
    loop.request(painter);
    run();
  }
  for (let k = 0; run() && k < 100; k++) clock.now += 500;
  assert.equal(v.gradients.drawn, 0);
  assert.ok(v.cost.drawn > 0 && v.saturation.drawn > 0);
  assert.equal(pending(), 0, 'nothing left to wait for');
  v.gradients.onScreen = true; // scrolled into view: main.js asks for a paint (chart.onShown)
  loop.request(painter);
  for (let k = 0; run() && k < 100; k++) clock.now += 500;
  assert.equal(v.gradients.drawn, 1);
});

test("a hovered unit's map is painted in place of the output, labelled, and the output comes back", () => {
  const calls = fakeBrowser();
  const el = { ...chartElement(), dataset: {} };
  const boundary = new BoundaryChart(el);
  boundary.setRun(CREATED);
  boundary.update(grid(200));
  boundary.draw();
  const output = calls.puts.at(-1);
  const r = 4; // a map's resolution, not the boundary's
  const indices = Uint8Array.from({ length: r * r }, (_, i) => (i * 17) % 256);
  boundary.showUnit({ l: 1, k: 2, label: 'layer 1, unit 3: a[1]₃', r, indices });
  assert.equal(el.dataset.shows, 'unit 1,2');
  assert.equal(boundary.unitLabel.textContent, 'layer 1, unit 3: a[1]₃');
  assert.equal(boundary.unitLabel.hidden, false);
  boundary.draw();
  const expected = new Uint8ClampedArray(r * r * 4);
  paintGrid(expected, indices, r, divergingLut()); // the diagram's colours
  assert.deepEqual(calls.puts.at(-1), expected, "the unit's map, through the diagram's colours");
  assert.equal(boundary.canvas.width, r);
  boundary.update(grid(100)); // a new boundary while the unit shows: kept, not drawn
  boundary.draw();
  assert.deepEqual(calls.puts.at(-1), expected);
  boundary.showUnit(null);
  assert.equal(el.dataset.shows, 'output');
  assert.equal(boundary.unitLabel.hidden, true);
  boundary.draw();
  assert.equal(boundary.canvas.width, R);
  assert.deepEqual(calls.puts.at(-1), expectedPixels(boundary, 100), 'the newest boundary again');
  assert.notDeepEqual(output, calls.puts.at(-1));
});
