// @ts-check
/**
 * Calls to the Atrium cloud's REST API from the pages. Every failure becomes an ApiError that
 * says which kind it was (no answer, too slow, an error answer, not JSON), with the cloud's
 * own `{ code, message }` when it sent one, so each page can put it in words.
 */
import { csrfToken, goSignIn } from './session.js';

export const FETCH_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  /**
   * @param {'network' | 'timeout' | 'http' | 'not_json'} kind
   * @param {string} path
   * @param {{ status?: number, statusText?: string, code?: string, message?: string }} [answer] what the cloud said, if it answered
   */
  constructor(kind, path, answer = {}) {
    super(answer.message ?? `${kind} error for ${path}`);
    this.kind = kind;
    this.path = path;
    this.status = answer.status ?? 0;
    this.statusText = answer.statusText ?? '';
    /** the cloud's stable error code (ATRIUM_…), '' when it sent none */
    this.code = answer.code ?? '';
    /** the cloud's own message, '' when it sent none */
    this.said = answer.message ?? '';
  }
}

/**
 * A call with the session's cookie (the browser sends it) and, for changes, its CSRF token.
 * A 401 means the session ended: the page goes to sign-in and comes back after.
 * @param {'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {unknown} [body]  JSON, or a Blob/File sent as it is
 * @param {Record<string, string>} [headers] more request headers (an Idempotency-Key)
 * @returns {Promise<unknown>}
 */
export async function callApi(method, path, body, headers = {}) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method,
      // A file (a photo) goes as it is, with its own type; anything else as JSON.
      headers: { accept: 'application/json', ...(method !== 'GET' && { 'x-csrf-token': csrfToken() }), ...(body !== undefined && !(body instanceof Blob) && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: body instanceof Blob ? body : JSON.stringify(body) }),
      cache: 'no-store',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    throw new ApiError(err instanceof DOMException && err.name === 'TimeoutError' ? 'timeout' : 'network', path);
  }
  // A session the page knew has ended; a 401 before any was known (a part of the page asking
  // while requireSession is still finding out) means only "not signed in", not "expired".
  if (res.status === 401) goSignIn(csrfToken() ? 'expired' : '');
  if (!res.ok) {
    /** @type {{ code?: unknown, message?: unknown } | null} */
    let said = null;
    try {
      said = await res.json();
    } catch {
      // not JSON (a proxy's error page): the status line is all there is
    }
    throw new ApiError('http', path, {
      status: res.status,
      statusText: res.statusText,
      ...(typeof said?.code === 'string' && { code: said.code }),
      ...(typeof said?.message === 'string' && { message: said.message }),
    });
  }
  if (res.status === 204) return null;
  try {
    return await res.json();
  } catch {
    throw new ApiError('not_json', path, { status: res.status });
  }
}
