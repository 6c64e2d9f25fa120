// Compare mode's status (static/js/compare.js onBinary): running and paused follow the user's
// commands; a frame built before the server saw a play ('paused', at the iteration the play was
// pressed) must not undo it, while the server's own stop (a later paused frame, finished) shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CompareController } from '../../static/js/compare.js';
import { RunClient } from '../../static/js/runClient.js';

const IDS = ['a', 'b'];

function setup() {
  const socket = { open: true, sent: [], nextRef: 1, on() {}, send(m) { this.sent.push(m); return String(this.nextRef++); } };
  const records = Object.fromEntries(IDS.map((id) => [id, { frame: { iteration: 40 } }]));
  const shown = [];
  const view = { renderStatus: (s) => shown.push(s), updateBoundary() {}, draw: () => false };
  const compare = new CompareController({
    client: new RunClient(socket), view, controller: { showsOpenedRun: false }, status: {},
    recorder: { get: (id) => records[id] }, loop: { request() {} }, store: { state: { cmp: 'activation' } },
  });
  compare.runs = IDS.map((id, index) => ({ id, index, created: {} }));
  Object.defineProperty(compare, 'ready', { get: () => true });
  const frame = (iteration, status) => compare.onBinary({ header: { type: 'frame', run: 'a', iteration, status }, blobs: {} });
  return { compare, socket, shown, frame };
}

test('a paused frame from before the play does not show the group paused', () => {
  const { compare, socket, frame } = setup();
  compare.play();
  assert.deepEqual(socket.sent.map((m) => m.type), ['play']);
  frame(40, 'paused'); // built before the server saw the play
  assert.equal(compare.status, 'running');
  frame(41, 'running');
  assert.equal(compare.status, 'running');
});

test('the server stopping the group shows: a later paused frame, or finished', () => {
  const { compare, frame } = setup();
  compare.play();
  frame(57, 'paused'); // e.g. a class's teacher paused every student
  assert.equal(compare.status, 'paused');
  compare.play();
  frame(57, 'diverged'); // one run diverged: the others go on
  assert.equal(compare.status, 'running');
  frame(90, 'finished');
  assert.equal(compare.status, 'finished');
});
