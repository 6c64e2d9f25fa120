// Following one example (static/js/exampleFollow.js): a pick asks the server, frames ask again
// at most every intervalMs with one request in flight, stale answers are dropped, a new run or
// a close puts the panel, the trace and the mark away.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ExampleFollower } from '../../static/js/exampleFollow.js';
import { RunClient } from '../../static/js/runClient.js';

function setup() {
  const socket = {
    open: true, sent: [], handlers: null, nextRef: 1,
    on(handlers) { this.handlers = handlers; },
    send(message) { const ref = String(this.nextRef++); this.sent.push({ ...message, ref }); return ref; },
  };
  const client = new RunClient(socket);
  const log = [];
  const view = {
    bindClose(handler) { this.close = handler; }, waiting: (pick) => log.push(['waiting', pick]),
    render: (m) => log.push(['render', m.iteration]), error: (text) => log.push(['error', text]), hide: () => log.push(['hide']),
  };
  const diagram = { trace: (m) => log.push(['trace', m.iteration]), untrace: () => log.push(['untrace']) };
  const boundary = { bindPick(handler) { this.pick = handler; }, mark: (point) => log.push(['mark', point]) };
  let now = 0;
  const timers = [];
  const follower = new ExampleFollower({
    client, view, diagram, boundary, now: () => now, intervalMs: 250,
    timers: { set: (fn, ms) => { timers.push({ fn, at: now + ms }); return timers.length; }, clear: (id) => { timers[id - 1].fn = null; } },
  });
  follower.start();
  const answer = (sent, iteration, extra = {}) => socket.handlers.message({ type: 'example', ref: sent.ref, run: sent.runs[0], iteration, ...extra });
  const advance = (ms) => {
    now += ms;
    for (const t of timers) if (t.fn && t.at <= now) { const { fn } = t; t.fn = null; fn(); }
  };
  return { socket, follower, view, boundary, log, answer, advance };
}

test('a click on a data point asks for it by split and index, and the answer is shown and traced', () => {
  const { socket, follower, boundary, log, answer } = setup();
  follower.setRun({ run: 'R' });
  log.length = 0;
  boundary.pick({ split: 'train', index: 4, point: [0.5, -1] });
  assert.deepEqual(socket.sent, [{ type: 'example', runs: ['R'], split: 'train', index: 4, ref: '1' }]);
  assert.deepEqual(log.slice(0, 2), [['mark', [0.5, -1]], ['waiting', { split: 'train', index: 4, point: [0.5, -1] }]]);
  answer(socket.sent[0], 7);
  assert.deepEqual(log.slice(2), [['render', 7], ['trace', 7]]);
  boundary.pick({ point: [1, 2] });
  assert.deepEqual(socket.sent[1], { type: 'example', runs: ['R'], point: [1, 2], ref: '2' });
});

test('frames ask again at most every interval, one request in flight, and the last frame is not missed', () => {
  const { socket, follower, boundary, answer, advance } = setup();
  follower.setRun({ run: 'R' });
  boundary.pick({ point: [0, 0] });
  for (let i = 0; i < 5; i++) follower.onFrame({ run: 'R', iteration: i });
  assert.equal(socket.sent.length, 1, 'one in flight');
  advance(100);
  answer(socket.sent[0], 1);
  assert.equal(socket.sent.length, 1, 'not before the interval');
  advance(149);
  assert.equal(socket.sent.length, 1);
  advance(1);
  assert.equal(socket.sent.length, 2, 'the frames since are asked for once the interval is over');
  answer(socket.sent[1], 5);
  advance(1000);
  assert.equal(socket.sent.length, 2, 'no frame since: nothing asked');
  follower.onFrame({ run: 'other', iteration: 9 });
  advance(1000);
  assert.equal(socket.sent.length, 2, "another run's frames are not this example's");
});

test('an answer to an older pick is dropped; a new run or a close puts everything away', () => {
  const { socket, follower, view, boundary, log, answer } = setup();
  follower.setRun({ run: 'R' });
  boundary.pick({ point: [0, 0] });
  boundary.pick({ point: [1, 1] });
  answer(socket.sent[0], 3);
  assert.equal(log.filter(([kind]) => kind === 'render').length, 0);
  answer(socket.sent[1], 3);
  assert.equal(log.filter(([kind]) => kind === 'render').length, 1);
  log.length = 0;
  follower.setRun({ run: 'S' });
  assert.deepEqual(log, [['hide'], ['untrace'], ['mark', null]]);
  assert.equal(follower.active, false);
  boundary.pick({ point: [0, 0] });
  log.length = 0;
  view.close();
  assert.deepEqual(log, [['hide'], ['untrace'], ['mark', null]]);
  follower.setRun(null);
  boundary.pick({ point: [0, 0] });
  assert.equal(socket.sent.length, 3, 'no run: a click asks nothing');
});

test('a refusal is said in the panel and the next frame may ask again', () => {
  const { socket, follower, boundary, log, advance } = setup();
  follower.setRun({ run: 'R' });
  boundary.pick({ split: 'test', index: 99, point: [0, 0] });
  socket.handlers.message({ type: 'error', ref: socket.sent[0].ref, code: 'invalid', message: 'the test set has 80 examples' });
  assert.deepEqual(log.at(-1), ['error', 'the test set has 80 examples']);
  advance(300);
  follower.onFrame({ run: 'R', iteration: 2 });
  assert.equal(socket.sent.length, 2);
});
