// The lessons (static/js/lessons.js): loaded from the page's file, each a state over the defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { lessonById, lessonState, loadLessons } from '../../static/js/lessons.js';

const FILE = JSON.parse(readFileSync(new URL('../../static/lessons.json', import.meta.url), 'utf8'));

test('importing the module loads nothing; an unreadable file is no lessons', async () => {
  const course = await loadLessons('file:///nonexistent/lessons.json'); // fetch refuses it: no lessons
  assert.deepEqual(course.lessons, []);
});

test('a lesson\'s state: the defaults, then the lessons\' base, then its own, on its view', () => {
  const course = { base: Object.freeze(FILE.base || {}), lessons: FILE.lessons };
  const first = course.lessons[0];
  assert.equal(lessonById(course, first.id), first);
  const defaults = { dataset: 'flower', lr: 1.2, logcost: false, lesson: '', open: 3 };
  const state = lessonState(course, first, defaults);
  assert.equal(state.lesson, first.id);
  assert.equal(state.open, null);
  for (const [key, value] of Object.entries(first.state)) assert.deepEqual(state[key], value, key);
  assert.equal(state.logcost, first.costScale === 'log');
});
