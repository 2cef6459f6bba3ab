/* sw.js: the site's service worker (rendered by build.py from templates/sw.js).
 *
 * It keeps the runtime, the wheels and the pages after the first visit, so a reload, another
 * page that embeds the sims and a classroom without network start without downloading again.
 * The cache is named after the build's content hash ({{ version }}, over vendor/, engine/ and
 * static/): a rebuild that changes any of them installs a new cache and deletes the old ones.
 *   vendor/, engine/, static/  cache-first (they change only with the version)
 *   everything else            network-first, the cached copy when offline
 * Only GET requests to this site's own origin are handled.
 */
'use strict';
const VERSION = {{ version | tojson }};
const CACHE = `nn-microsims-${VERSION}`;
const PRECACHE = {{ precache | tojson }};
const CACHE_FIRST = ['vendor/', 'engine/', 'static/'];
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // the header lets a server's log tell this offline copy from the engine's own download
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(new URL(path, scope).href, {
        headers: { 'X-Microsim-Precache': VERSION },
      }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith('nn-microsims-') && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (request.headers.has('range')) return;
  const path = url.pathname.slice(scope.pathname.length);
  event.respondWith(CACHE_FIRST.some((p) => path.startsWith(p)) ? cacheFirst(request) : networkFirst(request));
});
