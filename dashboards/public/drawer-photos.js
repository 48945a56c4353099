// @ts-check
/**
 * The photos staff took on a work order, for the control room's drawer: a thumbnail of each
 * (the image itself, scaled by the page: ten at most per order) linking to the full image.
 */
import { callApi } from './api.js';

/** @typedef {import('@atrium/shared').Photo} Photo */

/**
 * @param {string} orderId
 * @param {{ staffName: (id: string) => string, fmtTime: (ts: number) => string }} names
 * @returns {Promise<HTMLElement>} the thumbnails, or a line saying there are none or they could not be had
 */
export async function orderPhotos(orderId, names) {
  /** @type {Photo[] | null} */
  let photos = null;
  try {
    photos = /** @type {Photo[]} */ (await callApi('GET', `/api/v1/work-orders/${encodeURIComponent(orderId)}/photos`));
  } catch {
    // the rest of the drawer is still worth showing
  }
  if (!photos || photos.length === 0) {
    const p = document.createElement('p');
    p.textContent = photos ? 'None yet.' : 'The photos could not be loaded: close and open the order again.';
    return p;
  }
  const list = document.createElement('ul');
  list.className = 'drawer-photos';
  for (const photo of photos) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `/api/v1/photos/${photo.id}`;
    a.target = '_blank';
    a.rel = 'noopener';
    const img = document.createElement('img');
    img.src = a.href;
    img.alt = `Photo by ${names.staffName(photo.takenBy)} at ${names.fmtTime(photo.at)}`;
    img.loading = 'lazy';
    img.width = 96;
    img.height = 96;
    a.append(img);
    li.append(a);
    list.append(li);
  }
  return list;
}
