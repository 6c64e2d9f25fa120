// Drawing's undo history and drag paths (static/js/strokes.js): a stroke is one step, Clear is
// undoable, a new stroke forgets what was undone, the history is bounded, and a drag paints
// evenly along its path however far the pointer jumped between two events.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { StrokeHistory, samePoints, spacedAlong } from '../../static/js/strokes.js';

const P = (...points) => ({ x1: points.map((p) => p[0]), x2: points.map((p) => p[1]), y: points.map((p) => p[2]) });
const EMPTY = P();

test('undo gives back the points before each stroke, redo the points after', () => {
  const h = new StrokeHistory();
  const one = P([0, 0, 0], [1, 0, 0], [2, 0, 0]); // a stroke of three points
  const two = P([0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 3, 1]);
  assert.ok(h.record(EMPTY, one));
  assert.ok(h.record(one, two));
  assert.ok(h.canUndo && !h.canRedo);
  assert.deepEqual(h.undo(two), one);
  assert.deepEqual(h.undo(one), EMPTY);
  assert.equal(h.undo(EMPTY), null);
  assert.deepEqual(h.redo(EMPTY), one);
  assert.deepEqual(h.redo(one), two);
  assert.equal(h.redo(two), null);
  assert.deepEqual(h.undo(two), one); // and back again
});

test('Clear is one undoable step', () => {
  const h = new StrokeHistory();
  const drawn = P([0, 0, 0], [1, 1, 1]);
  h.record(EMPTY, drawn);
  h.record(drawn, EMPTY);
  assert.deepEqual(h.undo(EMPTY), drawn);
});

test('a change after an undo forgets the redo; no change records nothing', () => {
  const h = new StrokeHistory();
  const a = P([0, 0, 0]);
  const b = P([0, 0, 0], [1, 1, 1]);
  h.record(EMPTY, a);
  h.record(a, b);
  h.undo(b);
  assert.ok(h.canRedo);
  assert.ok(h.record(a, P([0, 0, 0], [2, 2, 0])));
  assert.ok(!h.canRedo);
  assert.equal(h.record(a, structuredClone(a)), false); // an erase that hit nothing
  assert.equal(h.done.length, 2);
});

test('the snapshots are copies: changing the points later does not change them', () => {
  const h = new StrokeHistory();
  const a = P([0, 0, 0]);
  h.record(a, P([0, 0, 0], [1, 1, 1]));
  a.x1[0] = 9;
  assert.deepEqual(h.undo(EMPTY), P([0, 0, 0]));
});

test('the history keeps its last `limit` steps', () => {
  const h = new StrokeHistory(3);
  let pts = EMPTY;
  for (let i = 0; i < 5; i++) {
    const next = P(...pts.y.map((c, k) => [pts.x1[k], pts.x2[k], c]), [i, i, 0]);
    h.record(pts, next);
    pts = next;
  }
  let undone = 0;
  while (h.canUndo) {
    pts = h.undo(pts);
    undone += 1;
  }
  assert.equal(undone, 3);
  assert.equal(pts.y.length, 2);
});

test('samePoints compares by value', () => {
  assert.ok(samePoints(P([0, 1, 0]), P([0, 1, 0])));
  assert.ok(!samePoints(P([0, 1, 0]), P([0, 1, 1])));
  assert.ok(!samePoints(P([0, 1, 0]), P([0, 1, 0], [0, 1, 0])));
});

test('a drag paints every `spacing` pixels along its path', () => {
  assert.deepEqual(spacedAlong([0, 0], [35, 0], 10), [[10, 0], [20, 0], [30, 0]]);
  assert.deepEqual(spacedAlong([0, 0], [9, 0], 10), []);
  const diagonal = spacedAlong([0, 0], [30, 40], 10); // 50 px long
  assert.equal(diagonal.length, 5);
  diagonal.forEach(([x, y], k) => assert.ok(Math.abs(Math.hypot(x, y) - 10 * (k + 1)) < 1e-9));
  assert.deepEqual(diagonal.at(-1), [30, 40]);
});
