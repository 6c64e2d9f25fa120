/**
 * The first-visit card: press ▶, what the colours mean, start with Lesson 1. Shown until the
 * visitor dismisses it (remembered in localStorage), never modal: the page works around it.
 * The help overlay's "show the tips again" brings it back. Owns #welcome and #welcome-again.
 */

const WELCOME_KEY = 'nnplay.welcome';

function remembered() {
  try { return localStorage.getItem(WELCOME_KEY) === 'dismissed'; } catch { return false; }
}

function remember(dismissed) {
  try {
    if (dismissed) localStorage.setItem(WELCOME_KEY, 'dismissed');
    else localStorage.removeItem(WELCOME_KEY);
  } catch { /* private mode: shown again next visit */ }
}

export class WelcomeCard {
  constructor() {
    this.card = document.getElementById('welcome');
    this.again = document.getElementById('welcome-again');
    this.card.hidden = remembered();
  }

  /**
   * @param {{lesson(id: string)}} handlers open a lesson from the card
   */
  bind(handlers) {
    this.card.addEventListener('click', (event) => {
      const lesson = event.target.closest('button[data-lesson]');
      if (lesson) handlers.lesson(lesson.dataset.lesson);
      if (lesson || event.target.closest('[data-close]')) this.dismiss();
    });
    this.again.addEventListener('click', () => {
      remember(false);
      this.card.hidden = false;
    });
  }

  /** Hide the card for good (this browser). */
  dismiss() {
    this.card.hidden = true;
    remember(true);
  }
}
