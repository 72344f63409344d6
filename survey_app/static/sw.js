// The service worker of survey_app (served at /sw.js so its scope is the whole app).
// Shell (CSS, scripts, libraries): served from the cache, refreshed in the background.
// Pages of the visits the user opened (their form definitions are rendered into the
// capture page): network first with a short wait, then the cached copy, so a cut or
// congested network still opens them. Photos of visits: cache first.
// Visits planned without network: /visits/local/<uuid>/capture is the copy of the form's
// blank capture page that plan.js put in the cache for that uuid (cache first).
// POST requests (autosave messages, photo uploads) are never touched: the page's
// outbox in IndexedDB sends them.
// Served with js/constants.js in front of it (web/offline.py): SURVEY_SHELL holds the
// cache names, the shell's files and the kept-page patterns the pages use too.
const { SHELL_CACHE: SHELL, SHELL_PREFIX, PAGES_CACHE: PAGES, SHELL_FILES, KEPT_PAGES, LOCAL_PAGE, PHOTO,
        NETWORK_WAIT_MS } = self.SURVEY_SHELL;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith(SHELL_PREFIX) && n !== SHELL).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (LOCAL_PAGE.test(url.pathname)) event.respondWith(localPage(request, url));
    else if (KEPT_PAGES.some((re) => re.test(url.pathname))) event.respondWith(page(request, url));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/vendor/")
             || url.pathname === "/manifest.webmanifest") {
    event.respondWith(shell(event, request));
  } else if (PHOTO.test(url.pathname)) {
    event.respondWith(photo(request));
  }
});

async function shell(event, request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => null));
    return cached;
  }
  return fresh;
}

async function page(request, url) {
  const cache = await caches.open(PAGES);
  const key = url.origin + url.pathname;
  const network = fetch(request).then((response) => {
    if (response.ok && !response.redirected) cache.put(key, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null));
  try {
    const response = await Promise.race([network, timeout]);
    if (response) return response;
  } catch (error) { /* offline: the copy below */ }
  const cached = await cache.match(key);
  if (cached) return cached;
  return network.catch(() => offlinePage());
}

// The tablet's copy first; without one the server redirects to the visit once synced.
async function localPage(request, url) {
  const cached = await (await caches.open(PAGES)).match(url.origin + url.pathname);
  return cached || fetch(request).catch(() => offlinePage());
}

async function photo(request) {
  const cache = await caches.open(PAGES);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

function offlinePage() {
  // The worker does not know the user's language: Vietnamese first, English under it.
  const html = '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không có kết nối mạng</title>'
    + '<link rel="stylesheet" href="/static/css/app.css">'
    + '<main class="page"><h1>Không có kết nối mạng</h1><p>Trang này chưa được mở khi còn mạng nên chưa có '
    + 'trên máy. Các buổi khảo sát đã mở vẫn dùng được.</p>'
    + '<p lang="en" class="muted">No network connection. This page was not opened while online, so this '
    + 'tablet does not have it. Survey visits already opened still work.</p>'
    + '<p><a href="/visits">Buổi khảo sát</a> · <a href="/visits" lang="en">Survey visits</a></p></main></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
