/**
 * The run client: the life of runs over the socket, for the single run and a comparison's runs
 * alike. It sends create (and routes its answer, created or refused, to whoever asked), supersedes
 * a create no longer wanted (its run, once created, is deleted at once: it would hold one of the
 * session's runs), deletes runs, sends the commands that drive them (play, pause, step, reset,
 * speed, update, data: always naming the runs, a comparison's whole group), routes the answers a
 * sender waits for by their ref, and forgets every pending ref when a new session starts (hello).
 * Everything else the socket says goes to the subscribers, in the order they subscribed.
 * No DOM: the socket is an argument ({on, send, open}), so Node tests it with a fake one.
 */

export class RunClient {
  /** @param {{on(handlers: object): void, send(message: object): string|null, open: boolean}} socket static/js/socket.js */
  constructor(socket) {
    this.socket = socket;
    /** @type {Map<string, {created(message: object): void, refused(message: object): void}>} creates waiting for their answer */
    this.creates = new Map();
    /** Refs of creates superseded before their answer: their runs are deleted on arrival. */
    this.superseded = new Set();
    /** @type {Map<string, Object<string, Function>>} other commands' answers waited for, by ref */
    this.answers = new Map();
    this.subscribers = [];
    socket.on({
      open: (hello) => this.onHello(hello),
      state: (name, delay) => this.emit('state', name, delay),
      message: (message) => this.onMessage(message),
      binary: (frame) => this.emit('binary', frame),
    });
  }

  /**
   * Hear what the socket says that no pending create or command waits for: hello(message),
   * state(name, delay), message(json), binary({header, blobs}).
   * @param {Object<string, Function>} subscriber
   */
  subscribe(subscriber) {
    this.subscribers.push(subscriber);
  }

  emit(kind, ...args) {
    for (const subscriber of this.subscribers) subscriber[kind]?.(...args);
  }

  /** @returns {boolean} whether commands can be sent now */
  get open() {
    return this.socket.open;
  }

  // --- runs ---------------------------------------------------------------------------------------

  /**
   * Create a run.
   * @param {object} config a RunConfigModel (state.js toRunConfig)
   * @param {{created(message: object): void, refused(message: object): void}} answer
   * @param {{fork?: string, at?: number, changes?: object}} [how] fork: continue from that run's
   *   state instead (a run this session owns or watches: a class's followed run); the config is
   *   then the source's. at: from its state at that past iteration; changes: hyperparameters the
   *   fork trains with from there ({learning_rate})
   * @returns {string|null} the create's ref (null: offline, nothing sent)
   */
  create(config, answer, { fork = null, at = null, changes = null } = {}) {
    const forked = { type: 'create', fork, ...(at != null ? { at } : {}), ...(changes && Object.keys(changes).length ? { changes } : {}) };
    const ref = this.socket.send(fork ? forked : { type: 'create', config });
    if (ref != null) this.creates.set(ref, answer);
    return ref;
  }

  /**
   * A create no longer wanted (a newer one replaces it, the comparison was left): its answer goes
   * to no one, and the run it makes is deleted.
   * @param {string|null} ref
   */
  supersede(ref) {
    if (ref == null || !this.creates.has(ref)) return;
    this.creates.delete(ref);
    this.superseded.add(ref);
  }

  /** @returns {boolean} whether a create still waits for its answer */
  pending(ref) {
    return ref != null && this.creates.has(ref);
  }

  /**
   * Delete runs (the server frees them).
   * @param {string[]} runs
   */
  remove(runs) {
    if (runs.length && this.socket.open) this.socket.send({ type: 'delete', runs });
  }

  /**
   * Send a command naming `runs`.
   * @param {string} type play, pause, step, reset, speed, update or data
   * @param {string[]} runs the run and its group
   * @param {object} [fields] the command's other fields ({n}, {iterations_per_frame}, …)
   * @param {Object<string, Function>} [answer] handlers of its answer by type (ack, error); an
   *   answer of a type without one goes to the subscribers
   * @returns {string|null} the ref
   */
  command(type, runs, fields = {}, answer = null) {
    const ref = this.socket.send({ ...fields, type, runs });
    if (ref != null && answer) this.answers.set(ref, answer);
    return ref;
  }

  /**
   * The speed command for a state's `speed` ('auto', 'max' or a number of iterations per frame).
   * @param {string[]} runs
   * @param {string} speed
   * @param {Object<string, Function>} [answer]
   */
  speed(runs, speed, answer = null) {
    return this.command('speed', runs, { iterations_per_frame: speed === 'max' || speed === 'auto' ? speed : Number(speed) }, answer);
  }

  /**
   * Send any other message (watch, the class's messages) and route its one answer by type.
   * @param {object} message
   * @param {Object<string, Function>} answer handlers by the answer's type (watching, class, ack,
   *   error); an answer of a type without one goes to the subscribers
   * @returns {string|null} the ref (null: offline, nothing sent)
   */
  request(message, answer) {
    const ref = this.socket.send(message);
    if (ref != null) this.answers.set(ref, answer);
    return ref;
  }

  /**
   * Stop watching runs (a class's followed run or comparison); its answer needs no handling.
   * @param {string[]} runs
   */
  unwatch(runs) {
    return this.request({ type: 'unwatch', runs }, { ack: () => {}, error: () => {} });
  }

  // --- the socket's answers -------------------------------------------------------------------

  onHello(hello) {
    // A new connection is a new session: nothing pending on the old one will be answered.
    this.creates.clear();
    this.superseded.clear();
    this.answers.clear();
    this.emit('hello', hello);
  }

  onMessage(message) {
    const ref = message.ref;
    if (ref != null && this.superseded.has(ref)) {
      this.superseded.delete(ref);
      if (message.type === 'created') this.remove([message.run]);
      return;
    }
    const create = ref != null ? this.creates.get(ref) : undefined;
    if (create && (message.type === 'created' || message.type === 'error')) {
      this.creates.delete(ref);
      if (message.type === 'created') create.created(message);
      else create.refused(message);
      return;
    }
    const answer = ref != null ? this.answers.get(ref) : undefined;
    if (answer && (message.type === 'ack' || message.type === 'error' || answer[message.type])) {
      this.answers.delete(ref);
      if (answer[message.type]) {
        answer[message.type](message);
        return;
      }
    }
    this.emit('message', message);
  }
}
