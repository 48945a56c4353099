// @ts-check
/**
 * The staff app's service worker: keeps the app's own files (the shell) so the page opens and
 * works with a weak or no connection, and so the phone can install it. Network first: a
 * connected phone always gets the files the cloud serves now (an update is never stuck
 * behind a cache); the kept copy is used only when the network fails. The API and the live
 * socket are never cached: jobs come from the cloud or from the page's own outbox.
 * Its scope is /staff… (the staff page and its modules), so the control room is untouched.
 */
/**
 * The slice of the worker's global scope used here (the pages' type check has the DOM library,
 * which cannot be combined with the worker one).
 * @typedef {Event & { waitUntil(p: Promise<unknown>): void }} LifecycleEvent
 * @typedef {LifecycleEvent & { request: Request, respondWith(r: Promise<Response>): void }} FetchEvent
 * @typedef {object} WorkerScope
 * @property {Location} location
 * @property {() => Promise<void>} skipWaiting
 * @property {{ claim(): Promise<void> }} clients
 * @property {((type: 'install' | 'activate', fn: (e: LifecycleEvent) => void) => void) & ((type: 'fetch', fn: (e: FetchEvent) => void) => void)} addEventListener
 */
const sw = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

/** Bump when the list changes: the old cache is dropped on activation. */
const CACHE = 'atrium-staff-shell-v3';
const SHELL = [
  'staff.html',
  'staff.js',
  'staff-jobs.js',
  'staff-queue.js',
  'staff-history.js',
  'staff-alert.js',
  'staff-photos.js',
  'beep.js',
  'staff.css',
  'staff.webmanifest',
  'staff-icon.svg',
  'staff-icon-192.png',
  'staff-icon-512.png',
  'style.css',
  'dispatch.css',
  'api.js',
  'session.js',
  'dispatch-model.js',
  'keyed-list.js',
  'socket-client.js',
  'site-clock.js',
  '/socket.io/socket.io.esm.min.js',
].map((p) => new URL(p, sw.location.href).pathname);
const SHELL_PATHS = new Set(SHELL);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL.map((p) => new Request(p, { cache: 'reload' }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('atrium-staff-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== sw.location.origin || !SHELL_PATHS.has(url.pathname)) return; // the browser's own handling
  event.respondWith(
    fetch(req).then(
      (res) => {
        if (res.ok) {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(url.pathname, copy));
        }
        return res;
      },
      async (err) => (await caches.match(url.pathname)) ?? Promise.reject(err),
    ),
  );
});
