/**
 * The page's WebSocket, opened the moment this module runs: templates/index.html loads it as an
 * async module script of its own (it imports nothing), so the connection's handshake and the
 * server's first answer happen while the browser still fetches the ~50 modules main.js needs,
 * instead of after them. What arrives meanwhile is kept, in order, for the Socket that takes
 * the connection over (socket.js `connect(takeEarlySocket(url))`).
 * Besides main.js the one module with an effect at import, on purpose; it does nothing where
 * there is no WebSocket (Node, tests/js).
 */

/** The session endpoint's address, ws:// or wss:// as the page's own. */
export function socketUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

let early = null;
const kept = [];

if (typeof WebSocket !== 'undefined' && typeof location !== 'undefined') {
  try {
    early = new WebSocket(socketUrl());
    early.binaryType = 'arraybuffer';
    early.onmessage = (event) => { kept.push(event); };
  } catch {
    early = null; // e.g. refused by a policy: the Socket opens its own
  }
}

/**
 * The early connection to `url`, once, with the messages it received so far; null if there is
 * none, it is to another address, or it has already closed (then the caller opens its own).
 * @param {string} url
 * @param {{ws: WebSocket|null, kept: MessageEvent[]}} [from] the connection to take (tests)
 * @returns {{ws: WebSocket, messages: MessageEvent[]}|null}
 */
export function takeEarlySocket(url, from = null) {
  const source = from || { ws: early, kept };
  const ws = source.ws;
  if (!from) early = null;
  if (!ws) return null;
  const messages = source.kept.splice(0);
  ws.onmessage = null;
  if (ws.url !== url || ws.readyState > 1) { // 1: OPEN; CLOSING or CLOSED are no use
    ws.close();
    return null;
  }
  return { ws, messages };
}
