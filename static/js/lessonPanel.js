/**
 * The lessons menu and the lesson card: the menu lists the lessons, choosing one loads its state;
 * the card shows the lesson's text while the state names it. Owns #lessons-menu and #lesson.
 */

import { html, setHtml } from './html.js';
import { dismissable } from './menus.js';
import { lessonById } from './lessons.js';

export class LessonPanel {
  /** @param {import('./lessons.js').Course} course the lessons (lessons.js loadLessons) */
  constructor(course) {
    this.course = course;
    const $ = (id) => document.getElementById(id);
    this.menu = $('lessons-menu');
    this.list = $('lessons-list');
    this.card = $('lesson');
    dismissable(this.menu);
    setHtml(this.list, html`${course.lessons.map((lesson) => html`<li><button type="button" data-lesson="${lesson.id}"
      data-testid="lesson-${lesson.id}">${lesson.title}</button></li>`)}`);
  }

  /**
   * @param {{load(id: string), close()}} handlers
   */
  bind(handlers) {
    this.list.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-lesson]');
      if (!button) return;
      this.menu.open = false;
      handlers.load(button.dataset.lesson);
    });
    this.card.addEventListener('click', (event) => {
      if (event.target.closest('[data-close]')) handlers.close();
      const next = event.target.closest('button[data-lesson]');
      if (next) handlers.load(next.dataset.lesson);
    });
  }

  /** Show the lesson the state names (or hide the card). */
  render(state) {
    const lesson = lessonById(this.course, state.lesson);
    this.card.hidden = !lesson;
    this.card.dataset.lesson = lesson ? lesson.id : '';
    if (!lesson) return;
    const index = this.course.lessons.indexOf(lesson);
    const next = this.course.lessons[index + 1];
    setHtml(this.card, html`<h2 data-testid="lesson-title">${lesson.title}</h2>
      <p class="lesson-text" data-testid="lesson-text">${lesson.text}</p>
      <p class="lesson-foot"><span class="muted">Course notes: ${lesson.notes}. Press ▶ and watch.</span>
      ${next ? html`<button type="button" class="ghost" data-lesson="${next.id}" data-testid="lesson-next">Next: ${next.title} →</button>` : ''}
      <button type="button" class="ghost" data-close data-testid="lesson-close">Close</button></p>`);
  }
}
