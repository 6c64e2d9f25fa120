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
