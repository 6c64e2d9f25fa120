// The render loop (static/js/renderLoop.js): one frame for every painter, the charts' throttle.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RenderLoop, pickDue } from '../../static/js/renderLoop.js';

test('painters asked for several times paint once, in one animation frame', () => {
  const frames = [];
  const loop = new RenderLoop({ frame: (fn) => frames.push(fn), now: () => 5 });
  const painted = [];
  const a = { paint: (now) => { painted.push(['a', now]); } };
  const b = { paint: () => { painted.push(['b']); return painted.length < 3; } };
  loop.request(a);
  loop.request(b);
  loop.request(a);
  assert.equal(frames.length, 1);
  frames.shift()();
  assert.deepEqual(painted, [['a', 5], ['b']]);
  assert.equal(frames.length, 1, 'b still waits: the loop comes back');
  frames.shift()();
  assert.deepEqual(painted, [['a', 5], ['b'], ['b']]);
  assert.equal(frames.length, 0);
  loop.relayout();
  assert.equal(frames.length, 1, 'a relayout paints everyone again');
});

test('one secondary chart a frame: the most overdue of those due', () => {
  const intervals = { cost: 150, gradients: 400, saturation: 500 };
  const waits = (name) => name !== 'saturation';
  assert.deepEqual(pickDue(intervals, waits, {}, 1000), { due: 'cost', waiting: true });
  assert.deepEqual(pickDue(intervals, waits, { cost: 990, gradients: 0 }, 1000), { due: 'gradients', waiting: true });
  assert.deepEqual(pickDue(intervals, waits, { cost: 990, gradients: 900 }, 1000), { due: null, waiting: true });
  assert.deepEqual(pickDue(intervals, () => false, {}, 1000), { due: null, waiting: false });
});
