// @ts-check
/**
 * The API key this screen uses. `npm start` prints a link ending in `#key=…`; the key is
 * taken from there once, kept in this browser's storage, and removed from the address bar
 * so it does not end up in screenshots or shared links.
 */
const STORAGE_KEY = 'atrium.apiKey';

/** @returns {string | null} */
export function apiKey() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromLink) {
    localStorage.setItem(STORAGE_KEY, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
    return fromLink;
  }
  return localStorage.getItem(STORAGE_KEY);
}

/** After a 401: the stored key is wrong or was disabled; the next visit asks again. */
export function forgetApiKey() {
  localStorage.removeItem(STORAGE_KEY);
}

/** @param {string | null} key @returns {Record<string, string>} */
export const authHeaders = (key) => (key ? { authorization: `Bearer ${key}` } : {});
