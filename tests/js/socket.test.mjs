// The protocol client (static/js/socket.js): held while the page builds its views, then
// everything it heard meanwhile delivered in order; one connection however often connect() is called.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Socket } from '../../static/js/socket.js';

/** A WebSocket the test drives: open(), say(data), and what the page sent. */
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    FakeWebSocket.made.push(this);
  }
  open() { this.readyState = FakeWebSocket.OPEN; this.onopen(); }
  say(data) { this.onmessage({ data }); }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
}
globalThis.WebSocket = FakeWebSocket;

test('held, the socket keeps what it hears and hands it over, in order, on release', () => {
  FakeWebSocket.made = [];
  const socket = new Socket('ws://test/ws');
  socket.hold();
  socket.connect();
  const ws = FakeWebSocket.made[0];
  ws.open();
  ws.say(JSON.stringify({ type: 'hello', session: 's' }));
  ws.say(JSON.stringify({ type: 'notice', text: 'n' }));
  assert.ok(socket.open, 'commands could go out already');
  const heard = [];
  socket.on({
    state: (name) => heard.push(['state', name]),
    open: (m) => heard.push(['open', m.type]),
    message: (m) => heard.push(['message', m.type]),
  });
  socket.listen({ message: (m) => heard.push(['listener', m.type]) });
  assert.deepEqual(heard, [], 'nothing reaches anyone before release');
  socket.release();
  assert.deepEqual(heard, [
    ['state', 'connecting'], ['state', 'connected'],
    ['open', 'hello'], ['message', 'hello'], ['listener', 'hello'],
    ['message', 'notice'], ['listener', 'notice'],
  ]);
  ws.say(JSON.stringify({ type: 'ack' }));
  assert.deepEqual(heard.slice(-2), [['message', 'ack'], ['listener', 'ack']], 'after release, at once');
});

test('connect() while connecting or connected opens no second connection', () => {
  FakeWebSocket.made = [];
  const socket = new Socket('ws://test/ws');
  socket.connect();
  socket.connect();
  FakeWebSocket.made[0].open();
  socket.connect();
  assert.equal(FakeWebSocket.made.length, 1);
});

test('an early connection is taken over: what it heard first comes first, and no second one opens', async () => {
  const { takeEarlySocket } = await import('../../static/js/earlySocket.js');
  FakeWebSocket.made = [];
  const early = new FakeWebSocket('ws://test/ws');
  const kept = [];
  early.onmessage = (event) => kept.push(event); // what earlySocket.js does until it is taken
  early.open = function open() { this.readyState = FakeWebSocket.OPEN; };
  early.open();
  early.say(JSON.stringify({ type: 'hello', session: 's' }));
  early.say(JSON.stringify({ type: 'notice', text: 'n' }));
  const taken = takeEarlySocket('ws://test/ws', { ws: early, kept });
  assert.equal(taken.ws, early);
  assert.equal(taken.messages.length, 2);
  assert.equal(kept.length, 0, 'handed over, not kept twice');

  const socket = new Socket('ws://test/ws');
  socket.hold();
  socket.connect(taken);
  assert.equal(FakeWebSocket.made.length, 1, 'no second connection');
  assert.ok(socket.open);
  early.say(JSON.stringify({ type: 'ack' }));
  const heard = [];
  socket.on({
    state: (name) => heard.push(['state', name]),
    open: (m) => heard.push(['open', m.type]),
    message: (m) => heard.push(['message', m.type]),
  });
  socket.release();
  assert.deepEqual(heard, [
    ['state', 'connecting'], ['state', 'connected'],
    ['open', 'hello'], ['message', 'hello'], ['message', 'notice'], ['message', 'ack'],
  ]);
  assert.equal(socket.send({ type: 'play' }), '1');
  assert.deepEqual(early.sent, [{ type: 'play', ref: '1' }]);
});

test('an early connection still opening is taken over and reports its open later', async () => {
  const { takeEarlySocket } = await import('../../static/js/earlySocket.js');
  FakeWebSocket.made = [];
  const early = new FakeWebSocket('ws://test/ws');
  const socket = new Socket('ws://test/ws');
  const heard = [];
  socket.on({ state: (name) => heard.push(name), open: (m) => heard.push(m.type) });
  socket.connect(takeEarlySocket('ws://test/ws', { ws: early, kept: [] }));
  assert.deepEqual(heard, ['connecting']);
  early.open();
  early.say(JSON.stringify({ type: 'hello' }));
  assert.deepEqual(heard, ['connecting', 'connected', 'hello']);
  assert.equal(FakeWebSocket.made.length, 1);
});

test('an early connection that closed, or to another address, is not taken (and is closed)', async () => {
  const { takeEarlySocket } = await import('../../static/js/earlySocket.js');
  const closed = new FakeWebSocket('ws://test/ws');
  closed.readyState = 3;
  assert.equal(takeEarlySocket('ws://test/ws', { ws: closed, kept: [] }), null);
  const other = new FakeWebSocket('ws://elsewhere/ws');
  assert.equal(takeEarlySocket('ws://test/ws', { ws: other, kept: [] }), null);
  assert.equal(other.readyState, 3, 'closed, not left open');
  assert.equal(takeEarlySocket('ws://test/ws'), null, 'in Node there is no early connection');
});
