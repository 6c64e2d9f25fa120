// A class (static/js/classroom.js): the board's helpers, a run's config back to a page state, and
// the class controller's choices (what it follows, what it shows, a push) against fakes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OPTIONS } from './options.mjs';
import {
  ClassController, architecture, bestRun, decodeThumbnail, joinLink, sortStudents,
} from '../../static/js/classroom.js';
import { defaultState, stateFromConfig, toRunConfig } from '../../static/js/state.js';

const run = (over) => ({
  run: 'r', dataset: 'flower', layer_dims: [2, 4, 1], activations: ['tanh', 'sigmoid'], parameters: 17,
  iteration: 10, status: 'running', train_cost: 0.3, train_accuracy: 0.8, test_accuracy: 0.7, thumbnail: null, ...over,
});

test('architecture: the layer sizes and the hidden activations', () => {
  assert.equal(architecture(run()), '2-4-1 tanh');
  assert.equal(architecture(run({ layer_dims: [2, 8, 3, 1], activations: ['relu', 'tanh', 'sigmoid'] })), '2-8-3-1 relu/tanh');
  assert.equal(architecture(run({ layer_dims: [2, 1], activations: ['sigmoid'] })), '2-1');
});

test('a tile shows the student\'s best run; no runs, none', () => {
  const student = { runs: [run({ run: 'a', test_accuracy: 0.6 }), run({ run: 'b', test_accuracy: 0.9 })] };
  assert.equal(bestRun(student).run, 'b');
  assert.equal(bestRun({ runs: [] }), null);
  assert.equal(bestRun({ runs: [run({ run: 'c', test_accuracy: null, train_accuracy: 0.5 })] }).run, 'c');
});

test('the board sorts by accuracy, by parameters, by who reached the target first', () => {
  const students = [
    { student: 'x', runs: [run({ test_accuracy: 0.7, parameters: 50 })], reached: null },
    { student: 'y', runs: [run({ test_accuracy: 0.9, parameters: 90 })], reached: { seconds: 30 } },
    { student: 'z', runs: [], reached: { seconds: 12 } },
    { student: 'w', runs: [run({ test_accuracy: 0.9, parameters: 9 })], reached: null },
  ];
  const ids = (list) => list.map((s) => s.student);
  assert.deepEqual(ids(sortStudents(students, 'accuracy')), ['y', 'w', 'x', 'z']);
  assert.deepEqual(ids(sortStudents(students, 'parameters')), ['w', 'x', 'y', 'z']);
  assert.deepEqual(ids(sortStudents(students, 'reached')), ['z', 'y', 'x', 'w']);
  assert.deepEqual(ids(sortStudents(students, 'joined')), ['x', 'y', 'z', 'w']);
  assert.deepEqual(ids(students), ['x', 'y', 'z', 'w']); // a new array
});

test('a thumbnail decodes to its bytes; the join link is the origin and the path', () => {
  assert.deepEqual([...decodeThumbnail(Buffer.from([0, 128, 255]).toString('base64'))], [0, 128, 255]);
  assert.equal(joinLink('http://10.0.0.5:8000', { join_path: '/join/KQ7M' }), 'http://10.0.0.5:8000/join/KQ7M');
  // The server's link wins: it names the LAN address when the teacher's page uses 127.0.0.1.
  const info = { join_path: '/join/KQ7M', join_url: 'http://192.168.1.20:8000/join/KQ7M' };
  assert.equal(joinLink('http://127.0.0.1:8000', info), 'http://192.168.1.20:8000/join/KQ7M');
});

test('stateFromConfig is toRunConfig\'s inverse', () => {
  const base = defaultState(OPTIONS.defaults);
  const state = {
    ...base, dataset: 'circles', noise: 0.2, size: 300, train: 0.7, dseed: 4, features: ['x1sq'], lr: 0.3, opt: 'adam',
    batch: 32, l2: 0.01, l1: 0.003, layers: [{ units: 5, activation: 'relu' }, { units: 2, activation: 'tanh' }], seed: 8,
  };
  const back = stateFromConfig(toRunConfig(state), base);
  assert.deepEqual(toRunConfig(back), toRunConfig(state));
  const drawn = { ...base, dataset: 'draw', pts: { x1: [0, 1], x2: [1, 0], y: [0, 1] }, pclasses: 2 };
  assert.deepEqual(toRunConfig(stateFromConfig(toRunConfig(drawn), base)), toRunConfig(drawn));
});

/** A class controller on fakes: what it sends, what the controller is told. */
function harness({ ownRun = 'own1' } = {}) {
  const sent = [];
  const told = [];
  const controller = {
    ownRunId: ownRun, followedRun: null, showsOpenedRun: false,
    follow(id) { told.push(['follow', id]); this.followedRun = id; return true; },
    unfollow() { if (this.followedRun) told.push(['unfollow']); this.followedRun = null; },
    forkFollowed: ({ created }, from = null) => { told.push(from ? ['fork', from] : ['fork']); created({}); return true; },
  };
  const compare = {
    active: false, ids: [], ready: true, following: false,
    follow(ids) { told.push(['compare follow', ids]); this.following = true; this.ids = ids; return true; },
    unfollow() { if (this.following) told.push(['compare unfollow']); this.following = false; this.ids = []; },
  };
  const subscribers = [];
  const listeners = [];
  const client = {
    subscribe: (s) => subscribers.push(s),
    request: (message, answer) => { sent.push(message); return answer; },
  };
  const silent = new Proxy({}, { get: () => () => {} });
  const hashes = [];
  const classroom = new ClassController({
    client, socket: { listen: (l) => listeners.push(l) }, controller, compare,
    store: { state: defaultState(OPTIONS.defaults) }, view: silent, board: silent, loadHash: (h) => hashes.push(h),
  });
  classroom.start();
  const hear = (message) => { for (const s of subscribers) s.message?.(message); for (const l of listeners) l.message?.(message); };
  return { classroom, controller, compare, sent, told, hashes, hear };
}

const classState = (over) => ({
  code: 'KQ7M', locked: false, shown: { runs: [], student: null, name: null }, push: null, challenge: null,
  students: 1, teacher_present: true, join_path: '/join/KQ7M', qr_path: '/class/KQ7M/qr.svg', ...over,
});

test('a teacher\'s class shows its current run, and follows a spotlighted student\'s', () => {
  const { classroom, controller, sent, told, hear } = harness();
  classroom.onClass({ type: 'class', role: 'teacher', token: 't', ...classState() });
  assert.deepEqual(sent.at(-1), { type: 'class_show', runs: ['own1'], lesson: null });
  hear({ type: 'class_state', ...classState({ shown: { runs: ['own1'], student: null, name: null } }) });
  assert.equal(sent.filter((m) => m.type === 'class_show').length, 1); // the same ids: not again
  controller.ownRunId = 'own2'; // a new run (a network change)
  hear({ type: 'ack' });
  assert.deepEqual(sent.at(-1), { type: 'class_show', runs: ['own2'], lesson: null });
  hear({ type: 'class_state', ...classState({ shown: { runs: ['s1'], student: 'ada', name: 'Ada' } }) });
  assert.deepEqual(told.at(-1), ['follow', 's1']);
  hear({ type: 'class_state', ...classState() }); // back to the teacher's: shown again
  assert.deepEqual(told.at(-1), ['unfollow']);
  assert.deepEqual(sent.at(-1), { type: 'class_show', runs: ['own2'], lesson: null });
});

test('a student follows the shown run, loads a newer push as its own, and forks', () => {
  const { classroom, sent, told, hashes, hear } = harness();
  const shown = { runs: ['t1'], student: null, name: null };
  classroom.onClass({ type: 'class', role: 'student', student: 's', name: 'Ada', ...classState({ shown }) });
  assert.deepEqual(told, [['follow', 't1']]);
  hear({ type: 'class_state', ...classState({ shown, push: { version: 1, state: 'dataset=xor', title: '', text: '' } }) });
  assert.deepEqual(hashes, ['dataset=xor']);
  assert.equal(classroom.mode, 'own');
  hear({ type: 'class_state', ...classState({ shown, push: { version: 1, state: 'dataset=xor', title: '', text: '' } }) });
  assert.deepEqual(hashes, ['dataset=xor']); // the same push: loaded once
  classroom.setMode('follow');
  assert.deepEqual(told.at(-1), ['follow', 't1']);
  classroom.fork();
  assert.equal(classroom.mode, 'own');
  hear({ type: 'class_state', ...classState({ shown, locked: true }) }); // locked: follow, fork refused
  assert.equal(classroom.mode, 'follow');
  classroom.setMode('own');
  assert.equal(classroom.mode, 'follow');
  assert.ok(!sent.some((m) => m.type === 'class_show'));
});

test('a student whose own run is spotlighted shows it, not a watched copy', () => {
  const { classroom, told } = harness({ ownRun: 'mine' });
  classroom.onClass({ type: 'class', role: 'student', student: 's', name: 'Ada', ...classState({ shown: { runs: ['mine'], student: 's', name: 'Ada' } }) });
  assert.deepEqual(told, []);
});

test('a student follows a shown comparison as one, and back to a single run', () => {
  const { classroom, told, hear } = harness();
  const single = { runs: ['t1'], student: null, name: null };
  const group = { runs: ['c1', 'c2', 'c3'], student: null, name: null };
  classroom.onClass({ type: 'class', role: 'student', student: 's', name: 'Ada', ...classState({ shown: single }) });
  hear({ type: 'class_state', ...classState({ shown: group }) });
  assert.deepEqual(told, [['follow', 't1'], ['unfollow'], ['compare follow', ['c1', 'c2', 'c3']]]);
  assert.equal(classroom.model().following, true);
  classroom.fork(); // the comparison's first run becomes the student's own
  assert.deepEqual(told.slice(-2), [['fork', 'c1'], ['compare unfollow']]);
  assert.equal(classroom.mode, 'own');
  classroom.setMode('follow');
  assert.deepEqual(told.at(-1), ['compare follow', ['c1', 'c2', 'c3']]);
  hear({ type: 'class_state', ...classState({ shown: { runs: ['t2'], student: null, name: null } }) });
  assert.deepEqual(told.slice(-2), [['compare unfollow'], ['follow', 't2']]);
});

test('a teacher shows its comparison once all its runs are created, and spotlights a comparing student', () => {
  const { classroom, compare, sent, told, hear } = harness();
  classroom.onClass({ type: 'class', role: 'teacher', token: 't', ...classState() });
  Object.assign(compare, { active: true, ready: false, ids: ['c1'] }); // one run of three created
  hear({ type: 'ack' });
  assert.deepEqual(sent.at(-1), { type: 'class_show', runs: ['own1'], lesson: null });
  Object.assign(compare, { ready: true, ids: ['c1', 'c2', 'c3'] });
  hear({ type: 'ack' });
  assert.deepEqual(sent.at(-1), { type: 'class_show', runs: ['c1', 'c2', 'c3'], lesson: null });
  Object.assign(compare, { active: false, ids: [] });
  hear({ type: 'class_state', ...classState({ shown: { runs: ['s1', 's2'], student: 'ada', name: 'Ada' } }) });
  assert.deepEqual(told.at(-1), ['compare follow', ['s1', 's2']]);
  hear({ type: 'class_state', ...classState() });
  assert.deepEqual(told.at(-1), ['compare unfollow']);
});

test('a follower\'s lesson card shows the teacher\'s lesson; its own otherwise', () => {
  const controller = { followedRun: 'teachers' };
  const compare = { following: false };
  const classroom = new ClassController({ controller, compare });
  const own = { lesson: 'zero-init', dataset: 'flower' };
  assert.equal(classroom.lessonShown(own), own); // in no class
  classroom.role = 'student';
  classroom.info = { lesson: 'why-deep' };
  assert.deepEqual(classroom.lessonShown(own), { lesson: 'why-deep', dataset: 'flower' });
  controller.followedRun = null; // working on its own
  assert.equal(classroom.lessonShown(own), own);
  compare.following = true; // following a comparison
  assert.equal(classroom.lessonShown(own).lesson, 'why-deep');
  classroom.role = 'teacher';
  assert.equal(classroom.lessonShown(own), own);
});
