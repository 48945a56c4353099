// @ts-check
/**
 * The API key this screen uses. `npm start` prints a link ending in `#key=…`; the key is
 * taken from there once, kept in this browser's storage, and removed from the address bar
 * so it does not end up in screenshots or shared links.
 *
 * Each page keeps its key under its own name: a supervisor who opens the staff page with
 * their own key on the control-room screen must not replace the control room's key.
 */
const STORAGE_KEY = 'atrium.apiKey';

/** @param {string} [store] storage name; the control room's by default @returns {string | null} */
export function apiKey(store = STORAGE_KEY) {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromLink) {
    localStorage.setItem(store, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
    return fromLink;
  }
  return localStorage.getItem(store);
}

/** After a 401: the stored key is wrong or was disabled; the next visit asks again. @param {string} [store] */
export function forgetApiKey(store = STORAGE_KEY) {
  localStorage.removeItem(store);
}

/** @param {string | null} key @returns {Record<string, string>} */
export const authHeaders = (key) => (key ? { authorization: `Bearer ${key}` } : {});
