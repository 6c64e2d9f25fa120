/**
 * A class (docs/protocol.md, "Classes"): the page as a teacher's or a student's. The class
 * controller speaks the class messages over the run client, keeps what the class is (its code,
 * the runs it shows, the push, the lock), and points the single-run controller at the run the
 * class follows (controller.js follow / unfollow / forkFollowed), or compare mode at the runs of
 * a comparison it follows (compare.js follow / unfollow). It never touches the DOM: the
 * class bar, menu and presenter card are classView.js's, the board boardView.js's.
 *
 *   teacher  opens a class; what it shows follows its current run (or compare group) by itself;
 *            locks, pushes its setup, opens the board, spotlights a student, sets a challenge.
 *   student  joins with the code (and a name); follows the shown run (or comparison) read-only, or works on its
 *            own (a fork of the followed run, or its own setup); loads each new push as its run.
 *
 * A reload comes back: the class ({code, token} of a teacher, {code, name} of a student) is kept
 * in the tab's sessionStorage and claimed again on each new session (hello).
 * The pure helpers (board tiles, sorting, thumbnails) are exported for tests/js.
 */

import { toHash } from './state.js';
import { keepHidden } from './hiding.js';

/** sessionStorage key of the class this tab is in. */
export const STORAGE_KEY = 'nnplay.class';

/** The board's orders: by best test accuracy, by fewest parameters, by first to reach the target. */
export const SORTS = {
  accuracy: 'best test accuracy',
  parameters: 'fewest parameters',
  reached: 'first to reach the target',
  joined: 'order of joining',
};

/**
 * The accuracy a run is judged by: test, or train for data without a test split.
 * @param {object} run a board entry's run
 * @returns {number|null}
 */
export function scoreOf(run) {
  return run.test_accuracy ?? run.train_accuracy ?? null;
}

/**
 * The run a student's tile shows: its best by accuracy (the first, if none has scores yet).
 * @param {object} student a board entry {student, name, runs}
 * @returns {object|null}
 */
export function bestRun(student) {
  let best = null;
  for (const run of student.runs || []) {
    if (best === null || (scoreOf(run) ?? -1) > (scoreOf(best) ?? -1)) best = run;
  }
  return best;
}

/**
 * A network in a few characters: its layer sizes and hidden activation, e.g. "2-4-1 tanh".
 * @param {{layer_dims: number[], activations: string[]}} run
 * @returns {string}
 */
export function architecture(run) {
  const hidden = [...new Set(run.activations.slice(0, -1))];
  return `${run.layer_dims.join('-')}${hidden.length ? ` ${hidden.join('/')}` : ''}`;
}

/**
 * The board's students in an order (SORTS); ties keep the order of joining.
 * @param {object[]} students the `board` message's
 * @param {string} by a key of SORTS
 * @returns {object[]} a new array
 */
export function sortStudents(students, by) {
  const keyed = students.map((student, i) => ({ student, i, run: bestRun(student) }));
  const key = {
    accuracy: ({ run }) => -(run ? scoreOf(run) ?? -1 : -1),
    parameters: ({ run }) => (run ? run.parameters : Infinity),
    reached: ({ student }) => (student.reached ? student.reached.seconds : Infinity),
    joined: () => 0,
  }[by] || (() => 0);
  return keyed.sort((a, b) => key(a) - key(b) || a.i - b.i).map(({ student }) => student);
}

/**
 * A thumbnail's codes from its base64.
 * @param {string} base64
 * @returns {Uint8Array}
 */
export function decodeThumbnail(base64) {
  const text = atob(base64);
  const codes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/**
 * The join link a class's page shows (the one its QR code holds): the server's `join_url`,
 * which names its LAN address when this page uses a loopback one; else this page's origin.
 * @param {string} origin location.origin
 * @param {{join_url?: string, join_path: string}} info the class
 */
export function joinLink(origin, info) {
  return info.join_url || origin + info.join_path;
}

/** A session storage that is none (a page without one, the tests). */
export const NO_STORAGE = { get: () => null, set: () => {}, clear: () => {} };

export class ClassController {
  /**
   * @param {object} deps {client (runClient.js), socket (socket.js: listen), controller
   *   (controller.js), compare (compare.js: active, ids), store (store.js), view (classView.js),
   *   board (boardView.js), storage ({get(), set(value), clear()}: the tab's class), loadHash(hash)
   *   (load a page state as if a link with that hash was followed), origin (location.origin),
   *   joinCode (the `?join=` code the page was opened with, or null), lessons (lessonPanel.js:
   *   render(state); a follower shows the teacher's lesson)}
   */
  constructor({ client, socket, controller, compare, store, view, board, storage = NO_STORAGE, loadHash, origin = '', joinCode = null, lessons = null }) {
    Object.assign(this, { client, socket, controller, compare, store, view, board, storage, loadHash, origin, lessons });
    this.joinCode = joinCode;
    /** 'teacher', 'student' or null (in no class). */
    this.role = null;
    /** The class: the `class` answer's fields, updated by each `class_state`. */
    this.info = null;
    /** A student's choice: follow the teacher ('follow') or work on its own ('own'). */
    this.mode = 'follow';
    /** A push that came while locked: loaded at the unlock. */
    this.pendingPush = null;
    /** The runs the teacher's page last sent to show (a key of their ids). */
    this.sentShown = null;
    this.boardOpen = false;
    this.claimRef = null;
  }

  /** Wire the views and the socket (before the controller connects). */
  start() {
    this.view.bind({
      open: () => this.openClass(),
      join: (code, name) => this.join(code, name),
      leave: () => this.leave(),
      close: () => this.send({ type: 'class_close' }, { ack: () => this.ended(null) }),
      lock: (locked) => this.send({ type: 'class_lock', locked }),
      push: (title, text) => this.push(title, text),
      board: (open) => this.setBoard(open),
      back: () => this.send({ type: 'class_spotlight', student: null }),
      follow: () => this.setMode('follow'),
      own: () => this.setMode('own'),
      fork: () => this.fork(),
    });
    this.board.bind({
      spotlight: (student) => this.send({ type: 'class_spotlight', student }),
      remove: (student) => this.send({ type: 'class_remove', student }),
      challenge: (challenge) => this.send({ type: 'class_challenge', challenge }),
    });
    this.client.subscribe({
      hello: () => this.onHello(),
      message: (message) => this.onMessage(message),
    });
    // After every handler: the teacher's current run (or group) may have changed ids.
    this.socket.listen({ message: () => this.syncShown() });
    if (this.joinCode) this.view.askJoin(this.joinCode);
  }

  /** Send a class message; its answer goes to `answer`'s handlers (errors: shown, by default). */
  send(message, answer = {}) {
    return this.client.request(message, {
      ack: () => {},
      error: (error) => this.view.showError(error.message),
      ...answer,
    });
  }

  // --- joining ----------------------------------------------------------------------------------

  /** A new session (the page's first, or after a reconnect): back in the tab's class, if any. */
  onHello() {
    const kept = this.storage.get();
    this.role = null;
    this.info = null;
    this.sentShown = null;
    this.boardOpen = false;
    if (kept?.role === 'teacher') {
      this.send({ type: 'class_teach', code: kept.code, token: kept.token }, {
        class: (message) => this.onClass(message),
        error: () => this.ended({ message: 'the class you led has ended' }),
      });
    } else if (kept?.role === 'student') {
      this.join(kept.code, kept.name, kept.push);
    } else {
      this.view.render(this.model());
    }
  }

  openClass() {
    this.send({ type: 'class_open' }, { class: (message) => this.onClass(message) });
  }

  join(code, name, pushVersion = 0) {
    this.send({ type: 'class_join', code, name }, {
      class: (message) => this.onClass(message, pushVersion),
      error: (error) => {
        this.storage.clear();
        this.view.joinRefused(error.message, code);
      },
    });
  }

  leave() {
    this.send({ type: 'class_leave' }, { ack: () => this.ended(null) });
  }

  /** The answer to open, teach and join: this page is in the class now. */
  onClass(message, pushVersion = 0) {
    this.role = message.role;
    this.info = { ...message };
    this.mode = 'follow';
    this.loadedPush = pushVersion;
    this.keep();
    this.view.joined(message);
    this.applyState(message);
  }

  keep() {
    const i = this.info;
    if (this.role === 'teacher') this.storage.set({ role: 'teacher', code: i.code, token: i.token });
    else this.storage.set({ role: 'student', code: i.code, name: i.name, push: this.loadedPush || 0 });
  }

  /** Out of the class (closed, removed, left): the page is the student's own again. */
  ended(message) {
    this.storage.clear();
    this.role = null;
    this.info = null;
    this.pendingPush = null;
    this.sentShown = null;
    this.boardOpen = false;
    this.board.show(false);
    this.unfollow();
    this.view.render(this.model());
    if (message) this.view.showEnded(message.message);
  }

  // --- what the server says ------------------------------------------------------------------------

  onMessage(message) {
    if (!this.role) return;
    if (message.type === 'class_state') this.applyState(message);
    else if (message.type === 'board' && this.role === 'teacher') this.board.render(message);
    else if (message.type === 'class_ended') this.ended(message);
  }

  /** The class changed (or this page joined it): follow what it shows, load its push. */
  applyState(state) {
    for (const key of ['locked', 'shown', 'lesson', 'push', 'challenge', 'students', 'teacher_present']) {
      if (key in state) this.info[key] = state[key];
    }
    const { shown, locked } = this.info;
    if (this.role === 'teacher') {
      if (shown.student) { // a spotlight: the teacher's page shows the student's run (or comparison) too
        if (!this.followRuns(shown.runs)) this.unfollow();
      } else {
        this.unfollow();
        if (keyOf(shown.runs) !== keyOf(this.currentRuns())) this.sentShown = null;
        this.syncShown();
      }
      this.board.setChallenge(this.info.challenge);
    } else {
      if (locked) this.mode = 'follow';
      this.takePush();
      this.followShown();
      this.lessons?.render(this.lessonShown(this.store.state));
    }
    this.view.render(this.model());
  }

  /**
   * The state whose lesson the lesson card shows: a follower's shows the teacher's lesson
   * (class_show's), the others their own.
   * @param {object} state the page's (store.js)
   */
  lessonShown(state) {
    const following = this.controller.followedRun || this.compare.following;
    if (this.role !== 'student' || !following || !this.info?.lesson) return state;
    return { ...state, lesson: this.info.lesson };
  }

  /** A student: follow the shown run, or show its own (its own mode, nothing shown, its own spotlighted). */
  followShown() {
    const { shown, locked } = this.info;
    const own = this.controller.ownRunId;
    const run = shown.runs.find((id) => id !== own);
    const mine = own != null && shown.runs.includes(own);
    if ((this.mode === 'follow' || locked) && run && !mine) this.followRuns(shown.runs);
    else this.unfollow();
  }

  /**
   * Show runs another session owns: a comparison of several (compare.js follow), or one run in
   * the single-run view (controller.js follow); the other lets go of what it followed.
   * @param {string[]} runs
   * @returns {boolean} whether they are followed
   */
  followRuns(runs) {
    if (runs.length > 1) {
      this.controller.unfollow();
      return this.compare.follow(runs);
    }
    this.compare.unfollow();
    return runs.length > 0 && this.controller.follow(runs[0]);
  }

  /** Back to the page's own run (or comparison): neither controller follows anything. */
  unfollow() {
    this.compare.unfollow();
    this.controller.unfollow();
  }

  /** A push newer than the one loaded: load it as the student's own run (not while locked). */
  takePush() {
    const push = this.info.push;
    if (!push || push.version <= (this.loadedPush || 0)) return;
    this.loadedPush = push.version;
    this.keep();
    this.view.showPush(push);
    if (this.info.locked) {
      this.pendingPush = push.state;
      return;
    }
    this.loadPush(push.state);
  }

  loadPush(state) {
    this.pendingPush = null;
    this.mode = 'own';
    this.unfollow();
    this.loadHash(keepHidden(state, this.store.state.hide)); // a reduced page (a class link's) stays reduced
  }

  // --- a student's choices ----------------------------------------------------------------------

  setMode(mode) {
    if (this.role !== 'student' || (this.info.locked && mode === 'own')) return;
    this.mode = mode;
    if (mode === 'own' && this.pendingPush != null) this.loadPush(this.pendingPush);
    else this.followShown();
    this.view.render(this.model());
  }

  /** "Try it yourself": the followed run (a followed comparison's first), forked, becomes the student's own. */
  fork() {
    if (this.role !== 'student' || this.info.locked) return;
    const group = this.compare.following ? this.compare.ids : [];
    this.controller.forkFollowed({
      created: () => {
        this.compare.unfollow();
        this.mode = 'own';
        this.view.render(this.model());
      },
    }, group[0] ?? null);
  }

  // --- a teacher's ------------------------------------------------------------------------------

  /** The runs the teacher's page shows now: its compare group, or its single run. */
  currentRuns() {
    if (this.compare.active && !this.compare.following && !this.controller.showsOpenedRun) return this.compare.ids;
    const own = this.controller.ownRunId;
    return own ? [own] : [];
  }

  /** The class shows what the teacher's page shows: send class_show when its ids change. */
  syncShown() {
    if (this.role !== 'teacher' || !this.info || this.info.shown.student || this.controller.followedRun || this.compare.following) return;
    // A comparison is shown once its runs are all created: not run by run as they come.
    if (this.compare.active && !this.controller.showsOpenedRun && !this.compare.ready) return;
    const runs = this.currentRuns();
    const lesson = this.store.state.lesson || null; // its text goes with the runs to followers
    const key = `${keyOf(runs)}|${lesson ?? ''}`;
    if (key === this.sentShown) return;
    this.sentShown = key;
    this.send({ type: 'class_show', runs, lesson }, { error: () => { this.sentShown = null; } });
  }

  push(title, text) {
    const state = toHash(this.store.state).slice(1);
    this.send({ type: 'class_push', state, title, text }, { ack: () => this.view.pushed() });
  }

  setBoard(open) {
    this.boardOpen = open;
    this.board.show(open);
    this.send({ type: 'class_board', open });
    this.view.render(this.model());
  }

  /** What the class views show: role, code, link, counts, mode, lock, spotlight. */
  model() {
    if (!this.role) return null;
    const i = this.info;
    return {
      role: this.role,
      code: i.code,
      link: joinLink(this.origin, i),
      qr: i.qr_path,
      students: i.students,
      locked: i.locked,
      teacherPresent: i.teacher_present,
      spotlight: i.shown.student ? { student: i.shown.student, name: i.shown.name } : null,
      shows: i.shown.runs.length > 0,
      mode: this.mode,
      following: Boolean(this.controller.followedRun || this.compare.following),
      name: i.name,
      board: this.boardOpen,
    };
  }
}

function keyOf(ids) {
  return ids.join(',');
}
