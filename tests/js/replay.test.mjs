// Replay's pacing (static/js/replay.js), shared by the single-run timeline and compare mode: here
// compare mode's CompareController replays a group of three runs, one group seek at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CompareController } from '../../static/js/compare.js';
import { Replay, REPLAY_FPS } from '../../static/js/replay.js';
import { RunClient } from '../../static/js/runClient.js';

const IDS = ['a', 'b', 'c'];

function setup({ end = 25 } = {}) {
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
  const records = Object.fromEntries(IDS.map((id) => [id, { frame: { iteration: end } }]));
  const boundaries = [];
  const timelines = [];
  const view = {
    updateBoundary: (i, blob) => boundaries.push([i, blob.at]),
    renderTimeline: (t) => timelines.push(t),
    renderStatus() {},
    draw: () => false,
  };
  const later = [];
  const compare = new CompareController({
    client, view, controller: { showsOpenedRun: false }, status: {}, recorder: { get: (id) => records[id] },
    loop: { request() {} }, store: { state: { cmp: 'activation' } }, schedule: (fn, ms) => later.push([fn, ms]),
  });
  compare.runs = IDS.map((id, index) => ({ id, index }));
  const seeks = () => socket.sent.filter((m) => m.type === 'seek');
  /** The server's answers to a group seek: a binary `seek` per run, in order, then the ack. */
  const answerRuns = (seek, runs) => {
    for (const run of runs) {
      compare.onBinary({ header: { type: 'seek', run, ref: seek.ref, iteration: seek.iteration }, blobs: { boundary: { at: seek.iteration } } });
    }
  };
  const ack = (seek) => socket.handlers.message({ type: 'ack', ref: seek.ref, action: 'seek', runs: seek.runs, iteration: seek.iteration });
  const answer = (seek) => {
    answerRuns(seek, seek.runs);
    ack(seek);
  };
  return { socket, compare, records, boundaries, timelines, later, seeks, answer, answerRuns, ack };
}

test('compare replay: one group seek in flight naming every run, each next one after its answers, then live', () => {
  const { compare, boundaries, later, seeks, answer, answerRuns, ack, timelines } = setup({ end: 25 });
  compare.replay(10);
  assert.deepEqual(seeks().map((m) => [m.iteration, m.runs]), [[0, IDS]], 'one seek for the whole group');
  for (const expected of [10, 20, 25]) {
    const last = seeks().at(-1);
    answerRuns(last, IDS.slice(0, 2)); // some of the group's runs answered: not yet the next
    assert.equal(later.length, 0, 'nothing scheduled before every answer and the ack');
    answerRuns(last, IDS.slice(2));
    ack(last);
    assert.equal(compare.past, last.iteration);
    assert.equal(seeks().length, [10, 20, 25].indexOf(expected) + 1, 'nothing more before the pause');
    assert.equal(later.length, 1, 'one next step scheduled');
    const [step, ms] = later.shift();
    assert.equal(ms, 1000 / REPLAY_FPS);
    step();
    assert.deepEqual([seeks().at(-1).iteration, seeks().at(-1).runs], [expected, IDS]);
  }
  answer(seeks().at(-1));
  later.shift()[0]();
  assert.equal(seeks().length, 4, 'nothing past the end');
  assert.equal(compare.replayer.active, null);
  assert.equal(compare.past, null, 'live again');
  assert.equal(later.length, 0);
  // Every run's boundary was shown at every moment, in order.
  const moments = (i) => boundaries.filter(([j, at]) => j === i && at != null).map(([, at]) => at);
  for (const i of [0, 1, 2]) assert.deepEqual(moments(i), [0, 10, 20, 25]);
  compare.paint(0);
  assert.equal(timelines.at(-1).replaying, false);
  assert.equal(timelines.at(-1).shown, null);
});

test('compare replay: Live or the scrubber stops it; a late answer steps nothing', () => {
  const { compare, later, seeks, answer } = setup({ end: 50 });
  compare.replay(10);
  answer(seeks()[0]);
  later.shift()[0](); // asks 10
  compare.paint(0);
  compare.live();
  answer(seeks()[1]); // its answers arrive after Live: dropped
  assert.equal(compare.past, null);
  assert.equal(later.length, 0, 'no next step');
  compare.replay(100); // from the start again, 100 a step: 0, then 50
  answer(seeks().at(-1));
  compare.stopReplay(); // as a click of the scrubber does, before it seeks
  compare.seek(7);
  later.splice(0).forEach(([fn]) => fn()); // the stopped replay's timer
  assert.deepEqual(seeks().map((m) => m.iteration), [0, 10, 0, 7]);
});

test('a stopped replay\'s pending step does not step the one started after it', () => {
  const asked = [];
  const later = [];
  let finished = 0;
  const replay = new Replay({ ask: (i) => asked.push(i), finish: () => { finished += 1; }, schedule: (fn) => later.push(fn) });
  replay.start({ from: 0, every: 5, end: () => 12 });
  replay.answered();
  replay.stop();
  replay.start({ from: 0, every: 5, end: () => 12 });
  later.shift()(); // the first replay's timer: nothing
  assert.deepEqual(asked, [0, 0]);
  for (const _ of [5, 10, 12, 'end']) {
    replay.answered();
    later.shift()();
  }
  assert.deepEqual(asked, [0, 0, 5, 10, 12]);
  assert.equal(finished, 1);
  assert.equal(replay.active, null);
});
