// @ts-check
/**
 * A new job while the app is open: two short tones and a vibration, so a phone in a pocket
 * is noticed. The tones are made on the spot (Web Audio: no sound file to download or cache).
 * Browsers only let a page play sound after the person has touched it, so the audio is
 * unlocked on the first tap anywhere; the vibration needs no such permission where it exists.
 * The person can turn the sound off; the choice is kept on the phone.
 */

import { beep } from './beep.js';

const PREF_KEY = 'atrium.staff.sound';
/** ms on, off, on: short enough not to alarm customers nearby */
const VIBRATION = [180, 90, 180];

/**
 * @param {{ toggle: HTMLInputElement }} ui a checkbox "Sound and vibration for new jobs"
 */
export function createJobAlert({ toggle: ui }) {
  /** @type {AudioContext | null} */
  let audio = null;
  ui.checked = localStorage.getItem(PREF_KEY) !== 'off';
  ui.addEventListener('change', () => {
    localStorage.setItem(PREF_KEY, ui.checked ? 'on' : 'off');
    if (ui.checked) unlock();
  });

  function unlock() {
    if (audio || typeof AudioContext === 'undefined') return;
    audio = new AudioContext();
    void audio.resume().catch(() => undefined);
  }
  // The first touch or key press lets the page make sound later, when a job arrives unasked.
  for (const ev of /** @type {const} */ (['pointerdown', 'keydown'])) document.addEventListener(ev, unlock, { once: true, capture: true });

  /** @param {number} freq @param {number} at seconds from now */
  function tone(freq, at) {
    if (audio) beep(audio, freq, at, { peak: 0.3, length: 0.3 });
  }

  /** @type {number} how many times it has sounded (the tests read it from the page) */
  let played = 0;
  return {
    /** A job just given to this person. */
    newJob() {
      if (!ui.checked) return;
      played++;
      document.body.dataset.jobAlerts = String(played);
      if (typeof navigator.vibrate === 'function') navigator.vibrate(VIBRATION);
      tone(880, 0);
      tone(1175, 0.3);
    },
  };
}
