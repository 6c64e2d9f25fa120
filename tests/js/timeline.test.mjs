// The timeline controller (static/js/timeline.js): one seek in flight, the newest asked waiting;
// answers held until Live; a late answer after Live dropped; replay steps after each answer;
// continue from here forks at the moment shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RunClient } from '../../static/js/runClient.js';
import { TimelineController } from '../../static/js/timeline.js';

function setup({ lastIteration = 100 } = {}) {
  const socket = {
    open: true, sent: [], handlers: null, nextRef: 1,
    on(handlers) { this.handlers = handlers; },
    send(message) {
      const ref = String(this.nextRef++);
      this.sent.push({ ...message, ref });
      return ref;
    },
  };
  const client = new RunClient(socket);
  const shown = [];
  const controller = {
    runId: 'r', canSeek: true, canFork: true, lastIteration, timelineStart: 0, status: 'paused', commandRuns: ['r'], forks: [], live: 0,
    showPast: (header) => shown.push(header.iteration),
    goLive() { this.live += 1; },
    showServerError() {},
    pause() {},
    forkAt(at, changes) { this.forks.push([at, changes]); },
  };
  const view = { rendered: [], bind(h) { this.h = h; }, render(state) { this.rendered.push(state); } };
  const later = [];
  const timeline = new TimelineController({ client, controller, view, schedule: (fn) => later.push(fn) });
  timeline.start();
  const seeks = () => socket.sent.filter((m) => m.type === 'seek');
  /** The server's answer to a seek: its binary message, then its ack. */
  const answer = (seek) => {
    socket.handlers.binary({ header: { type: 'seek', run: 'r', ref: seek.ref, iteration: seek.iteration, timeline: { start: 0, end: 100, stride: 4 } }, blobs: {} });
    socket.handlers.message({ type: 'ack', ref: seek.ref, action: 'seek', runs: ['r'], iteration: seek.iteration });
  };
  return { socket, client, controller, view, timeline, shown, seeks, answer, later };
}

test('a drag sends one seek at a time; only the newest iteration asked meanwhile follows', () => {
  const { view, seeks, answer, shown, timeline } = setup();
  view.h.seek(10);
  view.h.seek(20);
  view.h.seek(30);
  assert.deepEqual(seeks().map((m) => [m.iteration, m.runs]), [[10, ['r']]]);
  answer(seeks()[0]);
  assert.deepEqual(seeks().map((m) => m.iteration), [10, 30], '20 was overtaken by 30 before it was sent');
  answer(seeks()[1]);
  assert.deepEqual(shown, [10, 30]);
  assert.equal(timeline.shown, 30);
  assert.equal(view.rendered.at(-1).shown, 30);
  assert.match(view.rendered.at(-1).note, /snapshots every 4 iterations/);
});

test('seeks are kept within the run: not past its iteration, not before its timeline', () => {
  const { view, seeks, controller } = setup({ lastIteration: 50 });
  controller.timelineStart = 20;
  view.h.seek(500);
  assert.equal(seeks()[0].iteration, 50);
});

test('Live goes back to the run now, and an answer arriving after it is not shown', () => {
  const { view, seeks, answer, shown, controller, timeline } = setup();
  view.h.seek(10);
  answer(seeks()[0]);
  view.h.seek(40);
  view.h.live();
  answer(seeks()[1]);
  assert.deepEqual(shown, [10]);
  assert.equal(timeline.shown, null);
  assert.equal(controller.live, 1);
});

test('replay asks each next moment only once the previous one is answered, then goes live', () => {
  const { view, seeks, answer, later, controller, timeline } = setup({ lastIteration: 25 });
  view.h.replay(10);
  assert.deepEqual(seeks().map((m) => m.iteration), [0]);
  for (const expected of [10, 20, 25]) {
    answer(seeks().at(-1));
    assert.equal(seeks().length, [10, 20, 25].indexOf(expected) + 1, 'nothing more before the pause');
    later.shift()();
    assert.equal(seeks().at(-1).iteration, expected);
  }
  answer(seeks().at(-1));
  later.shift()();
  assert.equal(timeline.replaying, null);
  assert.equal(timeline.shown, null);
  assert.equal(controller.live, 1);
});

test('continue from here forks at the moment shown, or now when live', () => {
  const { view, seeks, answer, controller } = setup();
  view.h.fork({});
  view.h.seek(33);
  answer(seeks()[0]);
  view.h.fork({ learning_rate: 0.1 });
  assert.deepEqual(controller.forks, [[100, {}], [33, { learning_rate: 0.1 }]]);
});

test('a fork from the past is a create with fork, at and changes', () => {
  const { socket, client } = setup();
  client.create(null, { created() {}, refused() {} }, { fork: 'r', at: 12, changes: { learning_rate: 0.5 } });
  client.create(null, { created() {}, refused() {} }, { fork: 'r' });
  assert.deepEqual(socket.sent.slice(-2).map(({ ref, ...m }) => m), [
    { type: 'create', fork: 'r', at: 12, changes: { learning_rate: 0.5 } },
    { type: 'create', fork: 'r' },
  ]);
});
