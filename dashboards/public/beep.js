// @ts-check
/**
 * One short tone on a Web Audio context, swelling in and fading out so it never clicks: the
 * control room's alarm cue and the staff app's new-job ring are made of these.
 * @param {AudioContext} audio
 * @param {number} freq Hz
 * @param {number} at seconds from now
 * @param {{ peak?: number, length?: number }} [opts] peak gain (default 0.25) and length in seconds (default 0.17)
 */
export function beep(audio, freq, at, opts = {}) {
  const peak = opts.peak ?? 0.25;
  const length = opts.length ?? 0.17;
  const t = audio.currentTime + at;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = 'sine';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(peak, t + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + length * 0.85);
  osc.connect(gain).connect(audio.destination);
  osc.start(t);
  osc.stop(t + length);
}
