// @ts-check
/**
 * A short tone when a new critical alarm comes in, so an operator looking away hears it; a
 * mute toggle remembered by this browser. Web Audio, no sound file. Browsers let a page
 * make sound only after a person has touched it, so the audio starts on the first click or
 * key; a cue before that is counted but silent. Each cue is counted on the button
 * (`data-cues`), which is how a test knows one was given.
 */

import { beep } from './beep.js';

const STORAGE_KEY = 'atrium.controlRoom.muted';

/**
 * @param {HTMLButtonElement} button  toggles mute (aria-pressed = muted)
 */
export function createAlarmCue(button) {
  /** @type {AudioContext | null} */
  let audio = null;
  let muted = false;
  try {
    muted = localStorage.getItem(STORAGE_KEY) === 'true';
  } catch {
    // storage blocked: not muted
  }
  /** alarm ids already announced (or on screen when the page loaded): never twice */
  const heard = new Set();
  let cues = 0;

  const render = () => {
    button.setAttribute('aria-pressed', String(muted));
    // Words as well as the pressed state: the sound's state is never shown by colour alone.
    button.textContent = muted ? 'Sound off' : 'Sound on';
    button.title = muted ? 'Critical alarms make no sound: press to hear them' : 'A tone sounds for each new critical alarm: press to mute';
  };
  render();
  button.addEventListener('click', () => {
    muted = !muted;
    try {
      localStorage.setItem(STORAGE_KEY, String(muted));
    } catch {
      // not remembered
    }
    render();
  });

  const unlock = () => {
    if (audio) return;
    try {
      audio = new AudioContext();
    } catch {
      audio = null;
    }
  };
  window.addEventListener('pointerdown', unlock, { once: true, capture: true });
  window.addEventListener('keydown', unlock, { once: true, capture: true });

  function tone() {
    if (!audio || audio.state === 'closed') return;
    void audio.resume().catch(() => undefined);
    // Two short rising beeps, 0.35 s in all: noticeable, not alarming the shoppers.
    beep(audio, 880, 0);
    beep(audio, 1175, 0.18);
  }

  return {
    /** Alarms open when the lists load: known, no sound. @param {Iterable<{ id: string }>} alarms */
    known(alarms) {
      for (const a of alarms) heard.add(a.id);
    },
    /** An alarm pushed live: a tone if it is new, critical and not muted. @param {{ id: string, severity: string, status: string }} alarm */
    pushed(alarm) {
      if (heard.has(alarm.id)) return;
      heard.add(alarm.id);
      if (alarm.severity !== 'critical' || alarm.status !== 'raised') return;
      cues += 1;
      button.dataset.cues = String(cues);
      if (!muted) tone();
    },
  };
}
