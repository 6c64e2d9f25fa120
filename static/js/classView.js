/**
 * The class's views (classroom.js drives them): the header's Class menu (start a class, join one
 * by code and name), the class bar under the header (a teacher's code, link, count and buttons; a
 * student's "following the teacher / working on my own" and its choices), the push form, the
 * student's push card (the teacher's title and text, as text), and the presenter card (the code
 * and its QR code, large, for the projector). Owns #class-menu, #class-bar, #class-push and
 * #class-present-overlay; reports what is clicked to the handlers bound.
 */

import { setDisabled, setHidden, setText } from './domWrite.js';
import { dismissable } from './menus.js';

export class ClassView {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.el = {
      menu: $('class-menu'), menuOut: $('class-menu-out'), menuIn: $('class-menu-in'), menuSaid: $('class-menu-said'),
      start: $('class-start'), joinForm: $('class-join'), joinCode: $('class-join-code'), joinName: $('class-join-name'),
      joinError: $('class-join-error'), leave: $('class-leave'),
      bar: $('class-bar'), teacher: $('class-teacher'), code: $('class-code'), link: $('class-link'),
      students: $('class-students'), present: $('class-present'), lock: $('class-lock'), pushOpen: $('class-push-open'),
      boardToggle: $('class-board-toggle'), close: $('class-close'),
      pushForm: $('class-push-form'), pushTitle: $('class-push-title'), pushText: $('class-push-text'),
      student: $('class-student'), said: $('class-said'), follow: $('class-follow'), fork: $('class-fork'), own: $('class-own'),
      spotlight: $('class-spotlight'), spotlightSaid: $('class-spotlight-said'), back: $('class-back'),
      locked: $('class-locked'), error: $('class-error'),
      push: $('class-push'), pushHeading: $('class-push-heading'), pushBody: $('class-push-body'),
      overlay: $('class-present-overlay'),
    };
    this.model = null;
    dismissable(this.el.menu);
  }

  /**
   * @param {{open(), join(code: string, name: string), leave(), close(), lock(locked: boolean),
   *   push(title: string, text: string), board(open: boolean), back(), follow(), own(), fork()}} handlers
   */
  bind(handlers) {
    const el = this.el;
    const click = (button, handler) => button.addEventListener('click', handler);
    click(el.start, () => { el.menu.open = false; handlers.open(); });
    el.joinForm.addEventListener('submit', (event) => {
      event.preventDefault();
      setHidden(el.joinError, true);
      handlers.join(el.joinCode.value.trim(), el.joinName.value.trim());
    });
    click(el.leave, () => { el.menu.open = false; handlers.leave(); });
    click(el.close, () => handlers.close());
    click(el.lock, () => handlers.lock(!this.model?.locked));
    click(el.pushOpen, () => {
      setHidden(el.pushForm, !el.pushForm.hidden);
      if (!el.pushForm.hidden) el.pushTitle.focus();
    });
    el.pushForm.addEventListener('submit', (event) => {
      event.preventDefault();
      handlers.push(el.pushTitle.value.trim(), el.pushText.value.trim());
    });
    el.pushForm.querySelector('[data-close]').addEventListener('click', () => setHidden(el.pushForm, true));
    click(el.boardToggle, () => handlers.board(!this.model?.board));
    click(el.back, () => handlers.back());
    click(el.follow, () => handlers.follow());
    click(el.own, () => handlers.own());
    click(el.fork, () => handlers.fork());
    click(el.present, () => this.present(true));
    el.overlay.addEventListener('click', (event) => {
      if (event.target === el.overlay || event.target.closest('[data-close]')) this.present(false);
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !el.overlay.hidden) this.present(false);
    });
    el.push.querySelector('[data-close]').addEventListener('click', () => setHidden(el.push, true));
  }

  /** The page was opened with a join link: the join form, its code filled, asks the name. */
  askJoin(code) {
    this.el.menu.open = true;
    this.el.joinCode.value = code;
    this.el.joinName.focus();
  }

  /** The server refused the join: why, in the form (open again, the code kept). */
  joinRefused(text, code) {
    const el = this.el;
    el.menu.open = true;
    el.joinCode.value = code;
    setText(el.joinError, text);
    setHidden(el.joinError, false);
  }

  /** In the class now: the menu closes. */
  joined() {
    this.el.menu.open = false;
    setHidden(this.el.joinError, true);
  }

  showError(text) {
    setText(this.el.error, text);
    setHidden(this.el.error, false);
  }

  showEnded(text) {
    this.showError(`Class ended: ${text}.`);
    setHidden(this.el.bar, false);
    setHidden(this.el.teacher, true);
    setHidden(this.el.student, true);
    setHidden(this.el.spotlight, true);
    setHidden(this.el.locked, true);
  }

  /** The push was sent: the form closes. */
  pushed() {
    setHidden(this.el.pushForm, true);
  }

  /** A student's push card: the teacher's title and explanation, as text. */
  showPush(push) {
    setText(this.el.pushHeading, push.title || 'From the teacher');
    setText(this.el.pushBody, push.text || '');
    setHidden(this.el.push, false);
  }

  /** The presenter card: the code and the QR code of the join link, large. */
  present(shown) {
    const m = this.model;
    const el = this.el;
    if (shown && m) {
      setText(el.overlay.querySelector('[data-testid=class-present-code]'), m.code);
      setText(el.overlay.querySelector('[data-testid=class-present-link]'), m.link);
      const img = el.overlay.querySelector('img');
      if (img.getAttribute('src') !== m.qr) img.src = m.qr;
    }
    setHidden(el.overlay, !(shown && m));
  }

  /**
   * Show the class (classroom.js ClassController.model), or none.
   * @param {object|null} m
   */
  render(m) {
    this.model = m;
    const el = this.el;
    setHidden(el.menuOut, Boolean(m));
    setHidden(el.menuIn, !m);
    setHidden(el.bar, !m);
    el.menu.dataset.role = m ? m.role : '';
    if (!m) {
      setHidden(el.push, true);
      this.present(false);
      return;
    }
    setHidden(el.error, true);
    const teacher = m.role === 'teacher';
    setText(el.menuSaid, teacher ? `You lead class ${m.code}` : `In class ${m.code} as ${m.name}`);
    setHidden(el.teacher, !teacher);
    setHidden(el.student, teacher);
    if (!teacher) setHidden(el.pushForm, true);
    if (teacher) {
      setText(el.code, m.code);
      if (el.link.value !== m.link) el.link.value = m.link;
      setText(el.students, `${m.students} student${m.students === 1 ? '' : 's'}`);
      setText(el.lock, m.locked ? 'Unlock' : 'Lock');
      el.lock.setAttribute('aria-pressed', String(m.locked));
      el.boardToggle.setAttribute('aria-pressed', String(m.board));
      if (!el.overlay.hidden) this.present(true);
    } else {
      const doing = !m.teacherPresent ? 'the teacher is away'
        : m.following ? (m.spotlight ? `watching ${m.spotlight.name}'s run` : 'following the teacher')
          : m.mode === 'follow' ? 'the teacher shows no run right now' : 'working on my own';
      setText(el.said, `Class ${m.code} — ${doing}`);
      el.said.dataset.mode = m.following ? 'follow' : 'own';
      setDisabled(el.follow, m.following || m.mode === 'follow');
      setDisabled(el.own, m.locked || (m.mode === 'own' && !m.following));
      setDisabled(el.fork, m.locked || !m.following);
    }
    setHidden(el.locked, teacher || !m.locked);
    setHidden(el.spotlight, !(teacher && m.spotlight));
    if (teacher && m.spotlight) setText(el.spotlightSaid, `The class sees ${m.spotlight.name}'s run.`);
  }
}
