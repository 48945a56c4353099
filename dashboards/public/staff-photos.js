// @ts-check
/**
 * "Add photo" on a job card: the phone's camera (or a picked file) goes to the cloud as it is,
 * and the card says how many photos the job has. Photos are sent only with a connection: a
 * photo is megabytes, too much to keep queued on the phone beside the job's actions, so
 * without one the card says so and the photo stays in the camera roll.
 */
import { callApi } from './api.js';
import { explainError } from './dispatch-model.js';

/** @typedef {import('@atrium/shared').Photo} Photo */

/**
 * @param {string} orderId
 * @param {string} what  the job in words, for the control's label ("Cleaning, Restroom, Ground floor")
 * @returns {HTMLElement}
 */
export function createPhotoControl(orderId, what) {
  const box = document.createElement('div');
  box.className = 'job-photos';
  const label = document.createElement('label');
  label.className = 'job-photo-pick';
  const text = document.createElement('span');
  text.textContent = 'Add photo';
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'image/*';
  input.setAttribute('capture', 'environment');
  input.setAttribute('aria-label', `Add photo: ${what}`);
  label.append(text, input);
  const said = document.createElement('p');
  said.className = 'job-photo-said';
  said.setAttribute('role', 'status');
  box.append(label, said);

  const path = `/api/v1/work-orders/${encodeURIComponent(orderId)}/photos`;
  let count = 0;
  const countText = () => (count === 0 ? 'No photos yet' : count === 1 ? '1 photo' : `${count} photos`);
  // The count only informs: without a connection the card shows none rather than an error.
  void callApi('GET', path).then(
    (list) => {
      count = /** @type {Photo[]} */ (list).length;
      if (!input.disabled) said.textContent = countText();
    },
    () => undefined,
  );

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    if (!navigator.onLine) {
      said.textContent = 'No connection: photos are sent only while online. Add it again when the phone is back online.';
      input.value = '';
      return;
    }
    input.disabled = true;
    said.textContent = 'Sending the photo…';
    try {
      await callApi('POST', path, file);
      count += 1;
      said.textContent = `Photo added. ${countText()}.`;
    } catch (err) {
      said.textContent = explainError(/** @type {import('./api.js').ApiError} */ (err), 'add this photo');
    } finally {
      input.disabled = false;
      input.value = '';
    }
  });
  return box;
}
