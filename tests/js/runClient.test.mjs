// The run client (static/js/runClient.js): create, supersede, delete, commands, answers by ref.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RunClient } from '../../static/js/runClient.js';

/** A socket that records what is sent and lets the test answer. */
function fakeSocket() {
  const socket = {
    open: true, sent: [], handlers: null, nextRef: 1,
    on(handlers) { this.handlers = handlers; },
    send(message) {
      if (!this.open) return null;
      const ref = String(this.nextRef++);
      this.sent.push({ ...message, ref });
      return ref;
    },
  };
  return socket;
}

test('a create is answered to whoever sent it; the run of a superseded create is deleted on arrival', () => {
  const socket = fakeSocket();
  const client = new RunClient(socket);
  const heard = [];
  client.subscribe({ message: (m) => heard.push(m) });
  const got = [];
  const first = client.create({ seed: 1 }, { created: (m) => got.push(['first', m.run]), refused: () => got.push(['refused']) });
  const second = client.create({ seed: 2 }, { created: (m) => got.push(['second', m.run]), refused: () => got.push(['refused']) });
  client.supersede(first);
  assert.deepEqual(socket.sent.map((m) => [m.type, m.config?.seed]), [['create', 1], ['create', 2]]);
  socket.handlers.message({ type: 'created', ref: first, run: 'a' });
  socket.handlers.message({ type: 'created', ref: second, run: 'b' });
  assert.deepEqual(got, [['second', 'b']]);
  assert.deepEqual(socket.sent[2], { type: 'delete', runs: ['a'], ref: '3' });
  assert.deepEqual(heard, [], 'answers waited for do not reach the subscribers');
});

test('a refused create goes to its refused handler; other errors to the subscribers', () => {
  const socket = fakeSocket();
  const client = new RunClient(socket);
  const heard = [];
  client.subscribe({ message: (m) => heard.push(m.code) });
  const refused = [];
  const ref = client.create({}, { created: () => {}, refused: (m) => refused.push(m.code) });
  socket.handlers.message({ type: 'error', ref, code: 'invalid' });
  socket.handlers.message({ type: 'error', ref: '99', code: 'other' });
  assert.deepEqual(refused, ['invalid']);
  assert.deepEqual(heard, ['other']);
});

test('commands name their runs; an answer goes to its handler, or to the subscribers without one', () => {
  const socket = fakeSocket();
  const client = new RunClient(socket);
  const heard = [];
  client.subscribe({ message: (m) => heard.push(m.type) });
  const acks = [];
  client.command('step', ['a', 'b'], { n: 5 });
  client.speed(['a'], 'max');
  client.speed(['a'], 'auto');
  client.speed(['a'], '100');
  const ref = client.command('update', ['a'], { type: 'ignored', batch_size: 8 }, { ack: (m) => acks.push(m.ref) });
  assert.deepEqual(socket.sent.map(({ ref: _, ...m }) => m), [
    { type: 'step', runs: ['a', 'b'], n: 5 },
    { type: 'speed', runs: ['a'], iterations_per_frame: 'max' },
    { type: 'speed', runs: ['a'], iterations_per_frame: 'auto' },
    { type: 'speed', runs: ['a'], iterations_per_frame: 100 },
    { type: 'update', runs: ['a'], batch_size: 8 },
  ]);
  socket.handlers.message({ type: 'ack', ref, action: 'update' });
  assert.deepEqual(acks, [ref]);
  const data = client.command('data', ['a'], {}, { ack: () => {} });
  socket.handlers.message({ type: 'error', ref: data, code: 'invalid' });
  assert.deepEqual(heard, ['error'], 'an error without a handler is shown by the subscribers');
});

test('a new session forgets every pending create (their answers will never come)', () => {
  const socket = fakeSocket();
  const client = new RunClient(socket);
  const order = [];
  client.subscribe({ hello: () => order.push('first') });
  client.subscribe({ hello: () => order.push('second') });
  const ref = client.create({}, { created: () => order.push('created'), refused: () => {} });
  client.supersede(client.create({}, { created: () => {}, refused: () => {} }));
  socket.handlers.open({ type: 'hello' });
  assert.equal(client.pending(ref), false);
  assert.equal(client.superseded.size, 0);
  assert.deepEqual(order, ['first', 'second']);
});

test('offline nothing is sent and nothing waits', () => {
  const socket = fakeSocket();
  socket.open = false;
  const client = new RunClient(socket);
  assert.equal(client.create({}, { created: () => {}, refused: () => {} }), null);
  client.remove(['a']);
  assert.deepEqual(socket.sent, []);
  assert.equal(client.creates.size, 0);
});
