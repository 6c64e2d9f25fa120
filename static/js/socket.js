/**
 * The protocol client: one WebSocket to /ws, JSON commands out, JSON answers and binary frames
 * in, automatic reconnection with exponential backoff. Knows nothing about the DOM.
 */

import { decodeFrame } from './frames.js';

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 8000;

export class Socket {
  /**
   * @param {string} url ws:// or wss:// address of the session endpoint
   */
  constructor(url) {
    this.url = url;
    this.ws = null;
    this.backoff = BACKOFF_START_MS;
    this.nextRef = 1;
    this.handlers = { message: () => {}, binary: () => {}, state: () => {}, open: () => {} };
    this.listeners = [];
    this.closedByUs = false;
    /** What arrived while held (hold()), as calls to make on release(); null: deliver at once. */
    this.held = null;
  }

  /**
   * Keep what arrives (state changes, messages, frames) until release(): the page opens the
   * connection first, while it fetches its options and builds its views, and hands it its
   * handlers only then.
   */
  hold() {
    this.held = this.held || [];
  }

  /** Hand what was kept to the handlers and listeners, in the order it came; then deliver at once. */
  release() {
    const held = this.held || [];
    this.held = null;
    for (const deliver of held) deliver();
  }

  /**
   * Register handlers: message(json), binary({header, blobs}), state(name, detail), open().
   * @param {Object<string, Function>} handlers
   */
  on(handlers) {
    Object.assign(this.handlers, handlers);
  }

  /**
   * Add listeners called after the handlers (compare mode, the recorder): {message, binary, open,
   * state}.
   * @param {Object<string, Function>} listener
   */
  listen(listener) {
    this.listeners.push(listener);
  }

  emit(kind, value) {
    if (this.held) {
      this.held.push(() => this.emit(kind, value));
      return;
    }
    this.handlers[kind](value);
    for (const listener of this.listeners) listener[kind]?.(value);
  }

  /** The connection's state, to the handler and the listeners: (name, ms until the retry). */
  setState(name, delay) {
    if (this.held) {
      this.held.push(() => this.setState(name, delay));
      return;
    }
    this.handlers.state(name, delay);
    for (const listener of this.listeners) listener.state?.(name, delay);
  }

  /**
   * Open the connection (and keep it open: reconnects after a drop); once: opening or open, nothing.
   * @param {{ws: WebSocket, messages: MessageEvent[]}|null} [early] a connection already opened
   *   to this url, and what it received so far (earlySocket.js): taken over instead of a new one
   */
  connect(early = null) {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.setState('connecting');
    const ws = early ? early.ws : new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    const opened = () => {
      this.backoff = BACKOFF_START_MS;
      this.setState('connected');
    };
    ws.onopen = opened;
    const receive = (event) => {
      if (typeof event.data === 'string') {
        const message = JSON.parse(event.data);
        if (message.type === 'hello') this.emit('open', message);
        this.emit('message', message);
      } else {
        this.emit('binary', decodeFrame(event.data));
      }
    };
    ws.onmessage = receive;
    if (early && ws.readyState === WebSocket.OPEN) {
      opened();
      for (const event of early.messages) receive(event);
    }
    ws.onclose = () => {
      if (this.ws !== ws || this.closedByUs) return;
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
      this.setState('reconnecting', delay);
      setTimeout(() => this.connect(), delay);
    };
    ws.onerror = () => {}; // onclose follows and schedules the reconnect
  }

  /** @returns {boolean} whether commands can be sent now */
  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Send a command; returns its `ref` (echoed in the answer), or null when offline.
   * @param {object} message e.g. {type: 'play', runs: [id]}
   * @returns {string|null}
   */
  send(message) {
    if (!this.open) return null;
    const ref = String(this.nextRef++);
    this.ws.send(JSON.stringify({ ...message, ref }));
    return ref;
  }

  /** Close for good (the page is going away). */
  close() {
    this.closedByUs = true;
    if (this.ws) this.ws.close();
  }
}
